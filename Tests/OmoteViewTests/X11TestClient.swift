import CXCBShim
import OmoteCore
import OmoteView

#if canImport(Glibc)
import Glibc
#endif

/// A second X client on the test's display, doing what a window manager or compositor would to the window under
/// test: reading its properties, resizing it, sending it close requests and key presses, owning _NET_WM_CM_S0.
final class X11TestClient {
    let connection: X11Connection

    init(display: String) throws(OmoteError) {
        connection = try X11Connection(display: display)
    }

    func atom(_ name: String) throws(OmoteError) -> xcb_atom_t { try connection.atoms([name])[0] }

    /// `window`'s property `name` as text.
    func text(of window: UInt32, property name: String) throws(OmoteError) -> String {
        String(decoding: try connection.property(atom(name), of: window), as: UTF8.self)
    }

    /// `window`'s property `name` as bytes.
    func bytes(of window: UInt32, property name: String) throws(OmoteError) -> [UInt8] {
        try connection.property(atom(name), of: window)
    }

    /// What a window manager does when the user resizes the window.
    func resize(_ window: UInt32, width: Int, height: Int) {
        let mask = UInt16(XCB_CONFIG_WINDOW_WIDTH.rawValue | XCB_CONFIG_WINDOW_HEIGHT.rawValue)
        let values: [UInt32] = [UInt32(width), UInt32(height)]
        omote_xcb_configure_window(connection.raw, window, mask, values)
        omote_xcb_flush(connection.raw)
    }

    /// What a window manager sends when the user clicks the close button (ICCCM WM_DELETE_WINDOW).
    func requestClose(_ window: UInt32) throws(OmoteError) {
        var event = xcb_client_message_event_t()
        event.response_type = UInt8(XCB_CLIENT_MESSAGE)
        event.format = 32
        event.window = window
        event.type = try atom("WM_PROTOCOLS")
        event.data.data32.0 = try atom("WM_DELETE_WINDOW")
        send(&event, to: window)
    }

    /// A synthetic KeyPress of `keycode` with modifier `state`, as if the window had the focus.
    func press(_ keycode: UInt8, state: UInt16 = 0, in window: UInt32) {
        var event = xcb_key_press_event_t()
        event.response_type = UInt8(XCB_KEY_PRESS)
        event.detail = keycode
        event.root = connection.screen.pointee.root
        event.event = window
        event.state = state
        event.same_screen = 1
        send(&event, to: window)
    }

    /// Takes the compositor selection of screen 0, as a compositing manager announces itself.
    func actAsCompositor() throws(OmoteError) {
        let owner = omote_xcb_generate_id(connection.raw)
        let screen = connection.screen.pointee
        let created = omote_xcb_create_window_checked(
            connection.raw, 0, owner, screen.root, 0, 0, 1, 1, 0, UInt16(XCB_WINDOW_CLASS_INPUT_ONLY.rawValue),
            screen.root_visual, 0, nil)
        try connection.check(created, "create the selection owner")
        omote_xcb_set_selection_owner(connection.raw, owner, try atom("_NET_WM_CM_S0"), 0)
        omote_xcb_flush(connection.raw)
    }

    /// Top-level windows (children of the root) whose _NET_WM_NAME starts with `prefix`.
    func windows(titled prefix: String) throws(OmoteError) -> [UInt32] {
        let raw = connection.raw
        var error: UnsafeMutablePointer<xcb_generic_error_t>?
        guard
            let reply = omote_xcb_query_tree_reply(
                raw, omote_xcb_query_tree(raw, connection.screen.pointee.root), &error)
        else {
            free(error)
            throw .x11RequestFailed(connection.displayName, "query the window tree", code: 0)
        }
        defer { free(reply) }
        let count = Int(omote_xcb_query_tree_children_length(reply))
        guard count > 0, let children = omote_xcb_query_tree_children(reply) else { return [] }
        var found: [UInt32] = []
        for window in UnsafeBufferPointer(start: children, count: count) {
            if (try? text(of: window, property: "_NET_WM_NAME"))?.hasPrefix(prefix) == true { found.append(window) }
        }
        return found
    }

    /// `window`'s size, as the server has it.
    func size(of window: UInt32) throws(OmoteError) -> (width: Int, height: Int) {
        let raw = connection.raw
        var error: UnsafeMutablePointer<xcb_generic_error_t>?
        guard let reply = omote_xcb_get_geometry_reply(raw, omote_xcb_get_geometry(raw, window), &error) else {
            free(error)
            throw .x11RequestFailed(connection.displayName, "get the window's geometry", code: 0)
        }
        defer { free(reply) }
        return (Int(reply.pointee.width), Int(reply.pointee.height))
    }

    /// What another client (a screen recorder, OBS) reads from `window`: its pixels as 0x00RRGGBB.
    func pixels(of window: UInt32) throws(OmoteError) -> (pixels: [UInt32], width: Int, height: Int) {
        let (width, height) = try size(of: window)
        let raw = connection.raw
        let cookie = omote_xcb_get_image(
            raw, UInt8(XCB_IMAGE_FORMAT_Z_PIXMAP.rawValue), window, 0, 0, UInt16(width), UInt16(height), ~0)
        var error: UnsafeMutablePointer<xcb_generic_error_t>?
        guard let reply = omote_xcb_get_image_reply(raw, cookie, &error) else {
            free(error)
            throw .x11RequestFailed(connection.displayName, "read another client's window", code: 0)
        }
        defer { free(reply) }
        guard Int(omote_xcb_get_image_data_length(reply)) >= width * height * 4,
            let data = omote_xcb_get_image_data(reply)
        else { throw .x11RequestFailed(connection.displayName, "read another client's window (short)", code: 0) }
        let pixels = (0 ..< width * height).map { index in
            UInt32(littleEndian: UnsafeRawPointer(data).loadUnaligned(fromByteOffset: index * 4, as: UInt32.self))
                & 0xFF_FFFF
        }
        return (pixels, width, height)
    }

    /// The keycode that types `keysym` on this server.
    func keycode(forKeysym keysym: UInt32) throws(OmoteError) -> UInt8? {
        try X11Keyboard(connection).keycode(for: keysym)
    }

    /// Sends a 32-byte event to the client that created `window` (an empty event mask means exactly that).
    private func send<Event>(_ event: inout Event, to window: UInt32) {
        precondition(MemoryLayout<Event>.size == 32)
        withUnsafeBytes(of: &event) { bytes in
            _ = omote_xcb_send_event(
                connection.raw, 0, window, 0, bytes.baseAddress!.assumingMemoryBound(to: CChar.self))
        }
        omote_xcb_flush(connection.raw)
    }
}
