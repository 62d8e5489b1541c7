import OmoteCore
import SystemPackage

/// Which step of engaging the privacy guard failed, as `OmoteError` codes. Callers print the error and refuse to
/// capture or replay: Omote never reads a frame without the whole guard.
extension OmoteError.Code {
    /// More than one thread is running, or the threads cannot be counted (Landlock would not cover them all).
    public static let privacyThreadCheck = Self("privacy.threadCheck")
    /// prctl(PR_SET_NO_NEW_PRIVS) failed or did not stick.
    public static let privacyNoNewPrivileges = Self("privacy.noNewPrivileges")
    /// Core dumps or ptrace attach could not be turned off.
    public static let privacyCoreDumps = Self("privacy.coreDumps")
    /// Landlock is missing, disabled, or refused the ruleset.
    public static let privacyLandlock = Self("privacy.landlock")
    /// The camera node to leave writable cannot be opened or is not a character device.
    public static let privacyCameraNode = Self("privacy.cameraNode")
    /// The seccomp filter cannot be built for this machine or installed on every thread.
    public static let privacySeccomp = Self("privacy.seccomp")
    /// The guard is already engaged for another camera in this process.
    public static let privacyAlreadyEngaged = Self("privacy.alreadyEngaged")
    /// stdout/stderr is a socket, a status channel is not a pipe, or inherited descriptors cannot be closed.
    public static let privacyDescriptors = Self("privacy.descriptors")
    /// The omote command could not re-execute itself with an empty argument area (see `ArgumentArea`).
    public static let privacyArgumentArea = Self("privacy.argumentArea")
}

extension OmoteError {
    /// The guard could not be engaged at `step`: "cannot engage the privacy guard (Landlock): …".
    static func privacyGuard(_ step: Code, _ reason: String, errno: Int32? = nil) -> OmoteError {
        OmoteError(
            step,
            operation: "engage the privacy guard",
            subject: privacyStepName(step),
            reason: reason,
            remedy:
                "Omote refuses to read frames without the full guard; `omote doctor` shows what this kernel supports.",
            errno: errno.map { Errno(rawValue: $0) }
        )
    }

    private static func privacyStepName(_ step: Code) -> String {
        switch step {
        case .privacyThreadCheck: "thread check"
        case .privacyNoNewPrivileges: "no_new_privs"
        case .privacyCoreDumps: "core dumps"
        case .privacyLandlock: "Landlock"
        case .privacyCameraNode: "camera node"
        case .privacySeccomp: "seccomp"
        case .privacyAlreadyEngaged: "already engaged"
        case .privacyDescriptors: "descriptors"
        case .privacyArgumentArea: "argument area"
        default: step.rawValue
        }
    }
}
