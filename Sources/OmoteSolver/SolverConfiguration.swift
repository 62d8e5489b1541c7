import OmoteCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How the solver sees the camera and how it fits. Defaults suit a 640×360 UVC webcam at arm's length.
public struct FaceSolverConfiguration: Sendable {
    /// Horizontal field of view used to derive the focal length when `focalLengthPixels` is nil. 60° is the median
    /// of common UVC webcams (typically 55°–78° diagonal); a wrong FOV mostly biases distance, not weights.
    public var horizontalFieldOfViewDegrees: Float = 60
    /// Focal length in pixels of the image handed to `solve` (overrides the FOV).
    public var focalLengthPixels: Float?
    /// Gauss–Newton iterations per frame (warm-started from the previous frame).
    public var iterationsPerFrame = 3
    /// Iterations on the first frame after `reset()` (cold start from a frontal guess).
    public var iterationsAfterReset = 20
    /// Sweeps of projected coordinate descent over the weights per iteration.
    public var coordinateDescentSweeps = 16
    /// L2 penalty (mm² per unit weight²) pulling weights toward 0: under 1 % shrinkage on a mouth shape, ≈ 5 % on
    /// the small lid shapes, and it makes near-degenerate combinations pick the smaller explanation.
    public var expressionRegularization: Float = 0.5
    /// Learn the user's resting face automatically: fully over `warmUpSeconds`, then slowly.
    public var automaticNeutralAdaptation = true
    public var warmUpSeconds: Double = 1.0
    /// Time constant of the slow adaptation afterwards (only on near-neutral frames).
    public var adaptationTimeConstantSeconds: Double = 30
    /// Time constant of the identity-mode update (only on near-neutral frames).
    public var identityTimeConstantSeconds: Double = 2
    /// Length of an explicit calibration ("hold a neutral face").
    public var calibrationSeconds: Double = 2
    /// Locate pupils for eyeLook*.
    public var estimateGaze = true
    /// Smoothing of weights and pose; nil passes raw values.
    public var weightSmoothing: OneEuroParameters? = .weights
    public var poseSmoothing: OneEuroParameters? = .pose

    public init() {}

    /// Focal length for an image `width` pixels wide.
    public func focalLength(imageWidth: Int) -> Float {
        if let focalLengthPixels { return focalLengthPixels }
        return Float(imageWidth) * 0.5 / tanf(horizontalFieldOfViewDegrees * .pi / 360)
    }
}

/// What the solver reports each frame.
public struct FaceSolverFlags: OptionSet, Sendable, BitwiseCopyable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// The fit converged to a plausible pose this frame.
    public static let poseValid = FaceSolverFlags(rawValue: 1 << 0)
    /// A neutral face has been learned (warm-up finished or explicit calibration done).
    public static let neutralLearned = FaceSolverFlags(rawValue: 1 << 1)
    /// An explicit calibration is collecting frames.
    public static let calibrating = FaceSolverFlags(rawValue: 1 << 2)
    /// The left/right pupil was located this frame (eye open, enough contrast).
    public static let gazeLeftValid = FaceSolverFlags(rawValue: 1 << 3)
    public static let gazeRightValid = FaceSolverFlags(rawValue: 1 << 4)
}

/// Per-frame result. Not Codable; `description` is redacted (expression data never reaches a log).
public struct FaceSolverOutput: Sendable, CustomStringConvertible, BitwiseCopyable {
    public var weights = BlendshapeWeights()
    /// Head pose in the camera frame (for the rig's head bone).
    public var headPose = HeadPose()
    /// Pupil offsets from each eye's centre in eye widths (+x toward the subject's left, +y down), after neutral
    /// subtraction; meaningful when the matching gaze flag is set.
    public var gazeLeft: SIMD2<Float> = .zero
    public var gazeRight: SIMD2<Float> = .zero
    public var flags: FaceSolverFlags = []
    public var calibration: CalibrationState = .uncalibrated
    /// RMS distance between the fitted model and the landmarks, in pixels.
    public var reprojectionErrorPixels: Float = 0

    public init() {}
    public var description: String { "FaceSolverOutput(redacted)" }
}
