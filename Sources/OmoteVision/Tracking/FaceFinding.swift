import OmoteCore

/// Something that finds face boxes in a luma image: the cascade detector, or a scripted double in tests.
public protocol FaceFinding: AnyObject {
    /// Replaces `faces` with the faces found in `image`, searching only inside `region` when it is given (image
    /// pixels; clipped to the image). Boxes are in image pixels, in the detector's own placement convention.
    /// Reuses `faces`' storage: no allocation once it has grown to the largest count seen.
    func findFaces(in image: LumaImage, within region: FaceRect?, into faces: inout [FaceRect])
    /// The same, considering only faces whose box side lies in `sides` (pixels): a search around a tracked face
    /// skips the many small scales a full search must try.
    func findFaces(
        in image: LumaImage, within region: FaceRect?, sides: ClosedRange<Float>, into faces: inout [FaceRect])
}

extension FaceFinding {
    /// Finders without a size-limited search filter a full search of the region.
    public func findFaces(
        in image: LumaImage, within region: FaceRect?, sides: ClosedRange<Float>, into faces: inout [FaceRect]
    ) {
        findFaces(in: image, within: region, into: &faces)
        faces.removeAll { !sides.contains($0.width) }
    }
}

/// Something that fits the 68 landmarks inside a face box and says how much it trusts the fit.
public protocol LandmarkFitting: AnyObject {
    /// Overwrites `landmarks` with the fit for the face in `rect` and returns a 0…1 quality (≥ 0.5: a face).
    func fitLandmarks(_ image: LumaImage, in rect: FaceRect, into landmarks: inout FaceLandmarks) -> Float
    /// The box to fit the next frame in, from this frame's landmarks (the placement the model was trained on).
    func trackingRect(for landmarks: FaceLandmarks) -> FaceRect
    /// Wipes whatever the fitter keeps of the last face it fitted (the tracker lost every face or was reset).
    func forgetFace()
}

extension LandmarkFitting {
    /// Fitters that keep nothing of a face have nothing to wipe.
    public func forgetFace() {}
}
