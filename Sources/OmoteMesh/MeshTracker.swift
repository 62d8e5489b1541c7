import OmoteCore
import OmoteNeural

/// MediaPipe Face Landmarker in VIDEO mode for one face: the detector runs only while no face is tracked; the
/// landmark network's presence decides whether the face is kept; the next frame's region comes from this frame's raw
/// landmarks; the reported landmarks are smoothed, and blendshapes and the facial transformation matrix are computed
/// from them. Deliberate differences: the presence bar and the second look (see `minimumPresenceLogit`). Buffers are
/// sized at init; nothing is allocated per frame. Not thread-safe.
public final class MeshTracker {
    public let detector: BlazeFaceDetector
    public let landmarker: FaceLandmarker
    public let smoother: LandmarkSmoother
    public let blendshapes: BlendshapeEstimator
    public let geometry: FaceGeometryPipeline

    /// Omote's bar on the landmark network's presence logit: 8 (presence ≥ 0.99966), not MediaPipe's 0.5 (logit 0).
    /// Why: at 0.5 MediaPipe reports a face on a cartoon (SampleFrames face_noface 163, logit 1.10), and Omote must
    /// never drive an avatar from one. Measured on every frame of the three sample clips (Docs/mesh.md): real faces
    /// ≥ 20.29, the same face with everything below the nose tip covered ≥ 14.95, cartoons ≤ 1.10 (the next highest
    /// −0.53, no_face 89). 8 sits in the middle of the gap between the covered face and the cartoon: ~7 logits
    /// (e^7 ≈ 1100× the odds) from either side. The logit, not the sigmoid, is compared: on real faces float32's
    /// sigmoid is exactly 1.
    ///
    /// The second look keeps small faces: from a detector box the crop is loose, and a face a third of single_face's
    /// size (at the detector's range limit) scores only 6.2 there, though 14–22 once tracked. So when a fresh
    /// detection's logit falls between MediaPipe's bar and this one, the network looks again at the region its own
    /// landmarks give (the crop tracking would use on the next frame), and that look decides. It pulls the two
    /// classes further apart: the small face 6.2 → 14.3, the cartoon 163 1.10 → −18.3 (no_face 89, 90: −0.53 →
    /// −7.7, −0.95 → −13.5).
    ///
    /// Keeping a face is easier than finding one (`keepsOccludedFaces`): a hand moving over a tracked face pulls the
    /// logit through the gap between MediaPipe's bar and this one (a hand over nose, mouth and eyes: 0.8–7.5), where
    /// MediaPipe keeps the face and the bar alone would drop it. So a face tracked on the previous frame, or found
    /// again within `keepingNanoseconds` of one, is held to MediaPipe's bar — with the second look as the guard: the
    /// look at the region its own landmarks give must score at least `keepingPresenceLogit` (0) too. The cartoon that
    /// scores 1.10 scores −18.3 on that look.
    public var minimumPresenceLogit: Float = 8
    public var keepsOccludedFaces = true
    public var keepingPresenceLogit: Float = 0
    public var keepingNanoseconds: Int64 = 1_000_000_000
    /// Whether the reported landmarks go through MediaPipe's smoothing (`smoother`), as they always do in a session.
    /// Off only to measure what the filter does: `omote bench`'s held-still jitter, with and without it.
    public var smoothsLandmarks = true
    /// MediaPipe's bar (`min_face_presence_confidence` 0.5) as a logit: below it a detection gets no second look.
    public static let mediaPipePresenceLogit: Float = 0
    /// The landmark network's presence logit on the last frame's region (the detector's or the tracked one); nil when
    /// it did not run (nothing tracked and no detection).
    public private(set) var presenceLogit: Float?
    /// The second look's logit on the last frame; nil when there was none.
    public private(set) var secondLookPresenceLogit: Float?

    /// The last frame's results (valid when `process` returned true).
    public private(set) var landmarks: MeshLandmarks
    /// The last frame's 52 scores and pose, kept in private memory (they are expression data).
    public var weights: BlendshapeWeights {
        get { privateWeights.value }
        set { privateWeights.value = newValue }
    }
    public private(set) var transformation: FacialTransformationMatrix? {
        get { privateTransformation.value }
        set { privateTransformation.value = newValue }
    }
    private let privateWeights: RigidPrivateBuffer<BlendshapeWeights>
    private let privateTransformation: RigidPrivateBuffer<FacialTransformationMatrix?>
    /// The three networks run one after another and read their outputs before the next runs, so they share one
    /// activation arena in private memory (the largest, 4.2 MB, instead of 6.5 MB).
    package let arena = SharedActivationArena()
    /// Whether anything computed from a face is held (set when a face is reported, cleared by the wipe).
    private var holdsFace = false
    /// Whether the last frame's face came from tracking (true) or a fresh detection (false).
    public private(set) var wasTracking = false
    /// Where the last frame's time went, in nanoseconds.
    public private(set) var stageTimes = StageTimes()

    /// The last frame's time per step, in nanoseconds.
    public struct StageTimes: Sendable, Equatable {
        /// The detector (0 while tracking: the region then comes from the previous landmarks).
        public var detection: UInt64 = 0
        /// Warp, landmark network and projection back to the frame.
        public var landmarks: UInt64 = 0
        /// Smoothing, blendshape network and the geometry pipeline.
        public var expression: UInt64 = 0
        public init() {}
    }

