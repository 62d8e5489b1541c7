/// Where the guided per-user calibration stands (`c` in the live view, `--calibrate`): the prompt being held, the
/// time left on it, how the last calibration ended. Not expression data — no score or level — so it travels in frame
/// records and status lines; the offsets and gains the calibration learns stay in the sensor's private memory.
public struct CalibrationProgress: Sendable, Equatable, BitwiseCopyable {
    /// The prompts, in order. Each is held for `BlendshapeCalibration`'s step time while a face is tracked.
    public enum Step: UInt8, CaseIterable, Sendable, BitwiseCopyable {
        case neutral = 1
        case jawOpen, smile, pucker, browsUp, eyesClosed

        /// What the view asks the user to do (printable ASCII: it is drawn by the presenter).
        public var prompt: String {
            switch self {
            case .neutral: "relax your face, mouth closed"
            case .jawOpen: "open your mouth wide"
            case .smile: "smile widely"
            case .pucker: "pucker your lips (a kiss)"
            case .browsUp: "raise your eyebrows high"
            case .eyesClosed: "close both eyes"
            }
        }

        /// The shapes whose range this prompt measures (none for the neutral face, which sets every rest).
        public var shapes: [ARKitBlendshape] {
            switch self {
            case .neutral: []
            case .jawOpen: [.jawOpen]
            case .smile: [.mouthSmileLeft, .mouthSmileRight]
            case .pucker: [.mouthPucker]
            case .browsUp: [.browInnerUp, .browOuterUpLeft, .browOuterUpRight]
            case .eyesClosed: [.eyeBlinkLeft, .eyeBlinkRight]
            }
        }
    }

    /// How the last calibration ended.
    public enum Outcome: UInt8, Sendable, BitwiseCopyable {
        /// None has ended this session.
        case none = 0
        /// Its rest offsets and gains apply.
        case calibrated = 1
        /// The face was lost for too long: nothing learnt, the previous calibration (if any) still applies.
        case noFace = 2
    }

    /// The prompt being held; nil when no calibration runs.
    public var step: Step?
    /// Tenths of a second of tracked face left on this prompt.
    public var decisecondsLeft: UInt8 = 0
    public var outcome = Outcome.none
    /// Bit `step.rawValue` set for each expression prompt that was not performed (its scores moved less than the
    /// calibration needs): those shapes keep the rest offset only.
    public var skippedSteps: UInt8 = 0

    public init() {}

    /// The steps that were skipped, in order.
    public var skipped: [Step] { Step.allCases.filter { skippedSteps & (1 << $0.rawValue) != 0 } }

    /// One status line for a view: the prompt while calibrating, else how the last calibration ended; nil when
    /// there is nothing to say.
    public var statusLine: String? {
        if let step {
            return "calibration \(step.rawValue)/\(Step.allCases.count), "
                + "\(decisecondsLeft / 10).\(decisecondsLeft % 10) s: \(step.prompt)"
        }
        switch outcome {
        case .none: return nil
        case .calibrated:
            let skipped = skipped
            return skipped.isEmpty
                ? "calibrated for this session (c to redo)"
                : "calibrated; not seen: \(skipped.map { "\($0)" }.joined(separator: ", ")) (c to redo)"
        case .noFace: return "calibration stopped: no face for 5 s (c to retry)"
        }
    }
}
