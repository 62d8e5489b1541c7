import OmoteCapture
import OmoteCore
import OmoteRig
import OmoteSolver
import OmoteVision

/// What the pipeline needs from detection and tracking: this frame's 68 landmarks of the tracked face.
public protocol FaceLandmarkSource: AnyObject {
    /// Finds the face in `image` and fits its landmarks into `landmarks`; records the detect/track and landmark stage
    /// times in `timings`. Returns the tracking state after this frame.
    func find(in image: LumaImage, landmarks: inout FaceLandmarks, timings: inout StageTimings) -> TrackingState
    /// Forgets the tracked face (a new clip, a camera restart).
    func reset()
}

/// The 68-point path's per-frame work: detect/track → landmarks → solve (pose, 52 weights, gaze) → rig deformation,
/// each stage timed. Allocates nothing per frame once running: every buffer lives in the stages and is reused.
public final class FacePipeline: FrameProcessor {
    public let finder: FaceLandmarkSource
    public let solver: FaceSolver
    public let rigModel: RigModel?
    public var pixelLayout: PixelLayout { .luma }
    public var tracking: FaceTracking { .landmarks68 }
    public var supportsCalibration: Bool { true }
    // This frame's landmarks and the solver's output: expression data, in private memory.
    private var landmarks: FaceLandmarks
    private let solverOutput: AlignedBuffer<FaceSolverOutput>
    private var wasTracking = false

    /// Maps the pipeline's private memory (landmarks, solver output); throws when the kernel refuses it.
    public init(finder: FaceLandmarkSource, solver: FaceSolver, rigModel: RigModel?) throws(OmoteError) {
        self.finder = finder
        self.solver = solver
        self.rigModel = rigModel
        landmarks = try FaceLandmarks()
        solverOutput = try AlignedBuffer(privateCount: 1, repeating: FaceSolverOutput())
    }

    public func beginCalibration() { solver.beginCalibration() }

    /// Forgets the face and the solver's state (a new clip).
    public func reset() {
        finder.reset()
        solver.reset()
        landmarks.wipe()
        solverOutput.wipe()
        wasTracking = false
    }

    public func process(
        _ frame: borrowing VideoFrame,
        delivery: FrameDelivery,
        into result: inout FaceFrameResult,
        rig: inout RigState?
    ) {
        let timestamp = frame.timestampNanoseconds
        frame.withImage { image in
            process(image, timestampNanoseconds: timestamp, into: &result, rig: &rig)
        }
    }

    /// The same work on a luma image the caller owns (benchmarks and tests replaying decoded frames).
    public func process(
        _ image: LumaImage,
        timestampNanoseconds timestamp: UInt64,
        into result: inout FaceFrameResult,
        rig: inout RigState?
    ) {
        result.timestampNanoseconds = timestamp
        let state = finder.find(in: image, landmarks: &landmarks, timings: &result.timings)
        result.tracking = state
        let solveStart = MonotonicClock.nanoseconds()
        if case .tracking = state {
            let output = solverOutput.baseAddress
            solver.solve(landmarks: landmarks, image: image, timestampNanoseconds: timestamp, into: &output.pointee)
            result.weights = output.pointee.weights
            result.headPose = output.pointee.headPose
            result.calibration = output.pointee.calibration
            wasTracking = true
        } else {
            if wasTracking {
                // The face is lost: its landmarks and fit are wiped, not left to linger until the next face.
                solver.reset()
                landmarks.wipe()
                solverOutput.wipe()
            }
            wasTracking = false
            // No face: the avatar relaxes to neutral rather than freezing mid-expression.
            result.weights.values *= 0.8
            result.weights.trackedMask = 0
            result.calibration = nil
        }
        let rigStart = MonotonicClock.nanoseconds()
        result.timings[.solve] = rigStart - solveStart
        if rig != nil { rig!.apply(weights: result.weights, headPose: result.headPose) }
        result.timings[.rig] = MonotonicClock.nanoseconds() - rigStart
    }

}
