import OmoteCore
import SystemPackage

/// Why the live view could not take over the terminal, as `OmoteError` codes.
extension OmoteError.Code {
    /// Standard input or output is not an interactive terminal (a pipe, a file, no TTY).
    public static let viewNotATerminal = Self("view.notATerminal")
    /// The terminal's settings could not be read or switched to raw mode.
    public static let viewTerminalSettings = Self("view.terminalSettings")
}

extension OmoteError {
    static func notATerminal(_ stream: String) -> OmoteError {
        OmoteError(
            .viewNotATerminal,
            operation: "open the live view",
            subject: stream,
            reason: "it is not a terminal",
            remedy: "Run omote in an interactive terminal, without redirecting its input or output."
        )
    }

    /// `call` (tcgetattr, tcsetattr) failed with `errno`, doing `what`.
    static func terminalSettings(_ call: String, _ what: String, errno: Int32) -> OmoteError {
        OmoteError(
            .viewTerminalSettings,
            operation: "open the live view",
            subject: "standard input",
            reason: "\(call) failed to \(what)",
            remedy: "Run omote in an interactive terminal; if it still fails, reset the terminal (`reset`) and retry.",
            errno: Errno(rawValue: errno)
        )
    }
}
