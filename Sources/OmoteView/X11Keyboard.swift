import CXCBShim
import Glibc
import OmoteCore

/// The server's keyboard mapping (keycode → keysyms), reduced to what the window reads: the unshifted and shifted
/// keysym of each keycode.
package struct X11Keyboard {
    /// Keysyms by keycode (0...255); 0 (NoSymbol) where none.
    private(set) var plain = [UInt32](repeating: 0, count: 256)
    private(set) var shifted = [UInt32](repeating: 0, count: 256)

    static let escape: UInt32 = 0xff1b

    package init(_ connection: X11Connection) throws(OmoteError) {
        let setup = connection.setup.pointee
        let first = setup.min_keycode
        let count = UInt8(Int(setup.max_keycode) - Int(first) + 1)
        let cookie = omote_xcb_get_keyboard_mapping(connection.raw, first, count)
        var error: UnsafeMutablePointer<xcb_generic_error_t>?
        guard let reply = omote_xcb_get_keyboard_mapping_reply(connection.raw, cookie, &error) else {
            let code = error?.pointee.error_code ?? 0
            free(error)
            throw connection.hasFailed
                ? .x11ConnectionLost(connection.displayName, "read the keyboard mapping")
                : .x11RequestFailed(connection.displayName, "read the keyboard mapping", code: code)
        }
        defer { free(reply) }
        let perKeycode = Int(reply.pointee.keysyms_per_keycode)
        let total = Int(omote_xcb_get_keyboard_mapping_keysyms_length(reply))
        guard perKeycode > 0, let keysyms = omote_xcb_get_keyboard_mapping_keysyms(reply) else { return }
        for index in 0 ..< total / perKeycode {
            let keycode = Int(first) + index
            guard keycode < 256 else { break }
            plain[keycode] = keysyms[index * perKeycode]
            shifted[keycode] = perKeycode > 1 ? keysyms[index * perKeycode + 1] : 0
        }
    }

    /// The keysym `keycode` produces with modifier `state`: the shifted one with Shift (or, when it has none, the
    /// upper case of a lower-case Latin letter, as the X protocol's rules say).
    func keysym(_ keycode: UInt8, state: UInt16) -> UInt32 {
        let base = plain[Int(keycode)]
        guard state & UInt16(XCB_MOD_MASK_SHIFT.rawValue) != 0 else { return base }
        let upper = shifted[Int(keycode)]
        if upper != 0 { return upper }
        return (0x61 ... 0x7a).contains(base) ? base - 0x20 : base
    }

    /// The first keycode whose unshifted keysym is `keysym` (for synthesizing key presses in tests).
    package func keycode(for keysym: UInt32) -> UInt8? {
        plain.firstIndex(of: keysym).map { UInt8($0) }
    }
}
