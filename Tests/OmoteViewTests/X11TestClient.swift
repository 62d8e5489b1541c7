import CXCBShim
import OmoteCore
import OmoteView

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
