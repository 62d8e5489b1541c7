/// The pipeline stages that are timed, in pipeline order.
public enum PipelineStage: Int, CaseIterable, Sendable {
    case decode, detectTrack, landmarks, solve, rig, draw

    public var label: String {
        switch self {
        case .decode: "decode"
        case .detectTrack: "detect/track"
        case .landmarks: "landmarks"
        case .solve: "solve"
        case .rig: "rig"
        case .draw: "draw"
        }
    }
}

/// Per-stage times of one frame, in nanoseconds (no heap storage: copied freely between threads).
public struct StageTimings: Sendable, Equatable, BitwiseCopyable {
    public var nanoseconds: SIMD8<UInt64> = .zero
    public init() {}
    public subscript(stage: PipelineStage) -> UInt64 {
        get { nanoseconds[stage.rawValue] }
        set { nanoseconds[stage.rawValue] = newValue }
    }
}

/// Whether a face is being followed.
public enum TrackingState: Sendable, Equatable, BitwiseCopyable {
    case searching
    case tracking(faceID: Int)
    case lost
}

/// What the per-frame core computes from one frame: the tracking state, the 52 weights, the head pose and the stage
/// times. A plain value (no heap storage, `BitwiseCopyable`, so it can live in private
/// memory: see `PrivateValue`), redacted in logs; views map it to what they draw.
public struct FaceFrameResult: Sendable, CustomStringConvertible, BitwiseCopyable {
    public var tracking = TrackingState.searching
    public var weights = BlendshapeWeights()
    public var headPose = HeadPose()
    public var timings = StageTimings()
    public var frameSize = SIMD2<Int>(0, 0)
    /// Capture time of the frame (CLOCK_MONOTONIC for a camera, nominal clip time for replay), nanoseconds.
    public var timestampNanoseconds: UInt64 = 0
    /// The guided calibration's prompt and outcome (not expression data).
    public var calibration = CalibrationProgress()

    public init() {}
    public var description: String { "FaceFrameResult(redacted)" }

    /// The same frame without its expression data (weights, head pose): what may be kept in
    /// ordinary memory and handed to status lines and summaries.
    public var withoutExpression: FaceFrameResult {
        var copy = FaceFrameResult()
        copy.tracking = tracking
        copy.timings = timings
        copy.frameSize = frameSize
        copy.timestampNanoseconds = timestampNanoseconds
        copy.calibration = calibration
        return copy
    }
}
