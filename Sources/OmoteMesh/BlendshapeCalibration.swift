import OmoteCore

/// The guided per-user calibration: a neutral face, then a few expressions on prompt (`CalibrationProgress.Step`),
/// each held for `stepNanoseconds` of tracked face. From the neutral face's highest scores it learns every shape's
/// rest offset; from each prompt's highest scores the range of the shapes it measures. Applied, a score becomes
/// clamp((score − offset) · gain, 0, 1), gain = 1 / (peak − offset) for a shape whose prompt was performed, else
/// 1 / (1 − offset): a relaxed face reads 0 and this user's widest expression 1.
///
/// Expression data: it lives only in `BlendshapeRefinement`'s private memory, for this session, and is never
/// written anywhere. A plain value so that it can.
public struct BlendshapeCalibration: Sendable, Equatable, BitwiseCopyable {
    /// Tracked-face time per prompt, and the first part of it left for getting there (not measured).
    static let stepNanoseconds: UInt64 = 2_500_000_000
    static let settleNanoseconds: UInt64 = 1_000_000_000
    /// Face lost this long in one calibration (after its first face frame) ends it without a result.
    static let lostLimitNanoseconds: UInt64 = 5_000_000_000
    /// A gap between frames longer than this counts only this much (a stalled camera is not face time).
    static let largestFrameStepNanoseconds: UInt64 = 100_000_000
    /// A prompt whose shapes rose less than this above their rest was not performed: gains stay at 1 / (1 − rest).
    static let smallestRange: Float = 0.15
    /// The highest rest offset taken (a face held in an expression is not neutral) and the largest gain.
    static let largestOffset: Float = 0.5
    static let largestGain: Float = 4

    /// What applies once a calibration has finished (until then nothing: `isApplied` false).
    private(set) var offsets = SIMD64<Float>()
    private(set) var gains = SIMD64<Float>(repeating: 1)
    public private(set) var progress = CalibrationProgress()

    // The calibration under way.
    private var pendingOffsets = SIMD64<Float>()
    private var pendingGains = SIMD64<Float>(repeating: 1)
    /// The highest scores seen in the measured part of this step.
    private var peak = SIMD64<Float>()
    private var measuredFrames = 0
    private var stepFaceNanoseconds: UInt64 = 0
    private var lostNanoseconds: UInt64 = 0
    private var lastTimestamp: UInt64?
    private var sawFace = false

    public init() {}

    /// Whether a finished calibration's offsets and gains apply (one that stopped without a face leaves the last
    /// finished one applying).
    public private(set) var isApplied = false
    /// Whether prompts are being followed.
    public var isRunning: Bool { progress.step != nil }

    /// Starts (or restarts) the prompts; what a previous calibration learnt applies until this one finishes.
    public mutating func start() {
        progress.step = .neutral
        progress.decisecondsLeft = UInt8(Self.stepNanoseconds / 100_000_000)
        progress.skippedSteps = 0
        pendingOffsets = SIMD64()
        pendingGains = SIMD64(repeating: 1)
        beginStep()
        lostNanoseconds = 0
        lastTimestamp = nil
        sawFace = false
    }

    private mutating func beginStep() {
        peak = SIMD64()
        measuredFrames = 0
        stepFaceNanoseconds = 0
    }

    /// One frame while calibrating: `weights` are the scores before calibration (nil: no face this frame), at the
    /// frame's `timestamp` (nanoseconds, any monotonic clock).
    public mutating func observe(_ weights: BlendshapeWeights?, at timestamp: UInt64) {
        guard let step = progress.step else { return }
        let elapsed = lastTimestamp.map { min(timestamp &- $0, Self.largestFrameStepNanoseconds) } ?? 0
        lastTimestamp = timestamp
        guard let weights else {
            // Lost time counts only once this calibration has seen the face (`--calibrate` waits for one).
            if sawFace { lostNanoseconds += elapsed }
            if lostNanoseconds >= Self.lostLimitNanoseconds {
                progress.step = nil
                progress.outcome = .noFace
            }
            return
        }
        sawFace = true
        stepFaceNanoseconds += elapsed
        if stepFaceNanoseconds >= Self.settleNanoseconds {
            peak = pointwiseMax(peak, weights.values)
            measuredFrames += 1
        }
        let left = Self.stepNanoseconds - min(stepFaceNanoseconds, Self.stepNanoseconds)
        progress.decisecondsLeft = UInt8((left + 99_999_999) / 100_000_000)
        guard stepFaceNanoseconds >= Self.stepNanoseconds else { return }
        finish(step)
    }

    /// Ends `step` with what it measured and moves to the next prompt (or applies the result after the last).
    private mutating func finish(_ step: CalibrationProgress.Step) {
        if step == .neutral {
            pendingOffsets = peak.clamped(lowerBound: .zero, upperBound: SIMD64(repeating: Self.largestOffset))
            pendingGains = 1 / (1 - pendingOffsets)
        } else {
            var performed = true
            for shape in step.shapes {
                performed = performed && peak[shape.rawValue] - pendingOffsets[shape.rawValue] >= Self.smallestRange
            }
            if performed && measuredFrames > 0 {
                for shape in step.shapes {
                    let index = shape.rawValue
                    pendingGains[index] = min(Self.largestGain, 1 / (peak[index] - pendingOffsets[index]))
                }
            } else {
                progress.skippedSteps |= 1 << step.rawValue
            }
        }
        if let next = CalibrationProgress.Step(rawValue: step.rawValue + 1) {
            progress.step = next
            progress.decisecondsLeft = UInt8(Self.stepNanoseconds / 100_000_000)
            beginStep()
        } else {
            progress.step = nil
            progress.outcome = .calibrated
            offsets = pendingOffsets
            gains = pendingGains
            isApplied = true
        }
    }

    /// Applies the calibration to the tracked shapes of `weights` (untracked ones stay 0).
    public func apply(to weights: inout BlendshapeWeights) {
        guard isApplied else { return }
        let calibrated = ((weights.values - offsets) * gains).clamped(
            lowerBound: .zero, upperBound: SIMD64(repeating: 1))
        var tracked = SIMDMask<SIMD64<Float>.MaskStorage>()
        for index in 0 ..< 52 { tracked[index] = weights.trackedMask & (1 << UInt64(index)) != 0 }
        weights.values.replace(with: calibrated, where: tracked)
    }
}

extension BlendshapeCalibration: CustomStringConvertible {
    /// Redacted: expression data never reaches a log line.
    public var description: String { "BlendshapeCalibration(redacted)" }
}
