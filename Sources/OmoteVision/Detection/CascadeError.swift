/// A cascade file that cannot be used. Names the file and what was wrong, and says what to do.
public struct CascadeError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Kind: Sendable, Equatable {
        /// No file at the path.
        case missingFile
        /// The file exists but could not be read.
        case unreadable
        /// The bytes are not XML at all.
        case notXML
        /// XML that ends early or breaks XML's rules (line number in the reason).
        case malformedXML
        /// Well-formed XML that lacks a field of the cascade or holds a value that is not a number where one is due.
        case malformedCascade
        /// The pre-2.x `haarcascade` layout (`<trees>` of `<feature>` nodes), which OpenCV itself only reads through
        /// its legacy C code.
        case oldFormat
        /// A `featureType` other than HAAR or LBP (HOG cascades are not supported).
        case unsupportedFeatureType(String)
        /// An index (feature, node, leaf, rectangle) that points outside its table or outside the detection window.
        case indexOutOfRange
        /// `FaceDetector.Parameters` that OpenCV would reject (scale factor ≤ 1, negative neighbours, …).
        case invalidParameters
    }

    public let kind: Kind
    public let path: String
    public let reason: String

    public init(_ kind: Kind, path: String, reason: String) {
        self.kind = kind
        self.path = path
        self.reason = reason
    }

    public var description: String {
        let advice: String
        switch kind {
        case .missingFile, .unreadable:
            advice = "check the path and permissions; the stock cascades come with Debian's opencv-data "
                + "(apt-get install opencv-data → /usr/share/opencv4/lbpcascades/lbpcascade_frontalface_improved.xml)"
        case .notXML, .malformedXML, .malformedCascade:
            advice = "the file is damaged or not an OpenCV cascade: reinstall it (apt-get install --reinstall opencv-data)"
        case .oldFormat:
            advice = "convert it to the OpenCV 2.x+ format (OpenCV's traincascade writes it) or use "
                + "/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml"
        case .unsupportedFeatureType:
            advice = "use an LBP or HAAR cascade, e.g. /usr/share/opencv4/lbpcascades/lbpcascade_frontalface_improved.xml"
        case .indexOutOfRange:
            advice = "the cascade is corrupt: reinstall it (apt-get install --reinstall opencv-data)"
        case .invalidParameters:
            advice = "use scaleFactor > 1, minNeighbors ≥ 0 and minSize ≤ maxSize"
        }
        if path.isEmpty { return "cascade: \(reason); \(advice)" }
        return "cascade \(path): \(reason); \(advice)"
    }
}
