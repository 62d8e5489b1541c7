import Glibc
import OmoteSolver

/// The pipeline stages the view times, in pipeline order.
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
public struct StageTimings: Sendable, Equatable {
    public var nanoseconds: SIMD8<UInt64> = .zero
    public init() {}
    public subscript(stage: PipelineStage) -> UInt64 {
        get { nanoseconds[stage.rawValue] }
        set { nanoseconds[stage.rawValue] = newValue }
    }
}

public enum TrackingState: Sendable, Equatable {
    case searching
    case tracking(faceID: Int)
    case lost
}

/// Everything the live view shows about the newest processed frame. A plain value: the processing thread publishes
/// it, the drawing thread copies it. Its `description` is redacted: it never reaches a log.
public struct LiveViewModel: Sendable, CustomStringConvertible {
    public var sourceName = ""
    public var frameSize = SIMD2<Int>(0, 0)
    public var tracking = TrackingState.searching
    public var weights = BlendshapeWeights()
    public var headPose = HeadPose()
    public var timings = StageTimings()
    public var framesPerSecond: Double = 0
    public var framesProcessed = 0
    public var framesDropped = 0
    public var guardSummary = "guard: not engaged"
    /// The solver's neutral calibration, while a face is tracked.
    public var calibration: CalibrationState?
    /// A one-line note from the session (end of clip, camera unplugged).
    public var statusNote = ""
    /// Capture → result latency of the newest frame (camera only), nanoseconds.
    public var latencyNanoseconds: UInt64 = 0

    public init() {}
    public var description: String { "LiveViewModel(redacted)" }
}

extension HeadPose {
    /// Yaw (about +y, right-hand), pitch (about +x) and roll (about +z) in degrees, from the rotation matrix
    /// R = Ry(yaw) · Rx(pitch) · Rz(roll) in the camera frame.
    var displayAnglesDegrees: SIMD3<Float> {
        let r = rotation
        // Row/column access: r.k is column k. Element (row i, column j) = r.j[i].
        let pitch = asinf(max(-1, min(1, -r.2.y)))
        let yaw = atan2f(r.2.x, r.2.z)
        let roll = atan2f(r.0.y, r.1.y)
        return SIMD3(yaw, pitch, roll) * (180 / .pi)
    }
}
