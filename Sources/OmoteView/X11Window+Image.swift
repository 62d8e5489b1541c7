import CXCBShim
import Glibc
import OmoteCore

extension X11Window {
    /// Size of a PutImage request before its pixel data.
    private static let putImageHeaderBytes = 24

    /// Draws `pixels` (row-major `width`×`height`, each 0xAARRGGBB, premultiplied alpha, sRGB) at the window's
    /// top-left and flushes. The bytes go to the server as they are (the visual is checked to be 32-bit
    /// little-endian xRGB/ARGB), in strips of rows that each fit one request. Allocates nothing.
    public func present(_ pixels: UnsafeBufferPointer<UInt32>, width: Int, height: Int) throws(OmoteError) {
        guard !isClosed, !connection.hasFailed else { throw .x11ConnectionLost(displayName, "present a frame") }
        guard (1 ... 32767).contains(width), (1 ... 32767).contains(height), pixels.count == width * height,
            let base = pixels.baseAddress
        else {
            throw .x11FrameMismatch(displayName, width: width, height: height, count: pixels.count)
        }
        let rowBytes = width * 4
        let rowsPerStrip = min(height, (maximumRequestBytes - Self.putImageHeaderBytes) / rowBytes)
        guard rowsPerStrip > 0 else {
            throw .x11FrameMismatch(displayName, width: width, height: height, count: pixels.count)
        }
        let raw = connection.raw
        let format = UInt8(XCB_IMAGE_FORMAT_Z_PIXMAP.rawValue)
        var row = 0
        while row < height {
            let rows = min(rowsPerStrip, height - row)
            let strip = UnsafeRawPointer(base + row * width).assumingMemoryBound(to: UInt8.self)
            omote_xcb_put_image(
                raw, format, window, graphicsContext, UInt16(width), UInt16(rows), 0, Int16(row), 0, depth,
                UInt32(rows * rowBytes), strip)
            row += rows
        }
        // flush returns <= 0 once the connection has broken (e.g. the server went away mid-write).
        guard omote_xcb_flush(raw) > 0, !connection.hasFailed else {
            throw .x11ConnectionLost(displayName, "present a frame")
        }
    }

    /// The window's pixels now (GetImage of the whole window), as 0xAARRGGBB; alpha is 0xFF for a 24-bit window.
    /// For tests and screenshots: it allocates and waits for the server.
    package func readBack() throws(OmoteError) -> [UInt32] {
        guard !isClosed, !connection.hasFailed else { throw .x11ConnectionLost(displayName, "read the window back") }
        let raw = connection.raw
        let cookie = omote_xcb_get_image(
            raw, UInt8(XCB_IMAGE_FORMAT_Z_PIXMAP.rawValue), window, 0, 0, UInt16(width), UInt16(height), ~0)
        var error: UnsafeMutablePointer<xcb_generic_error_t>?
        guard let reply = omote_xcb_get_image_reply(raw, cookie, &error) else {
            let code = error?.pointee.error_code ?? 0
            free(error)
            throw connection.hasFailed
                ? .x11ConnectionLost(displayName, "read the window back")
                : .x11RequestFailed(displayName, "read the window back", code: code)
        }
        defer { free(reply) }
        let count = width * height
        guard Int(omote_xcb_get_image_data_length(reply)) >= count * 4, let data = omote_xcb_get_image_data(reply)
        else {
            throw .x11RequestFailed(displayName, "read the window back (short image)", code: 0)
        }
        let opaque: UInt32 = hasAlpha ? 0 : 0xff00_0000
        return (0 ..< count).map { index in
            UInt32(littleEndian: UnsafeRawPointer(data).loadUnaligned(fromByteOffset: index * 4, as: UInt32.self))
                | opaque
        }
    }
}
