import CXCBShim
import OmoteCore

extension X11Window {
    /// The next pending event, without blocking; nil when none is pending. Returns `.quit` once the connection has
    /// broken (the server is gone) or the window is closed. Allocates nothing unless the server sent something.
    public func nextEvent() -> WindowEvent? {
        guard !isClosed else { return .quit }
        var event = omote_xcb_event()
        while omote_xcb_next_event(connection.raw, &event) != 0 {
            if let translated = translate(event) { return translated }
        }
        return connection.hasFailed ? .quit : nil
    }

    /// The keycode that types `keysym` unshifted on this server (tests synthesize key presses with it).
    package func keycode(forKeysym keysym: UInt32) -> UInt8? { keyboard.keycode(for: keysym) }

    /// The X resource id of the window (tests address it from a second connection).
    package var windowID: UInt32 { window }

    /// What `event` means to the presenter, keeping the size current; nil for events it need not see.
    private func translate(_ event: omote_xcb_event) -> WindowEvent? {
        switch event.kind {
        case OMOTE_XCB_EVENT_KEY_PRESS:
            return keyEvent(keyboard.keysym(event.keycode, state: event.state), state: event.state)
        case OMOTE_XCB_EVENT_EXPOSE:
            // One Expose per damaged rectangle; `count` says how many follow: one redraw for the lot.
            return event.window == window && event.count == 0 ? .exposed : nil
        case OMOTE_XCB_EVENT_CONFIGURE:
            // Also sent for moves and restacking: only a new size matters.
            guard event.window == window, Int(event.width) != width || Int(event.height) != height else { return nil }
            width = Int(event.width)
            height = Int(event.height)
            return .resized(width: width, height: height)
        case OMOTE_XCB_EVENT_CLIENT_MESSAGE:
            let closeRequested =
                event.message_type == atoms.wmProtocols && event.format == 32 && event.data0 == atoms.wmDeleteWindow
            return closeRequested ? .quit : nil
        case OMOTE_XCB_EVENT_MAPPING:
            // The keyboard layout changed (rare; the one event that allocates: a round trip for the new mapping).
            if let updated = try? X11Keyboard(connection) { keyboard = updated }
            return nil
        case OMOTE_XCB_EVENT_ERROR:
            lastServerError = (event.error_code, event.major_code)
            return nil
        default:
            return nil
        }
    }

    /// q, Q, Escape and Ctrl-C quit (as in the terminal view); other printable ASCII keys are passed on.
    private func keyEvent(_ keysym: UInt32, state: UInt16) -> WindowEvent? {
        if keysym == X11Keyboard.escape { return .quit }
        guard (0x20 ... 0x7e).contains(keysym) else { return nil }
        let ascii = UInt8(keysym)
        let control = state & UInt16(XCB_MOD_MASK_CONTROL.rawValue) != 0
        if ascii == UInt8(ascii: "q") || ascii == UInt8(ascii: "Q") || (control && (ascii | 0x20) == UInt8(ascii: "c"))
        {
            return .quit
        }
        return .key(ascii)
    }
}
