import OmoteCore

/// The failures of the vision layer: a face cascade or landmark model that cannot be used, or detector settings
/// OpenCV would refuse. Every error names the file and says what to do.
extension OmoteError.Code {
    /// No file at the cascade's path.
    public static let cascadeMissing = Self("cascade.missing")
    /// The cascade file exists but could not be read.
    public static let cascadeUnreadable = Self("cascade.unreadable")
    /// The cascade's bytes are not XML at all.
    public static let cascadeNotXML = Self("cascade.notXML")
    /// XML that ends early or breaks XML's rules (line number in the reason).
    public static let cascadeMalformedXML = Self("cascade.malformedXML")
    /// Well-formed XML that lacks a field of the cascade or holds a value that is not a number where one is due.
    public static let cascadeMalformed = Self("cascade.malformed")
    /// The pre-2.x `haarcascade` layout (`<trees>` of `<feature>` nodes), which OpenCV itself only reads through its
    /// legacy C code.
    public static let cascadeOldFormat = Self("cascade.oldFormat")
    /// A `featureType` other than HAAR or LBP (HOG cascades are not supported); the type is in the reason.
    public static let cascadeUnsupportedFeatureType = Self("cascade.unsupportedFeatureType")
    /// An index (feature, node, leaf, rectangle) that points outside its table or outside the detection window.
    public static let cascadeIndexOutOfRange = Self("cascade.indexOutOfRange")
    /// `FaceDetector.Parameters` that OpenCV would reject (scale factor ≤ 1, negative neighbours, …).
    public static let detectorInvalidParameters = Self("detector.invalidParameters")

    /// The landmark model could not be opened, sized or mapped (the errno is attached).
    public static let landmarkModelUnreadable = Self("landmarkModel.unreadable")
    /// The landmark model file ends before the model does.
    public static let landmarkModelTruncated = Self("landmarkModel.truncated")
    /// A field holds a value dlib itself could not have written (bad integer or float encoding, sizes that do not add
    /// up, an index out of range, a non-finite number, bytes after the model).
    public static let landmarkModelCorrupt = Self("landmarkModel.corrupt")
    /// A dlib shape predictor of a version this loader does not know (only version 1 exists; the version is in the
    /// reason).
    public static let landmarkModelUnsupportedVersion = Self("landmarkModel.unsupportedVersion")
    /// A valid-looking dlib shape predictor, but not one Omote can run (not 68 parts, uneven trees, …).
    public static let landmarkModelUnsupported = Self("landmarkModel.unsupported")
    /// The kernel refused the locked private memory the landmark fit works in (its limit is in the reason).
    public static let landmarkMemoryRefused = Self("landmarks.privateMemoryRefused")
}

extension OmoteError {
    /// A cascade file (or detector setting) that cannot be used.
    static func cascade(_ code: Code, path: String, reason: String) -> OmoteError {
        let remedy: String
        switch code {
        case .cascadeMissing, .cascadeUnreadable:
            remedy =
                "Check the path and permissions; the stock cascades come with Debian's opencv-data "
                + "(apt-get install opencv-data → /usr/share/opencv4/lbpcascades/lbpcascade_frontalface_improved.xml)."
        case .cascadeOldFormat:
            remedy =
                "Convert it to the OpenCV 2.x+ format (OpenCV's traincascade writes it) or use "
                + "/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml."
        case .cascadeUnsupportedFeatureType:
            remedy =
                "Use an LBP or HAAR cascade, e.g. /usr/share/opencv4/lbpcascades/lbpcascade_frontalface_improved.xml."
        case .cascadeIndexOutOfRange:
            remedy = "The cascade is corrupt: reinstall it (apt-get install --reinstall opencv-data)."
        case .detectorInvalidParameters:
            remedy = "Use scaleFactor > 1, minNeighbors ≥ 0 and minSize ≤ maxSize."
        default:
            remedy =
                "The file is damaged or not an OpenCV cascade: reinstall it (apt-get install --reinstall opencv-data)."
        }
        let operation = code == .detectorInvalidParameters ? "set up the face detector" : "load the face cascade"
        return OmoteError(code, operation: operation, subject: path, reason: reason, remedy: remedy)
    }

    /// The predictor's or tracker's private memory (the fitted face) was refused: a locked-memory limit.
    static func landmarkMemoryRefused(_ cause: OmoteError, subject: String) -> OmoteError {
        OmoteError(
            .landmarkMemoryRefused, operation: "reserve private memory for the face's landmarks", subject: subject,
            reason: cause.reason,
            remedy:
                "Raise the locked-memory limit (ulimit -l; `omote doctor` shows it) or pass --allow-swappable-memory."
        )
    }

    /// A landmark model file that cannot be used; `offset` is the byte where the problem was found (nil when it is
    /// about the whole file).
    static func landmarkModel(_ code: Code, path: String, offset: Int? = nil, reason: String) -> OmoteError {
        let remedy: String
        switch code {
        case .landmarkModelUnreadable:
            remedy = "Check the path and permissions (apt-get install libdlib-data ships it)."
        case .landmarkModelUnsupportedVersion:
            remedy =
                "Expected a dlib shape_predictor (version 1), e.g. /usr/share/dlib/shape_predictor_68_face_landmarks.dat."
        case .landmarkModelUnsupported:
            remedy = "Use dlib's 68-point model /usr/share/dlib/shape_predictor_68_face_landmarks.dat."
        default:
            remedy =
                "The file is damaged or not a dlib shape predictor: reinstall it (apt-get install --reinstall libdlib-data)."
        }
        let at = offset.map { "at byte \($0): " } ?? ""
        return OmoteError(
            code, operation: "load the landmark model", subject: path, reason: at + reason,
            remedy: remedy)
    }
}
