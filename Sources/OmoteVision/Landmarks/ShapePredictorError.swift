/// A landmark model file that cannot be used. Names the file, the byte offset and what was wrong, and says what to do.
public struct ShapePredictorError: Error, CustomStringConvertible, Equatable {
    public enum Kind: Sendable, Equatable {
        /// The file could not be opened, sized or mapped (`errno` in the reason).
        case unreadable
        /// The file ends before the model does.
        case truncated
        /// A field holds a value dlib itself could not have written (bad integer or float encoding, sizes that do not
        /// add up, an index out of range, a non-finite number, bytes after the model).
        case corrupt
        /// The file is a dlib shape predictor of a version this loader does not know (only version 1 exists).
        case unsupportedVersion(Int64)
        /// A valid-looking dlib shape predictor, but not one Omote can run (not 68 parts, uneven trees, …).
        case unsupportedModel
    }

    public let kind: Kind
    public let path: String
    /// Byte offset in the file where the problem was found (nil when it is about the whole file).
    public let offset: Int?
    public let reason: String

    public init(_ kind: Kind, path: String, offset: Int? = nil, reason: String) {
        self.kind = kind
        self.path = path
        self.offset = offset
        self.reason = reason
    }

    public var description: String {
        let at = offset.map { " at byte \($0)" } ?? ""
        let advice: String
        switch kind {
        case .unreadable: advice = "check the path and permissions (apt-get install libdlib-data ships it)"
        case .truncated, .corrupt:
            advice = "the file is damaged or not a dlib shape predictor: reinstall it (apt-get install --reinstall libdlib-data)"
        case .unsupportedVersion:
            advice = "expected a dlib shape_predictor (version 1), e.g. /usr/share/dlib/shape_predictor_68_face_landmarks.dat"
        case .unsupportedModel: advice = "use dlib's 68-point model /usr/share/dlib/shape_predictor_68_face_landmarks.dat"
        }
        return "\(path)\(at): \(reason); \(advice)"
    }
}
