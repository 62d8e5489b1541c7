#if canImport(Glibc)
import Glibc
#endif

/// Where expression data (landmarks, pose, blendshape weights) may be shown: only drawn on an interactive terminal.
/// When stdout is a pipe, file, socket or other device, the pipeline prints status and timings only, and says why.
public enum OutputPolicy {
    /// True only when stdout is an interactive terminal.
    public static var expressionDataAllowed: Bool { decision().allowed }
    /// Why expression data is withheld (nil when it is allowed), for the one status line that says so.
    public static var expressionDataWithheldReason: String? { decision().reason }

    /// The decision for stdout as it is now.
    public static func decision() -> OutputDecision {
        decision(isTerminal: isatty(STDOUT_FILENO) == 1, kind: StreamKind.of(descriptor: STDOUT_FILENO))
    }

    /// The decision for a stdout with the given properties (pure; tests drive it directly).
    public static func decision(isTerminal: Bool, kind: StreamKind) -> OutputDecision {
        if isTerminal { return OutputDecision(allowed: true, reason: nil) }
        return OutputDecision(
            allowed: false,
            reason:
                "stdout is \(kind.phrase), not an interactive terminal: expression data (landmarks, pose, weights) is only drawn on a terminal, so only status and timings are printed"
        )
    }

    /// What a file descriptor refers to, for the explanation.
    public enum StreamKind: Sendable, Equatable {
        case pipe, regularFile, socket, characterDevice, closed, other

        public static func of(descriptor: Int32) -> StreamKind {
            var info = stat()
            guard fstat(descriptor, &info) == 0 else { return .closed }
            switch info.st_mode & S_IFMT {
            case S_IFIFO: return .pipe
            case S_IFREG: return .regularFile
            case S_IFSOCK: return .socket
            case S_IFCHR: return .characterDevice
            default: return .other
            }
        }

        var phrase: String {
            switch self {
            case .pipe: "a pipe"
            case .regularFile: "a file"
            case .socket: "a socket"
            case .characterDevice: "a device that is not a terminal"
            case .closed: "closed"
            case .other: "not a terminal"
            }
        }
    }
}

public struct OutputDecision: Sendable, Equatable {
    public let allowed: Bool
    public let reason: String?
}
