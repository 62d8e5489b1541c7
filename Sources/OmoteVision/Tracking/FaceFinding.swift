import OmoteCapture

/// Something that finds face boxes in a luma image: the cascade detector, or a scripted double in tests.
public protocol FaceFinding: AnyObject {
    /// Replaces `faces` with the faces found in `image`, searching only inside `region` when it is given (image
    /// pixels; clipped to the image). Boxes are in image pixels, in the detector's own placement convention.
    /// Reuses `faces`' storage: no allocation once it has grown to the largest count seen.
    func findFaces(in image: LumaImage, within region: FaceRect?, into faces: inout [FaceRect])
}

/// Something that fits the 68 landmarks inside a face box and says how much it trusts the fit.
public protocol LandmarkFitting: AnyObject {
    /// Overwrites `landmarks` with the fit for the face in `rect` and returns a 0…1 quality (≥ 0.5: a face).
    func fitLandmarks(_ image: LumaImage, in rect: FaceRect, into landmarks: inout FaceLandmarks) -> Float
    /// The box to fit the next frame in, from this frame's landmarks (the placement the model was trained on).
    func trackingRect(for landmarks: FaceLandmarks) -> FaceRect
}
