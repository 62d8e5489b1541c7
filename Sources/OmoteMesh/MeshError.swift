import OmoteCore
import OmoteNeural

extension OmoteError.Code {
    /// A mesh-tracker model or metadata file is missing, damaged or not the expected MediaPipe asset.
    public static let meshModelUnreadable = Self("mesh.modelUnreadable")
    /// Input to a mesh stage is unusable (wrong landmark count, empty frame size).
    public static let meshInputInvalid = Self("mesh.inputInvalid")
}

extension OmoteError {
    /// A damaged or unexpected face_landmarker.task member.
    static func meshModel(_ subject: String, _ reason: String) -> OmoteError {
        .badModel(
            subject, reason, code: .meshModelUnreadable, operation: "load the face mesh model",
            remedy: fetchFaceLandmarker)
    }
}

extension OmoteError {
    /// Throws unless a mesh stage got MediaPipe's 478 landmarks and a frame size in pixels.
    static func requireMeshInput(
        _ landmarks: borrowing MeshLandmarks, frameWidth: Int, frameHeight: Int, operation: String
    ) throws(OmoteError) {
        guard landmarks.count == MeshLandmarks.count, frameWidth > 0, frameHeight > 0 else {
            throw OmoteError(
                .meshInputInvalid,
                operation: operation,
                subject: "",
                reason: "\(landmarks.count) landmarks on a \(frameWidth)×\(frameHeight) frame",
                remedy: "Pass MediaPipe's 478 landmarks and the frame's size in pixels."
            )
        }
    }
}
