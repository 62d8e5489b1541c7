import CGuardSelfTest
import Omote
import OmotePrivacy

#if canImport(Glibc)
import Glibc
#endif

/// The processing child's confinement (non-terminal output): a child engages with a status channel, tries to reach
/// stdout and stderr, and reports each errno through the channel — the only descriptor it may write.
enum ChildAttempts {
    static let acts = ["write-stdout", "write-stderr", "write-stdin", "ioctl-winsize-stdout", "channel-is-only-output"]

    static func run() -> [AttemptResult] {
        let started = try? ProcessingChild.start { writer in
            guard (try? PrivacyGuard.engage(cameraDevice: nil, statusChannel: writer.descriptor)) != nil else {
                return 2
            }
            func outcome(_ body: () -> Int) -> UInt64 {
                errno = 0
                return body() >= 0 ? 0 : UInt64(errno)
            }
            var size = winsize()
            let open = DescriptorHygiene.openDescriptors() ?? []
            let values = [
                outcome { Int(write(STDOUT_FILENO, "x", 1)) },
                outcome { Int(write(STDERR_FILENO, "x", 1)) },
                outcome { Int(write(STDIN_FILENO, "x", 1)) },
                outcome { omote_attempt_ioctl(STDOUT_FILENO, 0x5413 /* TIOCGWINSZ */, &size) },
                open == [0, 1, 2, writer.descriptor] ? 0 : UInt64(EEXIST),
            ]
            writer.send(StatusRecord(.clip, values: values))
            return 0
        }
        guard let (pid, channel) = started else {
            return [AttemptResult(scope: "child", act: "start", outcome: "failed", expected: "ok")]
        }
        var reader = StatusReader(descriptor: channel, maximumRecords: 1)
        let record = reader.next()
        close(channel)
        let ending = ProcessingChild.wait(pid)
        guard let record, ending == .exited(0) else {
            return [AttemptResult(scope: "child", act: "report", outcome: "\(ending)", expected: "exited(0)")]
        }
        let expected = ["EPERM", "EPERM", "EPERM", "EPERM", "ok"]
        return acts.enumerated().map { index, act in
            let code = Int32(truncatingIfNeeded: record.values[index])
            return AttemptResult(
                scope: "child", act: act, outcome: code == 0 ? "ok" : GuardAttempts.errnoName(code),
                expected: expected[index])
        }
    }
}
