import CXCBShim
import OmoteCore

/// The visual a window is created with, checked to store pixels exactly as `present` sends them: 32 bits per pixel,
/// least significant byte first, blue in the low byte (so a little-endian UInt32 0xAARRGGBB is the wire format).
struct X11Visual {
    var id: xcb_visualid_t
    var depth: UInt8

    /// The screen's 32-bit ARGB visual when `transparent` and a compositor owns `compositor` (_NET_WM_CM_Sn; without
    /// one, ARGB pixels would be shown unblended), otherwise the default visual. Throws when its layout is not
    /// 32-bit little-endian xRGB.
    static func choose(
        for connection: X11Connection, transparent: Bool, compositor: xcb_atom_t
    ) throws(OmoteError) -> X11Visual {
        let screen = connection.screen
        if transparent {
            let argb = omote_xcb_argb_visual(screen)
            if argb != 0, try connection.selectionOwner(compositor) != xcb_window_t(XCB_NONE) {
                let visual = X11Visual(id: argb, depth: 32)
                try visual.checkLayout(connection)
                return visual
            }
        }
        var depth: UInt8 = 0
        var type = xcb_visualtype_t()
        guard omote_xcb_visual(screen, screen.pointee.root_visual, &depth, &type) == 0 else {
            throw .x11UnsupportedVisual(connection.displayName, "not listed among the screen's visuals")
        }
        guard type._class == UInt8(XCB_VISUAL_CLASS_TRUE_COLOR.rawValue), type.red_mask == 0xff0000,
            type.green_mask == 0xff00, type.blue_mask == 0xff
        else {
            let masks = "red 0x\(String(type.red_mask, radix: 16)), green 0x\(String(type.green_mask, radix: 16))"
            throw .x11UnsupportedVisual(
                connection.displayName,
                "of class \(type._class), depth \(depth), masks \(masks), blue 0x\(String(type.blue_mask, radix: 16))")
        }
        let visual = X11Visual(id: type.visual_id, depth: depth)
        try visual.checkLayout(connection)
        return visual
    }

    /// Bits per pixel from the server's pixmap formats, and its image byte order (this host is little-endian).
    private func checkLayout(_ connection: X11Connection) throws(OmoteError) {
        var bitsPerPixel: UInt8 = 0
        var scanlinePad: UInt8 = 0
        let listed = omote_xcb_pixmap_format(connection.setup, depth, &bitsPerPixel, &scanlinePad) == 0
        let byteOrder = connection.setup.pointee.image_byte_order
        guard listed, bitsPerPixel == 32, byteOrder == UInt8(XCB_IMAGE_ORDER_LSB_FIRST.rawValue),
            1.littleEndian == 1
        else {
            let order = byteOrder == UInt8(XCB_IMAGE_ORDER_LSB_FIRST.rawValue) ? "LSB first" : "MSB first"
            throw .x11UnsupportedVisual(
                connection.displayName,
                "depth \(depth) at \(listed ? "\(bitsPerPixel)" : "unlisted") bits per pixel, \(order)")
        }
    }
}
