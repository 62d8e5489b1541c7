import OmoteCore

/// Why the X11 window could not be opened or drawn into, as `OmoteError` codes.
extension OmoteError.Code {
    /// libxcb.so.1 could not be loaded (not installed, or missing a function).
    public static let viewX11Library = Self("view.x11Library")
    /// No display was given and DISPLAY is not set.
    public static let viewNoDisplay = Self("view.noDisplay")
    /// The X server could not be reached or refused the connection.
    public static let viewX11Connect = Self("view.x11Connect")
    /// The screen's visual stores pixels in a layout the window does not draw (only 32-bit little-endian xRGB).
    public static let viewX11Visual = Self("view.x11Visual")
    /// The X server refused a request (creating the window, reading it back).
    public static let viewX11Request = Self("view.x11Request")
    /// The connection to the X server broke (the server exited, or closed the connection).
    public static let viewX11ConnectionLost = Self("view.x11ConnectionLost")
    /// The frame handed to `present` does not match its stated size.
    public static let viewX11Frame = Self("view.x11Frame")
}

extension OmoteError {
    /// What every "cannot reach a display" error suggests: the other view, or a display.
    static let terminalViewRemedy = "Run with --view terminal, or start an X server and set DISPLAY (e.g. DISPLAY=:0)."

    static func x11LibraryMissing(_ failure: String) -> OmoteError {
        OmoteError(
            .viewX11Library,
            operation: "open the window",
            subject: "libxcb.so.1",
            reason: failure,
            remedy: "Install the Debian package libxcb1 (sudo apt-get install libxcb1), or run with --view terminal."
        )
    }

    static let noDisplay = OmoteError(
        .viewNoDisplay,
        operation: "open the window",
        subject: "DISPLAY",
        reason: "no display was given and the DISPLAY environment variable is not set",
        remedy: terminalViewRemedy
    )

    /// xcb_connect to `display` failed with xcb's connection error `code` (XCB_CONN_*).
    static func x11ConnectFailed(_ display: String, code: Int32) -> OmoteError {
        let reason =
            switch code {
            case 5: "the display name is malformed (expected e.g. :0 or host:0.0)"
            case 6: "the display has no such screen"
            case 3: "out of memory while connecting"
            default: "no X server accepted the connection (none is running on it, or it refused access: check xauth)"
            }
        return OmoteError(
            .viewX11Connect,
            operation: "connect to the X display",
            subject: display,
            reason: "\(reason) [xcb connection error \(code)]",
            remedy: terminalViewRemedy
        )
    }

    static func x11UnsupportedVisual(_ display: String, _ layout: String) -> OmoteError {
        OmoteError(
            .viewX11Visual,
            operation: "open the window",
            subject: display,
            reason: "the screen's visual is \(layout); the window draws only 32-bit little-endian xRGB pixels",
            remedy: "Run the X server at depth 24 (e.g. Xvfb :1 -screen 0 1280x1024x24), or run with --view terminal."
        )
    }

    /// The server answered `request` with X error `code` (BadMatch = 8, BadAlloc = 11, ...).
    package static func x11RequestFailed(_ display: String, _ request: String, code: UInt8) -> OmoteError {
        OmoteError(
            .viewX11Request,
            operation: request,
            subject: display,
            reason: "the X server refused it with X error \(code)",
            remedy: "Retry; if it persists, run with --view terminal and report the X server in use."
        )
    }

    static func x11ConnectionLost(_ display: String, _ operation: String) -> OmoteError {
        OmoteError(
            .viewX11ConnectionLost,
            operation: operation,
            subject: display,
            reason: "the connection to the X server is closed (the server exited, or the window was closed)",
            remedy: "Restart omote once the X server is back, or run with --view terminal."
        )
    }

    static func x11FrameMismatch(_ display: String, width: Int, height: Int, count: Int) -> OmoteError {
        OmoteError(
            .viewX11Frame,
            operation: "present a frame",
            subject: display,
            reason:
                "a \(width)×\(height) frame needs \(width.multipliedReportingOverflow(by: height).partialValue) pixels (1 to 32767 each way) but \(count) were given",
            remedy: "Pass a buffer of exactly width × height pixels."
        )
    }
}
