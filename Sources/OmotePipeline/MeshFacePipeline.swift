import OmoteCapture
import OmoteCore
import OmoteMesh
import OmoteRig

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The mesh path's per-frame work: MediaPipe Face Landmarker's pipeline on Omote's engine (detect or track → 478
/// landmarks → 52 blendshape scores and the facial transformation matrix), then rig deformation, each stage timed.
/// The scores, refined by `refinement` (geometric corrections and rest removal; nil for MediaPipe's raw scores), are
/// the weights the rig and the view get (eyeLook* turn the eye bones); the matrix gives the head pose. Both then pass
/// `outputSmoother` (One Euro filters tuned per group of shapes; nil for MediaPipe's raw output).
/// Stage times: detect/track = the detector (≈0 while tracking), landmarks = warp + landmark network, solve =
/// smoothing + blendshape network + geometry + refinement + output filters. Allocates nothing per frame once running.
public final class MeshFacePipeline: FrameProcessor {
    public let tracker: MeshTracker
    public let rigModel: RigModel?
    /// Omote's layer after the regressor; nil passes MediaPipe's scores through unchanged.
    public let refinement: BlendshapeRefinement?
    /// The One Euro filters on the weights and head pose after refinement; nil with `--raw-blendshapes` (MediaPipe's
    /// output as it is) or `--no-output-smoothing`.
    public let outputSmoother: OutputSmoother?
    /// Whether `outputSmoother` runs (the bench measures both ways); switching wipes its state.
    public var smoothsOutput = true {
        didSet { outputSmoother?.reset() }
    }
    /// The camera's horizontal field of view; nil keeps MediaPipe's 63° vertical.
    private let horizontalFieldOfViewDegrees: Float?
    private var cameraFrameSize = SIMD2<Int>(0, 0)
    private var faceID = 0
    private var wasTracking = false
    private var everTracked = false

    public init(
        tracker: MeshTracker, rigModel: RigModel?, refinement: BlendshapeRefinement? = nil,
        outputSmoother: OutputSmoother? = nil, horizontalFieldOfViewDegrees: Float? = nil
    ) {
        self.tracker = tracker
        self.rigModel = rigModel
        self.refinement = refinement
        self.outputSmoother = outputSmoother
        self.horizontalFieldOfViewDegrees = horizontalFieldOfViewDegrees
    }

    /// Starts the guided calibration (`c`, `--calibrate`); nothing with `--raw-blendshapes`, which has no refinement.
    public func startCalibration() { refinement?.startCalibration() }

    public func reset() {
        tracker.reset()
        refinement?.reset()
        outputSmoother?.reset()
        wasTracking = false
        everTracked = false
    }

    public func process(
        _ frame: borrowing VideoFrame,
        delivery: FrameDelivery,
        into result: inout FaceFrameResult,
        rig: inout RigState?
    ) {
        let timestamp = frame.timestampNanoseconds
        frame.withRGBImage { image in
            process(image, timestampNanoseconds: timestamp, into: &result, rig: &rig)
        }
    }

    /// The same work on an RGB image the caller owns (benchmarks and tests replaying decoded frames).
    public func process(
        _ image: RGBImage,
        timestampNanoseconds timestamp: UInt64,
        into result: inout FaceFrameResult,
        rig: inout RigState?
    ) {
        result.timestampNanoseconds = timestamp
        matchCamera(width: image.width, height: image.height)
        let found: Bool
        do {
            found = try tracker.process(image, timestampMicroseconds: Int64(timestamp / 1000))
        } catch {
            // Only landmark counts or frame sizes the tracker did not make itself throw: not reachable from a frame.
            assertionFailure("mesh tracker: \(error)")
            found = false
        }
        let times = tracker.stageTimes
        result.timings[.detectTrack] = times.detection
        result.timings[.landmarks] = times.landmarks
        result.timings[.solve] = times.expression
        if found {
            if !wasTracking { faceID += 1 }
            wasTracking = true
            everTracked = true
            result.tracking = .tracking(faceID: faceID)
            result.weights = tracker.weights
            let transformation = tracker.transformation
            // Refinement and output filters count towards solve, so a bench sees what they cost.
            let refineStart = MonotonicClock.nanoseconds()
            refinement?.refine(
                &result.weights, geometry: tracker.geometry, transformation: transformation,
                timestampNanoseconds: timestamp)
            if let transformation { result.headPose = transformation.headPose }
            if smoothsOutput, let outputSmoother {
                outputSmoother.smooth(&result.weights, at: timestamp)
                // Without a pose this frame the last (filtered) one stays and the pose filter skips the frame.
                if transformation != nil { outputSmoother.smooth(&result.headPose, at: timestamp) }
            }
            result.timings[.solve] += MonotonicClock.nanoseconds() - refineStart
        } else {
            result.tracking = everTracked ? .lost : .searching
            wasTracking = false
            // What was learnt about this face is expression data: gone with the face (a calibration is the user's, for
            // the session; its prompts count the time without a face).
            refinement?.reset()
            outputSmoother?.reset()
            refinement?.observeNoFace(at: timestamp)
            // No face: the avatar relaxes to neutral rather than freezing mid-expression.
            result.weights.values *= 0.8
            result.weights.trackedMask = 0
        }
        result.calibration = refinement?.calibrationProgress ?? CalibrationProgress()
        let rigStart = MonotonicClock.nanoseconds()
        if rig != nil { rig!.apply(weights: result.weights, headPose: result.headPose) }
        result.timings[.rig] = MonotonicClock.nanoseconds() - rigStart
    }

    /// A horizontal field of view becomes the geometry pipeline's vertical one for this frame's aspect ratio.
    private func matchCamera(width: Int, height: Int) {
        guard let horizontal = horizontalFieldOfViewDegrees, SIMD2(width, height) != cameraFrameSize else { return }
        cameraFrameSize = SIMD2(width, height)
        let halfHorizontal = horizontal * .pi / 360
        let vertical = 2 * atanf(tanf(halfHorizontal) * Float(height) / Float(width)) * 180 / .pi
        tracker.geometry.camera.verticalFieldOfViewDegrees = vertical
    }
}

extension MeshFacePipeline {
    /// Loads MediaPipe's networks and face geometry from the .task file and, with `rig`, the avatar (a sensor
    /// process loads no rig: its presenter drives it).
    public static func load(
        _ configuration: PipelineConfiguration, rig loadsRig: Bool = true, progress: (String) -> Void
    ) throws(OmoteError) -> MeshFacePipeline {
        let started = MonotonicClock.nanoseconds()
        progress("loading face mesh model \(configuration.meshModelPath)…")
        let tracker = try MeshTracker(taskPath: configuration.meshModelPath)
        let refinement = configuration.rawBlendshapes ? nil : try BlendshapeRefinement()
        if configuration.calibratesAtStart { refinement?.startCalibration() }
        // The raw path is MediaPipe's weights and pose bit for bit: no filter after the landmarks' own.
        let smoother = configuration.rawBlendshapes || !configuration.smoothsOutput ? nil : try OutputSmoother()
        let rig = loadsRig ? try RigModel.load(avatarAt: configuration.avatarPath, progress: progress) : nil
        progress(
            "models loaded in \(Int((Double(MonotonicClock.nanoseconds() - started) / 1e6).rounded())) ms")
        return MeshFacePipeline(
            tracker: tracker, rigModel: rig, refinement: refinement, outputSmoother: smoother,
            horizontalFieldOfViewDegrees: configuration.horizontalFieldOfViewDegrees)
    }
}
