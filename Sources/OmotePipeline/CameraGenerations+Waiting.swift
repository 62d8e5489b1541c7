import OmoteCore
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The launcher's wait for a re-plugged camera node: a stat every interval, ended early by SIGINT (Ctrl-C quits).
enum WaitingForNode {
    /// Set by the SIGINT handler installed while waiting (an atomic store is async-signal-safe).
    private static let interrupted = Atomic<Bool>(false)

    /// Waits until `path` exists again; false when SIGINT arrived first.
    static func wait(for path: String, every interval: UInt64) -> Bool {
        whileInterruptible {
            var status = stat()
            while stat(path, &status) != 0 {
                guard sleep(interval) else { return false }
            }
            return true
        }
    }

    /// Sleeps `interval` nanoseconds; false when SIGINT arrived.
    static func pause(_ interval: UInt64) -> Bool { whileInterruptible { sleep(interval) } }

    /// Runs `body` with a SIGINT handler that only sets the flag (no SA_RESTART, so it interrupts the sleep), then puts
    /// the previous disposition back.
    private static func whileInterruptible(_ body: () -> Bool) -> Bool {
        interrupted.store(false, ordering: .relaxed)
        var handler = sigaction()
        handler.__sigaction_handler.sa_handler = { _ in WaitingForNode.interrupted.store(true, ordering: .relaxed) }
        var previous = sigaction()
        sigaction(SIGINT, &handler, &previous)
        var interrupt = sigset_t()
        sigemptyset(&interrupt)
        sigaddset(&interrupt, SIGINT)
        var previousMask = sigset_t()
        sigprocmask(SIG_UNBLOCK, &interrupt, &previousMask)
        defer {
            sigprocmask(SIG_SETMASK, &previousMask, nil)
            sigaction(SIGINT, &previous, nil)
        }
        return body() && !interrupted.load(ordering: .relaxed)
    }

    /// Sleeps `nanoseconds` unless SIGINT arrives; false when it did.
    private static func sleep(_ nanoseconds: UInt64) -> Bool {
        var remaining = timespec(tv_sec: Int(nanoseconds / 1_000_000_000), tv_nsec: Int(nanoseconds % 1_000_000_000))
        var left = timespec()
        while nanosleep(&remaining, &left) != 0 {
            if errno != EINTR || interrupted.load(ordering: .relaxed) { break }
            remaining = left
        }
        return !interrupted.load(ordering: .relaxed)
    }
}

/// The terminal's settings before a generation, put back after it: a generation killed by a signal (SIGSYS from the
/// guard) cannot leave raw mode or the alternate screen itself.
struct SavedTerminal {
    private var settings: termios?

    init() {
        var current = termios()
        if isatty(STDIN_FILENO) == 1, tcgetattr(STDIN_FILENO, &current) == 0 { settings = current }
    }

    func restore(afterSignal: Bool) {
        guard var settings else { return }
        tcsetattr(STDIN_FILENO, TCSANOW, &settings)
        if afterSignal, isatty(STDOUT_FILENO) == 1 {
            // Reset attributes, show the cursor, leave the alternate screen (what the live view's own restore writes).
            let leave = Array("\u{1B}[0m\u{1B}[?25h\u{1B}[?1049l".utf8)
            _ = leave.withUnsafeBytes { write(STDOUT_FILENO, $0.baseAddress, $0.count) }
        }
    }
}
