import OmoteCore

extension OmoteError.Code {
    /// The model file is not where it was looked for.
    public static let neuralModelMissing = Self("neural.modelMissing")
    /// The model file is damaged or not the expected format (zip, FlatBuffer, tensor or operator fields).
    public static let neuralModelMalformed = Self("neural.modelMalformed")
    /// A well-formed graph uses an operator, option or tensor type this engine does not implement.
    public static let neuralUnsupported = Self("neural.unsupported")
    /// The kernel refused the locked private memory a network's activations need (RLIMIT_MEMLOCK).
    public static let neuralArenaRefused = Self("neural.arenaRefused")
}

extension OmoteError {
    /// The engine knows no model by name, so its remedies are generic; a module that knows where its model comes
    /// from replaces them (`replacingRemedy`).
    package static let fetchModelAgain = "Fetch the model file again and verify its checksum."

    /// A malformed model file. The one factory for every "this model file is not what we expected" error: the engine
    /// uses the defaults, a model's owner passes its own code, operation and remedy.
    package static func badModel(
        _ file: String, _ reason: String, code: Code = .neuralModelMalformed,
        operation: String = "read the model file", remedy: String = fetchModelAgain
    ) -> OmoteError {
        OmoteError(code, operation: operation, subject: file, reason: reason, remedy: remedy)
    }

    /// A well-formed graph using something this engine does not implement.
    static func unsupported(_ file: String, _ reason: String) -> OmoteError {
        OmoteError(
            .neuralUnsupported,
            operation: "plan the network",
            subject: file,
            reason: reason,
            remedy: "Use a float32 or float16 TFLite model made of the operators this engine implements."
        )
    }

    /// The same error with `remedy` in place of the engine's generic one.
    package func replacingRemedy(_ remedy: String) -> OmoteError {
        var copy = self
        copy.remedy = remedy
        return copy
    }
}
