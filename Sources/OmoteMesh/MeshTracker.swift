import OmoteCore
import OmoteNeural

/// MediaPipe Face Landmarker in VIDEO mode for one face: the detector runs only while no face is tracked; the
/// landmark network's presence decides whether the face is kept; the next frame's region comes from this frame's raw
/// landmarks; the reported landmarks are smoothed, and blendshapes and the facial transformation matrix are computed
/// from them. One deliberate difference: the presence bar (see `minimumPresenceLogit`). Buffers are sized at init.
/// Not thread-safe.
public final class MeshTracker {
    public let detector: FaceDetector
    public let landmarker: FaceLandmarker
    public let smoother = LandmarkSmoother()
    public let blendshapes: BlendshapeEstimator
    public let geometry: FaceGeometryPipeline

    /// Omote's bar on the landmark network's presence logit: 8 (presence ≥ 0.99966), not MediaPipe's 0.5 (logit 0).
    /// Why: at 0.5 MediaPipe reports a face on a cartoon (SampleFrames face_noface 163, logit 1.10), and Omote must
    /// never drive an avatar from one. Measured on every frame of the three sample clips (Docs/mesh.md): real faces
    /// ≥ 20.29 (tracked; 22.5 from a fresh detection), the same face with everything below the nose tip covered
    /// ≥ 14.95, cartoons ≤ 1.10 (the next highest −0.53, no_face 89). 8 sits in the middle of the gap between the
    /// covered face and the cartoon: ~7 logits (e^7 ≈ 1100× the odds) from either side. One bar for acquiring and
    /// keeping: the covered face stays far above it, so hysteresis buys nothing measurable here. The logit, not the
    /// sigmoid, is compared: on real faces float32's sigmoid is exactly 1.
    public var minimumPresenceLogit: Float = 8
    /// The landmark network's presence logit on the last frame; nil when it did not run (nothing tracked and no
    /// detection).
    public private(set) var presenceLogit: Float?

    /// The last frame's results (valid when `process` returned true).
    public private(set) var landmarks = MeshLandmarks()
    public private(set) var weights = BlendshapeWeights()
    public private(set) var transformation: FacialTransformationMatrix?
    /// Whether the last frame's face came from tracking (true) or a fresh detection (false).
    public private(set) var wasTracking = false

    private var rawLandmarks = MeshLandmarks()
    private var nextRegion: FaceRegion?

    public init(taskPath: String = FaceLandmarkerNetworks.defaultPath()) throws(OmoteError) {
        func network(_ member: String) throws(OmoteError) -> NeuralNetwork {
            do {
                return try TaskArchiveMember.network(named: member, archivePath: taskPath)
            } catch {
                throw OmoteError.meshModel(taskPath + ":" + member, "\(error)")
            }
        }
        detector = try FaceDetector(network: try network(FaceLandmarkerNetworks.detectorMember))
        landmarker = try FaceLandmarker(network: try network(FaceLandmarkerNetworks.landmarksMember))
        blendshapes = try BlendshapeEstimator(network: try network(FaceLandmarkerNetworks.blendshapesMember))
        geometry = try FaceGeometryPipeline(taskPath: taskPath)
    }

    /// Processes one frame at stream time `timestampMicroseconds`; true when a face is reported.
    public func process(_ image: RGBImageView, timestampMicroseconds: Int64) throws(OmoteError) -> Bool {
        let region: FaceRegion
        if let tracked = nextRegion {
            region = tracked
            wasTracking = true
        } else if let detection = try detector.detect(image).first {
            region = FaceRegion(detection: detection, frameWidth: image.width, frameHeight: image.height)
            wasTracking = false
        } else {
            presenceLogit = nil
            lose()
            return false
        }
        landmarker.locate(region, in: image, into: &rawLandmarks)
        presenceLogit = landmarker.presenceLogitValue
        guard landmarker.presenceLogitValue >= minimumPresenceLogit else {
            lose()
            return false
        }
        nextRegion = FaceRegion(landmarks: rawLandmarks, frameWidth: image.width, frameHeight: image.height)
        landmarks.points.withUnsafeMutableBufferPointer { target in
            rawLandmarks.points.withUnsafeBufferPointer { source in
                _ = target.update(fromContentsOf: source)
            }
        }
        smoother.smooth(
            &landmarks, timestampMicroseconds: timestampMicroseconds, frameWidth: image.width,
            frameHeight: image.height)
        try blendshapes.estimate(landmarks, frameWidth: image.width, frameHeight: image.height, into: &weights)
        transformation = try geometry.estimate(landmarks, frameWidth: image.width, frameHeight: image.height)
        return true
    }

    /// No face: the next frame runs the detector, and the smoother starts afresh (as MediaPipe's does).
    private func lose() {
        nextRegion = nil
        smoother.reset()
        transformation = nil
    }
}
