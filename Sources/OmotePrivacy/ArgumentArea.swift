import CPrivacyShim
import OmoteCore
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Keeps /proc/PID/cmdline and /proc/PID/environ from becoming a way out. Both show ordinary, writable memory at the
/// top of the main thread's stack (cmdline to every user), so code inside Omote could copy expression data there for
/// another process to poll — and no syscall rule can stop a store to memory.
///
/// So `omote` first re-executes itself (/proc/self/exe) with one empty argument and no environment, handing the real
/// ones over through an inherited memfd that the new image reads and closes at once (the environment is rebuilt with
/// setenv in heap memory, which environ never shows). The exec's file name is padded with slashes so that the strings
/// the kernel puts at the top of the stack — the empty argument, the file name and its 8-byte end marker — fill whole
/// pages, which the new image makes read-only and seals (mseal, Linux ≥ 6.10): neither it nor the sensor process it
/// forks can change a byte of what cmdline ("\0") and environ (nothing) show, nor unseal, unmap or remap the pages.
public enum ArgumentArea {
    /// What protects this process's argument and environment area.
    public enum Protection: Sendable, Equatable {
        /// Not attempted: the process did not start through the omote command (a library user, the test runner).
        case notAttempted
        /// Re-executed with one empty argument and no environment, and the `bytes` of strings at the top of the
        /// stack (whole pages) are read-only and sealed.
        case sealed(bytes: Int)
        /// Re-executed with one empty argument and no environment, but the strings could not be sealed (`reason`):
        /// they stay writable.
        case unsealed(reason: String)
        /// Not re-executed (`reason`): the area still holds the arguments and environment as the process got them.
        case failed(reason: String)
    }

    private static let state = Mutex<Protection>(.notAttempted)

    /// The protection `startup` achieved in this process (inherited by the children it forks).
    public static var protection: Protection { state.withLock { $0 } }

    /// The first thing the omote command does. In the image the user started it re-executes (and only returns when
    /// that fails: the guard then refuses to engage, naming why). In the re-executed image it restores the handed-over
    /// environment and process name, seals the argument area, and returns the arguments the user gave (argv[0] first).
    /// Throws only when the handoff is there but unreadable: the user's arguments are lost, so nothing may run.
    public static func startup() throws(OmoteError) -> [String] {
        let outcome: (arguments: [String], protection: Protection)
        if isReexecuted {
            outcome = try restore()
        } else {
            outcome = (CommandLine.arguments, .failed(reason: reexecute()))
        }
        LaunchArguments.record(outcome.arguments)
        state.withLock { $0 = outcome.protection }
        return outcome.arguments
    }

    /// Refuses to engage the guard in a process whose `startup` could not re-execute: frames must not exist while
    /// the argument area can still carry them out.
    static func checkBeforeEngaging() throws(OmoteError) {
        if case .failed(let reason) = protection {
            throw OmoteError.privacyGuard(.privacyArgumentArea, reason)
        }
    }

    /// A re-executed image has exactly one, empty, argument (the user's start always has argv[0], the program).
    private static var isReexecuted: Bool {
        CommandLine.argc == 1 && CommandLine.unsafeArgv[0].map { $0.pointee == 0 } ?? true
    }
}

extension ArgumentArea.Protection {
    /// One line for `omote doctor` and the guard's status: what cmdline and environ can carry.
    public var summary: String {
        switch self {
        case .notAttempted: "argument area: not re-executed (this process did not start as the omote command)"
        case .sealed(let bytes):
            "argument area: re-executed with one empty argument and no environment, the top \(bytes) bytes of the stack sealed read-only (mseal): /proc/PID/cmdline shows one constant NUL byte and environ nothing"
        case .unsealed(let reason):
            "argument area: re-executed with one empty argument and no environment, but not sealed (\(reason)): /proc/PID/cmdline can still show \(ArgumentArea.unsealedBytes) byte a process writes there (plus any LD_* variables), as often as another process reads it"
        case .failed(let reason): "argument area: \(reason)"
        }
    }

    /// The doctor's level: sealed is as good as it gets, unsealed engages with a warning, failed blocks the guard.
    public var level: PrivacyCapabilities.Finding.Level {
        switch self {
        case .notAttempted, .sealed: .ok
        case .unsealed: .warning
        case .failed: .required
        }
    }
}
