/// Why loading or planning a network failed: what failed, in which file, why, and what to do about it.
/// Shaped like the project's shared error (what / file / why / remedy) so it can be adopted by it later.
public struct NeuralError: Error, CustomStringConvertible, Equatable {
    public let what: String
    public let file: String
    public let why: String
    public let remedy: String

    public init(what: String, file: String, why: String, remedy: String) {
        self.what = what
        self.file = file
        self.why = why
        self.remedy = remedy
    }

    public var description: String { "\(what) (\(file)): \(why). \(remedy)" }

    /// A malformed or unsupported model file: the usual remedy is to fetch the expected model again.
    static func badModel(_ file: String, _ why: String) -> NeuralError {
        NeuralError(what: "cannot read the model", file: file, why: why,
                    remedy: "Run Scripts/setup.sh to fetch face_landmarker.task again and verify its SHA-256")
    }

    /// A well-formed graph using something this engine does not implement.
    static func unsupported(_ file: String, _ why: String) -> NeuralError {
        NeuralError(what: "unsupported network", file: file, why: why,
                    remedy: "Use MediaPipe Face Landmarker float16 v1; only its operators are implemented")
    }
}
