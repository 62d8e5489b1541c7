import OmoteCore
import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// How a forked process of a session ended (a sensor, a camera generation), and the errors of starting one.
extension SensorProcess {
    public enum Ending: Equatable, Sendable {
        case exited(Int32)
        case signalled(Int32)
    }

    /// Waits for the forked process `pid` to end.
    public static func wait(_ pid: pid_t) -> Ending {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return .exited(-1) }
        }
        let signal = status & 0x7F
        return signal == 0 ? .exited((status >> 8) & 0xFF) : .signalled(signal)
    }
}

extension SensorProcess.Ending {
    /// The exit code, when the process exited (not killed by a signal).
    public var exitCodeIfExited: Int32? {
        if case let .exited(code) = self { return code }
        return nil
    }

    /// Ends this process the way the generation ended: the same exit code, or the same signal (default action, no
    /// core file), so whoever waits for this process sees what happened to the generation.
    package func endThisProcess() -> Never {
        switch self {
        case let .exited(code):
            fflush(nil)
            _exit(code)
        case let .signalled(signalNumber):
            var noCore = rlimit(rlim_cur: 0, rlim_max: 0)
            setrlimit(__rlimit_resource_t(RLIMIT_CORE.rawValue), &noCore)
            signal(signalNumber, SIG_DFL)
            var unblock = sigset_t()
            sigemptyset(&unblock)
            sigaddset(&unblock, signalNumber)
            sigprocmask(SIG_UNBLOCK, &unblock, nil)
            raise(signalNumber)
            _exit(128 + signalNumber)
        }
    }
}

extension OmoteError.Code {
    /// The sensor process could not be started: no pipe for its channels, or no fork.
    public static let pipelineChildUnavailable = Self("pipeline.childUnavailable")
}

extension OmoteError {
    static func sensorUnavailable(_ reason: String, errno: Int32) -> OmoteError {
        OmoteError(
            .pipelineChildUnavailable,
            operation: "start the sensor process",
            subject: "",
            reason: reason,
            remedy: "Usually a process or descriptor limit (ulimit -u, ulimit -n) or low memory: close some programs "
                + "and retry.",
            errno: Errno(rawValue: errno)
        )
    }
}
