import OmoteCore

extension OmoteError.Code {
    /// The Face Landmarker `.task` file is not where it was looked for.
    public static let neuralModelMissing = Self("neural.modelMissing")
    /// The model file is damaged or not the expected format (zip, FlatBuffer, tensor or operator fields).
    public static let neuralModelMalformed = Self("neural.modelMalformed")
    /// A well-formed graph uses an operator, option or tensor type this engine does not implement.
    public static let neuralUnsupported = Self("neural.unsupported")
    /// The kernel refused the locked private memory a network's activations need (RLIMIT_MEMLOCK).
    public static let neuralArenaRefused = Self("neural.arenaRefused")
}

extension OmoteError {
    /// A malformed model file: the usual remedy is to fetch the expected model again.
    static func badModel(_ file: String, _ reason: String) -> OmoteError {
        OmoteError(
            .neuralModelMalformed,
            operation: "read the face landmarker model",
            subject: file,
            reason: reason,
            remedy: "Run Scripts/setup.sh to fetch face_landmarker.task again and verify its SHA-256."
        )
    }

    /// A well-formed graph using something this engine does not implement.
    static func unsupported(_ file: String, _ reason: String) -> OmoteError {
        OmoteError(
            .neuralUnsupported,
            operation: "plan the network",
            subject: file,
            reason: reason,
            remedy: "Use MediaPipe Face Landmarker float16 v1; only its operators are implemented."
        )
    }
}
