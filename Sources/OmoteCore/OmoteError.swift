import SystemPackage

/// The one error shape every Omote layer throws: what failed, on which file/device/clip, why, and what to do, with
/// the errno as a typed value when a system call failed. Layers add their own `Code`s (e.g. `.cameraBusy`) in
/// extensions, so callers and tests match on `code` while users read one kind of message everywhere.
public struct OmoteError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A stable identifier of the failure ("camera.busy", "rig.malformedJSON"), declared by the layer that throws it.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }
    }

    public var code: Code
    /// What Omote was doing, as a verb phrase: "open the camera", "load the rig", "decode a frame".
    public var operation: String
    /// The file, device or clip concerned (empty when none applies).
    public var subject: String
    /// Why it failed, specifically: the call and its result, the offending field and its value.
    public var reason: String
    /// What the user can do about it.
    public var remedy: String
    /// The errno of the failing system call, when there was one.
    public var errno: Errno?

    public init(
        _ code: Code,
        operation: String,
        subject: String,
        reason: String,
        remedy: String,
        errno: Errno? = nil
    ) {
        self.code = code
        self.operation = operation
        self.subject = subject
        self.reason = reason
        self.remedy = remedy
        self.errno = errno
    }

    /// "cannot load the rig (avatar.glb): accessor 3 runs past its buffer. Re-export it …"
    public var description: String {
        let target = subject.isEmpty ? "" : " (\(subject))"
        let why = reason.hasSuffix(".") ? String(reason.dropLast()) : reason
        let errnoText = errno.map { " [\($0) (errno \($0.rawValue))]" } ?? ""
        let fix = remedy.isEmpty ? "" : " " + remedy
        return "cannot \(operation)\(target): \(why)\(errnoText).\(fix)"
    }
}
