import OmoteCore

/// The output filters' parameters: per group of shapes for the weights (each group's lanes get its One Euro
/// settings), and the head pose's. `tuned` is what `omote bench`'s measurements chose (Docs/fidelity.md, *Output
/// smoothing*).
public struct OutputSmoothingParameters: Sendable, Equatable {
    /// One Euro settings: cutoff at rest (Hz), rise of the cutoff per unit of speed, the speed's cutoff (Hz).
    public struct Setting: Sendable, Equatable {
        public var minimumCutoff: Float
        public var beta: Float
        public var derivativeCutoff: Float

        public init(minimumCutoff: Float, beta: Float, derivativeCutoff: Float = 1) {
            self.minimumCutoff = minimumCutoff
            self.beta = beta
            self.derivativeCutoff = derivativeCutoff
        }
    }

    /// The groups of shapes that share a setting.
    public enum Group: Int, CaseIterable, Sendable {
        /// eyeBlink, eyeSquint, eyeWide: a blink lasts a few frames and its peak must survive.
        case eyelids
        /// eyeLook*: gaze.
        case gaze
        /// jaw*, mouth*, tongueOut.
        case mouth
        /// brow*, cheek*, noseSneer*.
        case browsAndCheeks

        public var name: String {
            switch self {
            case .eyelids: "eyelids"
            case .gaze: "gaze"
            case .mouth: "mouth/jaw"
            case .browsAndCheeks: "brows/cheeks"
            }
        }

        public init(_ shape: ARKitBlendshape) {
            switch shape {
            case .eyeBlinkLeft, .eyeBlinkRight, .eyeSquintLeft, .eyeSquintRight, .eyeWideLeft, .eyeWideRight:
                self = .eyelids
            case .eyeLookDownLeft, .eyeLookDownRight, .eyeLookInLeft, .eyeLookInRight, .eyeLookOutLeft,
                .eyeLookOutRight, .eyeLookUpLeft, .eyeLookUpRight:
                self = .gaze
            case .browDownLeft, .browDownRight, .browInnerUp, .browOuterUpLeft, .browOuterUpRight, .cheekPuff,
                .cheekSquintLeft, .cheekSquintRight, .noseSneerLeft, .noseSneerRight:
                self = .browsAndCheeks
            default:
                self = .mouth
            }
        }

        /// The shapes in this group.
        public var shapes: [ARKitBlendshape] { ARKitBlendshape.allCases.filter { Group($0) == self } }
    }

    /// Per group, in `Group` order.
    public let groups: [Setting]
    /// Translation (mm; the same on each axis) and rotation (rad/s for beta).
    public let translation: Setting
    public let rotation: Setting

    public init(groups: [Setting], translation: Setting, rotation: Setting) {
        precondition(groups.count == Group.allCases.count, "one setting per group")
        self.groups = groups
        self.translation = translation
        self.rotation = rotation
        weights = Self.lanes(groups)
        pose = HeadPoseFilter.Parameters(
            translation: OneEuroLanes.Parameters(
                minimumCutoff: SIMD16(repeating: translation.minimumCutoff), beta: SIMD16(repeating: translation.beta),
                derivativeCutoff: SIMD16(repeating: translation.derivativeCutoff)),
            rotationMinimumCutoff: rotation.minimumCutoff, rotationBeta: rotation.beta,
            rotationDerivativeCutoff: rotation.derivativeCutoff)
    }

    /// The same settings laid out per lane for the filters (computed once, not per frame).
    public let weights: WeightsOneEuroFilter.Parameters
    public let pose: HeadPoseFilter.Parameters

    /// Lanes past the 52 shapes get cutoff 0: they hold 0 and stay there.
    private static func lanes(_ groups: [Setting]) -> WeightsOneEuroFilter.Parameters {
        var minimumCutoff = SIMD64<Float>()
        var beta = SIMD64<Float>()
        var derivativeCutoff = SIMD64<Float>()
        for shape in ARKitBlendshape.allCases {
            let setting = groups[Group(shape).rawValue]
            minimumCutoff[shape.rawValue] = setting.minimumCutoff
            beta[shape.rawValue] = setting.beta
            derivativeCutoff[shape.rawValue] = setting.derivativeCutoff
        }
        return WeightsOneEuroFilter.Parameters(
            minimumCutoff: minimumCutoff, beta: beta, derivativeCutoff: derivativeCutoff)
    }

    /// Chosen by measurement (`omote bench`; Docs/fidelity.md, *Output smoothing*): a low cutoff at rest and a steep
    /// rise with speed cut the settled held-still jitter to about a quarter and keep every group's lag within a third
    /// of a frame on single_face (rotation half a frame); the eyelids' cutoff rises fastest, so a blink keeps 99.5 % of
    /// its peak.
    public static let tuned = OutputSmoothingParameters(
        groups: [
            Setting(minimumCutoff: 2, beta: 100),  // eyelids
            Setting(minimumCutoff: 0.5, beta: 20),  // gaze
            Setting(minimumCutoff: 0.5, beta: 10),  // mouth/jaw
            Setting(minimumCutoff: 0.3, beta: 10),  // brows/cheeks
        ],
        translation: Setting(minimumCutoff: 0.3, beta: 2),
        rotation: Setting(minimumCutoff: 0.3, beta: 60))
}
