import Foundation
import OmoteCapture
import OmoteCore
import OmoteRig
import OmoteSolver
import OmoteView
import OmoteVision

/// dlib's predictor as the tracker's landmark fitter, timing its own calls so the pipeline can report the landmark
/// stage separately from detection and tracking.
final class TimedLandmarkFitter: LandmarkFitting {
    let predictor: ShapePredictor
    var nanoseconds: UInt64 = 0

    init(predictor: ShapePredictor) { self.predictor = predictor }

    func fitLandmarks(_ image: LumaImage, in rect: FaceRect, into landmarks: inout FaceLandmarks) -> Float {
        let started = MonotonicClock.nanoseconds()
        predictor.predict(image, in: rect, into: &landmarks)
        let quality = predictor.fitQuality(image, landmarks: landmarks)
        nanoseconds += MonotonicClock.nanoseconds() - started
        return quality
    }

    func trackingRect(for landmarks: FaceLandmarks) -> FaceRect { predictor.trackingRect(for: landmarks) }

    func forgetFace() { predictor.wipe() }
}

/// The face the pipeline follows: the tracker's oldest face (the one that has been there longest keeps the avatar).
public final class TrackedLandmarkSource: FaceLandmarkSource {
    public let tracker: FaceTracker
    private let fitter: TimedLandmarkFitter
    private var everTracked = false

    /// Maps the tracker's private landmark memory; throws when the kernel refuses it.
    public init(detector: FaceDetector, predictor: ShapePredictor, configuration: FaceTracker.Configuration)
        throws(OmoteError)
    {
        fitter = TimedLandmarkFitter(predictor: predictor)
        tracker = try FaceTracker(finder: detector, fitter: fitter, configuration: configuration)
    }

    public func reset() {
        tracker.reset()
        everTracked = false
    }

    public func find(in image: LumaImage, landmarks: inout FaceLandmarks, timings: inout StageTimings) -> TrackingState
    {
        fitter.nanoseconds = 0
        let started = MonotonicClock.nanoseconds()
        let faces = tracker.update(with: image)
        let total = MonotonicClock.nanoseconds() - started
        timings[.landmarks] = fitter.nanoseconds
        timings[.detectTrack] = total - min(total, fitter.nanoseconds)
        guard let face = faces.min(by: { $0.id < $1.id }) else { return everTracked ? .lost : .searching }
        everTracked = true
        // Element-wise copy: sharing the tracker's array would make its next in-place fit copy (allocate).
        face.landmarks.withUnsafeBufferPointer { source in
            landmarks.withUnsafeMutableBufferPointer { target in
                for i in 0 ..< FaceLandmarks.count { target[i] = source[i] }
            }
        }
        return .tracking(faceID: face.id)
    }
}

extension FacePipeline {
    /// The 68-point path: loads the landmark model, the face cascade and the avatar, reporting slow steps through `progress`.
    public static func load(_ configuration: PipelineConfiguration, progress: (String) -> Void) throws -> FacePipeline {
        let started = MonotonicClock.nanoseconds()
        progress("loading landmark model \(configuration.landmarkModelPath)…")
        let predictor = try ShapePredictor(contentsOfFile: configuration.landmarkModelPath)
        let cascade = try CascadeClassifier(contentsOfFile: configuration.cascadePath)
        let detector = try FaceDetector(cascade: cascade)
        var trackerConfiguration = FaceTracker.Configuration()
        if let calibration = BoxCalibration.forCascade(atPath: configuration.cascadePath) {
            trackerConfiguration.detectionCalibration = calibration
        } else {
            progress("note: no box calibration for \(configuration.cascadePath); landmarks may be less accurate")
        }
        let rig = try RigModel.load(avatarAt: configuration.avatarPath, progress: progress)
        let source = try TrackedLandmarkSource(
            detector: detector, predictor: predictor, configuration: trackerConfiguration)
        progress(String(format: "models loaded in %.0f ms", Double(MonotonicClock.nanoseconds() - started) / 1e6))
        return try FacePipeline(
            finder: source, solver: try FaceSolver(configuration: configuration.solver), rigModel: rig)
    }
}

extension RigModel {
    /// The avatar at `path` (glTF, GLB or VRM), or the built-in one for nil.
    static func load(avatarAt path: String?, progress: (String) -> Void) throws -> RigModel {
        guard let path else { return RigModel.defaultAvatar() }
        progress("loading avatar \(path)…")
        return try RigModel.load(contentsOfFile: path)
    }
}
