import CXCBShim
import Glibc
import OmoteCore

/// One connection to an X server through libxcb (loaded at run time), with its screen: what `X11Window` draws
/// through, and what the tests use as a second client (the window manager's part).
package final class X11Connection {
    /// The xcb_connection_t; valid until `disconnect()`.
    package let raw: OpaquePointer
    /// The display as given or taken from $DISPLAY, for messages.
    package let displayName: String
    package let setup: UnsafePointer<xcb_setup_t>
    /// The screen the display name selects (owned by `setup`).
    package let screen: UnsafePointer<xcb_screen_t>
    package let screenNumber: Int32
    private var isConnected = true

    /// Loads libxcb.so.1 (once per process) and connects to `display`, or when nil to `displayVariable` (the value
    /// of $DISPLAY; tests pass their own).
    package init(display: String?, displayVariable: String? = X11Connection.displayVariable) throws(OmoteError) {
        try Self.loadLibrary()
        guard let name = display ?? displayVariable, !name.isEmpty else { throw .noDisplay }
        var screenNumber: Int32 = 0
        // xcb_connect never returns NULL: a failed connection is an error object that has_error reports.
        guard let connection = omote_xcb_connect(name, &screenNumber) else {
            throw .x11ConnectFailed(name, code: Int32(XCB_CONN_CLOSED_MEM_INSUFFICIENT))
        }
        let error = omote_xcb_connection_has_error(connection)
        guard error == 0, let setup = omote_xcb_get_setup(connection),
            let screen = omote_xcb_screen(setup, screenNumber)
        else {
            omote_xcb_disconnect(connection)
            throw .x11ConnectFailed(name, code: error != 0 ? error : Int32(XCB_CONN_CLOSED_INVALID_SCREEN))
        }
        raw = connection
        displayName = name
        self.setup = setup
        self.screen = screen
        self.screenNumber = screenNumber
    }

    deinit { disconnect() }

    /// $DISPLAY, or nil when it is unset.
    package static var displayVariable: String? { getenv("DISPLAY").map { String(cString: $0) } }

    /// Loads libxcb.so.1 and resolves the functions the window calls, once per process (idempotent, thread-safe).
    /// A process that will engage the privacy guard must do it (by opening its window) before: the guard forbids
    /// mapping a library later.
    package static func loadLibrary() throws(OmoteError) {
        guard omote_xcb_is_loaded() == 0 else { return }
        var message = [CChar](repeating: 0, count: 512)
        guard omote_xcb_load(&message, message.count) != 0 else { return }
        throw .x11LibraryMissing(message.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
    }

    /// The socket to the server (the one descriptor the window needs once the guard has engaged).
    package var fileDescriptor: Int32 { isConnected ? omote_xcb_get_file_descriptor(raw) : -1 }

    /// Whether the connection has broken (server gone, protocol error) or been closed.
    package var hasFailed: Bool { !isConnected || omote_xcb_connection_has_error(raw) != 0 }

    package func disconnect() {
        guard isConnected else { return }
        isConnected = false
        omote_xcb_disconnect(raw)
    }

    /// The atoms named `names`, created when missing, in one round trip.
    package func atoms(_ names: [String]) throws(OmoteError) -> [xcb_atom_t] {
        let cookies = names.map { name in
            let bytes = Array(name.utf8)
            return bytes.withUnsafeBufferPointer {
                $0.withMemoryRebound(to: CChar.self) { omote_xcb_intern_atom(raw, 0, UInt16($0.count), $0.baseAddress) }
            }
        }
        var atoms: [xcb_atom_t] = []
        for cookie in cookies {
            var error: UnsafeMutablePointer<xcb_generic_error_t>?
            guard let reply = omote_xcb_intern_atom_reply(raw, cookie, &error) else {
                let code = error?.pointee.error_code ?? 0
                free(error)
                throw hasFailed
                    ? .x11ConnectionLost(displayName, "name X atoms")
                    : .x11RequestFailed(displayName, "name X atoms", code: code)
            }
            atoms.append(reply.pointee.atom)
            free(reply)
        }
        return atoms
    }

    /// The value of `window`'s property `property` (any type), as bytes; empty when it is not set.
    package func property(_ property: xcb_atom_t, of window: xcb_window_t) throws(OmoteError) -> [UInt8] {
        let cookie = omote_xcb_get_property(
            raw, 0, window, property, xcb_atom_t(XCB_GET_PROPERTY_TYPE_ANY.rawValue), 0, 1 << 16)
        var error: UnsafeMutablePointer<xcb_generic_error_t>?
        guard let reply = omote_xcb_get_property_reply(raw, cookie, &error) else {
            let code = error?.pointee.error_code ?? 0
            free(error)
            throw hasFailed
                ? .x11ConnectionLost(displayName, "read a window property")
                : .x11RequestFailed(displayName, "read a window property", code: code)
        }
        defer { free(reply) }
        let length = Int(omote_xcb_get_property_value_length(reply))
        guard length > 0, let value = omote_xcb_get_property_value(reply) else { return [] }
        return Array(UnsafeRawBufferPointer(start: value, count: length))
    }

    /// The window that owns the selection `selection` (XCB_NONE when none does).
    package func selectionOwner(_ selection: xcb_atom_t) throws(OmoteError) -> xcb_window_t {
        let cookie = omote_xcb_get_selection_owner(raw, selection)
        var error: UnsafeMutablePointer<xcb_generic_error_t>?
        guard let reply = omote_xcb_get_selection_owner_reply(raw, cookie, &error) else {
            let code = error?.pointee.error_code ?? 0
            free(error)
            throw hasFailed
                ? .x11ConnectionLost(displayName, "look for a compositor")
                : .x11RequestFailed(displayName, "look for a compositor", code: code)
        }
        defer { free(reply) }
        return reply.pointee.owner
    }

    /// Waits for the server to process the checked request `cookie` (a round trip) and turns its error, if any, into
    /// an `OmoteError` for `operation`.
    package func check(_ cookie: xcb_void_cookie_t, _ operation: String) throws(OmoteError) {
        if let error = omote_xcb_request_check(raw, cookie) {
            let code = error.pointee.error_code
            free(error)
            throw .x11RequestFailed(displayName, operation, code: code)
        }
        if hasFailed { throw .x11ConnectionLost(displayName, operation) }
    }
}
