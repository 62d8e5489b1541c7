import OmoteCore
import OmoteNeural

/// MediaPipe Face Landmarker in VIDEO mode for one face: the detector runs only while no face is tracked; the
/// landmark network's presence (≥ 0.5) decides whether the face is kept; the next frame's region comes from this
/// frame's raw landmarks; the reported landmarks are smoothed, and blendshapes and the facial transformation matrix
/// are computed from them. Buffers are sized at init. Not thread-safe.
public final class MeshTracker {
    public let detector: BlazeFaceDetector
    public let landmarker: FaceLandmarker
    public let smoother = LandmarkSmoother()
    public let blendshapes: BlendshapeEstimator
    public let geometry: FaceGeometryPipeline

    /// MediaPipe's `min_face_presence_confidence` default.
    public var minimumPresence: Float = 0.5

    /// The last frame's results (valid when `process` returned true).
    public private(set) var landmarks = MeshLandmarks()
    public private(set) var weights = BlendshapeWeights()
    public private(set) var transformation: FacialTransformationMatrix?
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

    private var rawLandmarks = MeshLandmarks()
    private var nextRegion: FaceRegion?

    public init(taskPath: String = FaceLandmarkerNetworks.defaultPath()) throws(OmoteError) {
        func network(_ member: String) throws(OmoteError) -> NeuralNetwork {
            do {
                return try TaskArchiveMember.network(named: member, archivePath: taskPath)
            } catch let error as OmoteError {
                throw error  // already names the file, what is wrong and what to do
            } catch {
                throw OmoteError.meshModel(taskPath + ":" + member, "\(error)")
            }
        }
        detector = try BlazeFaceDetector(network: try network(FaceLandmarkerNetworks.detectorMember))
        landmarker = try FaceLandmarker(network: try network(FaceLandmarkerNetworks.landmarksMember))
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
        } else if let detection = try detector.detect(image).first {
            region = FaceRegion(detection: detection, frameWidth: image.width, frameHeight: image.height)
            wasTracking = false
        } else {
            stageTimes.detection = MonotonicClock.nanoseconds() - started
            lose()
            return false
        }
        let located = MonotonicClock.nanoseconds()
        stageTimes.detection = located - started
        let presence = landmarker.locate(region, in: image, into: &rawLandmarks)
        let expressionStarted = MonotonicClock.nanoseconds()
        stageTimes.landmarks = expressionStarted - located
        guard presence >= minimumPresence else {
            lose()
            return false
        }
        defer { stageTimes.expression = MonotonicClock.nanoseconds() - expressionStarted }
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

    /// Forgets the face (a new clip, a camera restart): the next frame runs the detector.
    public func reset() { lose() }

    /// No face: the next frame runs the detector, and the smoother starts afresh (as MediaPipe's does).
    private func lose() {
        nextRegion = nil
        smoother.reset()
        transformation = nil
    }
}
