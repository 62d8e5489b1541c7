import OmoteCore
import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// When stdout/stderr are not a terminal, frame processing runs in a child process that cannot write to them: the
/// child (forked while the process is still single-threaded, before either side engages its guard) keeps only the
/// write end of a pipe, engages the guard with that pipe as its one writable descriptor (stdin, stdout and stderr
/// become /dev/null, read-only), and reports fixed-format `StatusRecord`s. The parent, which never holds a frame,
/// engages its own guard, checks each record and prints status and timings.
public enum ProcessingChild {
    /// How the child ended.
    public enum Ending: Equatable, Sendable {
        case exited(Int32)
        case signalled(Int32)
    }

    /// Forks. In the child, runs `body` with the channel's writer and exits with its result (never returns there).
    /// In the parent, returns the child's pid and the channel's read end.
    public static func start(_ body: (StatusWriter) -> Int32) throws(OmoteError) -> (
        pid: pid_t, channel: Int32
    ) {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { throw .processingChild("pipe() for its status channel failed", errno: errno) }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        fflush(nil)  // the child must not flush the parent's buffered output a second time
        let pid = fork()
        if pid < 0 {
            let code = errno
            close(ends[0])
            close(ends[1])
            throw .processingChild("fork() failed", errno: code)
        }
        if pid == 0 {
            close(ends[0])
            exit(body(StatusWriter(descriptor: ends[1])))
        }
        close(ends[1])
        return (pid, ends[0])
    }

    /// Waits for the child to end.
    public static func wait(_ pid: pid_t) -> Ending {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return .exited(-1) }
        }
        let signal = status & 0x7F
        return signal == 0 ? .exited((status >> 8) & 0xFF) : .signalled(signal)
    }
}

extension OmoteError.Code {
    /// The processing child (non-terminal output) or the sensor process (a terminal) could not be started: no pipe
    /// for its channel, or no fork.
    public static let pipelineChildUnavailable = Self("pipeline.childUnavailable")
}

extension OmoteError {
    static func processingChild(_ reason: String, errno: Int32) -> OmoteError {
        OmoteError(
            .pipelineChildUnavailable,
            operation: "start the processing child",
            subject: "",
            reason: reason,
            remedy: "Usually a process or descriptor limit (ulimit -u, ulimit -n) or low memory: close some programs "
                + "and retry.",
            errno: Errno(rawValue: errno)
        )
    }
}