    private var rawLandmarks: MeshLandmarks
    private var nextRegion: FaceRegion?
    /// When a face was last reported (stream time): only a time, nothing about the face.
    private var lastFaceMicroseconds: Int64?

    public init(taskPath: String = FaceLandmarkerNetworks.defaultPath()) throws(OmoteError) {
        landmarks = try MeshLandmarks()
        rawLandmarks = try MeshLandmarks()
        privateWeights = try RigidPrivateBuffer(repeating: BlendshapeWeights())
        privateTransformation = try RigidPrivateBuffer(repeating: nil)
        smoother = try LandmarkSmoother()
        let arena = self.arena
        func network(_ member: String) throws(OmoteError) -> NeuralNetwork {
            try FaceLandmarkerNetworks.networks([member], archivePath: taskPath, sharing: arena)[0]
        }
        // The landmark network first: the largest arena sizes the shared one.
        landmarker = try FaceLandmarker(network: try network(FaceLandmarkerNetworks.landmarksMember))
        detector = try BlazeFaceDetector(network: try network(FaceLandmarkerNetworks.detectorMember))
        blendshapes = try BlendshapeEstimator(network: try network(FaceLandmarkerNetworks.blendshapesMember))
        geometry = try FaceGeometryPipeline(taskPath: taskPath)
    }

    /// Processes one frame at stream time `timestampMicroseconds`; true when a face is reported.
    public func process(_ image: RGBImage, timestampMicroseconds: Int64) throws(OmoteError) -> Bool {
        stageTimes = StageTimes()
        let started = MonotonicClock.nanoseconds()
        let region: FaceRegion
        if let tracked = nextRegion {
            region = tracked
            wasTracking = true
        } else {
            let detections = try detector.detect(image)
            // An index, not `first`: `first` heap-allocates in debug builds (unspecialised generic path).
            guard !detections.isEmpty else {
                stageTimes.detection = MonotonicClock.nanoseconds() - started
                presenceLogit = nil
                secondLookPresenceLogit = nil
                lose()
                return false
            }
            region = FaceRegion(detection: detections[0], frameWidth: image.width, frameHeight: image.height)
            wasTracking = false
        }
        let located = MonotonicClock.nanoseconds()
        stageTimes.detection = located - started
        landmarker.locate(region, in: image, into: &rawLandmarks)
        presenceLogit = landmarker.presenceLogit
        secondLookPresenceLogit = nil
        // A face reported on the previous frame or within `keepingNanoseconds` before this one.
        let keeping =
            keepsOccludedFaces
            && lastFaceMicroseconds.map { timestampMicroseconds - $0 <= keepingNanoseconds / 1000 } == true
        if landmarker.presenceLogit >= Self.mediaPipePresenceLogit, landmarker.presenceLogit < minimumPresenceLogit,
            !wasTracking || keeping
        {
            let refined = FaceRegion(landmarks: rawLandmarks, frameWidth: image.width, frameHeight: image.height)
            landmarker.locate(refined, in: image, into: &rawLandmarks)
            secondLookPresenceLogit = landmarker.presenceLogit
        }
        let expressionStarted = MonotonicClock.nanoseconds()
        // Both looks count as landmarks time.
        stageTimes.landmarks = expressionStarted - located
        let bar = keeping && secondLookPresenceLogit != nil ? keepingPresenceLogit : minimumPresenceLogit
        guard landmarker.presenceLogit >= bar else {
            lose()
            return false
        }
        defer { stageTimes.expression = MonotonicClock.nanoseconds() - expressionStarted }
        nextRegion = FaceRegion(landmarks: rawLandmarks, frameWidth: image.width, frameHeight: image.height)
        landmarks.withUnsafeMutableBufferPointer { target in
            rawLandmarks.withUnsafeBufferPointer { source in
                _ = target.update(fromContentsOf: source)
            }
        }
        if smoothsLandmarks {
            smoother.smooth(
                &landmarks, timestampMicroseconds: timestampMicroseconds, frameWidth: image.width,
                frameHeight: image.height)
        }
        try blendshapes.estimate(landmarks, frameWidth: image.width, frameHeight: image.height, into: &weights)
        transformation = try geometry.estimate(landmarks, frameWidth: image.width, frameHeight: image.height)
        holdsFace = true
        lastFaceMicroseconds = timestampMicroseconds
        return true
    }

    /// Forgets the face (a new clip, a camera restart): the next frame runs the detector, and a face found there must
    /// pass the full bar.
    public func reset() {
        lose()
        lastFaceMicroseconds = nil
    }

    /// No face: the next frame runs the detector, and the smoother starts afresh (as MediaPipe's does).
    /// Everything computed from the face is wiped: landmarks, scores, pose and the networks' activations (which hold
    /// the last crop).
    private func lose() {
        nextRegion = nil
        smoother.reset()
        transformation = nil
        // Once per lost face, not on every frame without one: the frame itself is in private memory anyway.
        guard holdsFace else { return }
        holdsFace = false
        privateWeights.wipe()
        landmarks.wipe()
        rawLandmarks.wipe()
        arena.wipe()
    }
}
