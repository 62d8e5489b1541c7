import OmoteCore

#if canImport(Glibc)
import Glibc
#endif

/// The interactive terminal the live view draws on: raw keyboard input, the alternate screen, a hidden cursor, and a
/// guaranteed restore on quit, on error and on SIGTERM/SIGHUP. Expression data is drawn only here (privacy policy).
public final class TerminalSession {
    public struct Size: Equatable, Sendable {
        public var columns: Int
        public var rows: Int
        public init(columns: Int, rows: Int) {
            self.columns = columns
            self.rows = rows
        }
    }

    public enum Key: Equatable, Sendable {
        case quit  // q, Q, Ctrl-C, Esc
        case other(UInt8)
    }

    private let input: Int32 = STDIN_FILENO
    private let output: Int32 = STDOUT_FILENO
    private var restored = false

    /// Enters raw mode and the alternate screen. Throws when stdin/stdout is not an interactive terminal.
    public init() throws(OmoteError) {
        guard isatty(output) == 1 else { throw .notATerminal("standard output") }
        guard isatty(input) == 1 else { throw .notATerminal("standard input") }
        var original = termios()
        guard tcgetattr(input, &original) == 0 else {
            throw .terminalSettings("tcgetattr", "read the terminal settings", errno: errno)
        }
        var raw = original
        raw.c_lflag &= ~tcflag_t(ECHO | ICANON | ISIG | IEXTEN)
        raw.c_iflag &= ~tcflag_t(IXON | ICRNL)
        // Non-blocking reads: VMIN 0, VTIME 0.
        withUnsafeMutableBytes(of: &raw.c_cc) { cc in
            cc[Int(VMIN)] = 0
            cc[Int(VTIME)] = 0
        }
        guard tcsetattr(input, TCSAFLUSH, &raw) == 0 else {
            throw .terminalSettings("tcsetattr", "switch the terminal to raw mode", errno: errno)
        }
        TerminalRestore.install(original: original, input: input, output: output)
        writeAll("\u{1B}[?1049h\u{1B}[?25l\u{1B}[2J")
    }

    deinit { restore() }

    /// Leaves the alternate screen and restores the original settings (idempotent).
    public func restore() {
        guard !restored else { return }
        restored = true
        TerminalRestore.restoreNow()
    }

    /// Current size in character cells.
    public var size: Size {
        var window = winsize()
        if ioctl(output, UInt(TIOCGWINSZ), &window) == 0, window.ws_col > 0, window.ws_row > 0 {
            return Size(columns: Int(window.ws_col), rows: Int(window.ws_row))
        }
        return Size(columns: 80, rows: 24)
    }

    /// Reads pending key presses without blocking.
    public func pendingKeys() -> [Key] {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = read(input, &buffer, buffer.count)
        guard count > 0 else { return [] }
        return buffer[0 ..< count].map { byte in
            switch byte {
            case UInt8(ascii: "q"), UInt8(ascii: "Q"), 3, 27: .quit
            default: .other(byte)
            }
        }
    }

    /// Sends bytes to the terminal (the only place the live view's pixels and numbers go).
    public func writeAll(_ bytes: [UInt8]) { bytes.withUnsafeBytes { writeAll($0) } }

    /// Sends raw bytes (e.g. a canvas in private memory) to the terminal.
    public func writeAll(_ raw: UnsafeRawBufferPointer) {
        var offset = 0
        while offset < raw.count {
            let written = Glibc.write(output, raw.baseAddress! + offset, raw.count - offset)
            if written < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                return
            }
            offset += written
        }
    }

    public func writeAll(_ text: String) { writeAll(Array(text.utf8)) }
}

/// Async-signal-safe terminal restore: the original termios is kept in static storage so a SIGTERM/SIGHUP handler can
/// put the terminal back (tcsetattr and write are async-signal-safe) before the process exits.
enum TerminalRestore {
    nonisolated(unsafe) private static var original = termios()
    nonisolated(unsafe) private static var input: Int32 = -1
    nonisolated(unsafe) private static var output: Int32 = -1
    nonisolated(unsafe) private static var installed = false
    private static let leaveSequence: StaticString = "\u{1B}[0m\u{1B}[?25h\u{1B}[?1049l"

    static func install(original: termios, input: Int32, output: Int32) {
        Self.original = original
        Self.input = input
        Self.output = output
        installed = true
        for signalNumber in [SIGTERM, SIGHUP, SIGQUIT] {
            signal(signalNumber) { signalNumber in
                TerminalRestore.restoreNow()
                _exit(128 + signalNumber)
            }
        }
    }

    static func restoreNow() {
        guard installed else { return }
        installed = false
        _ = Glibc.write(output, leaveSequence.utf8Start, leaveSequence.utf8CodeUnitCount)
        _ = tcsetattr(input, TCSAFLUSH, &original)
    }
}
