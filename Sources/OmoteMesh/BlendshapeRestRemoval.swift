import OmoteCore

/// Automatic rest-offset removal, for the shapes where it costs no agreement with MediaPipe: jawOpen and mouthFunnel,
/// which MediaPipe's regressor scores up to 0.15 on some relaxed, closed mouths. Each one's resting level is a low
/// envelope of its score (falls fast, rises slowly, capped), and the score becomes (score − gain·rest) /
/// (1 − gain·rest), so 0 at rest and 1 still 1. The regressor's other resting scores (single_face: mouthPucker 0.25,
/// mouthShrugLower 0.15, mouthRollLower 0.13, mouthRollUpper 0.10) are left to a calibration: on SampleFrames their
/// whole range is that resting band, and removing it automatically dropped their correlation with MediaPipe to 0.0–0.45.
enum BlendshapeRestRemoval {
    /// The shapes with a known non-zero rest, in `BlendshapeSessionLevels.restScores` order.
    static let shapes: [ARKitBlendshape] = [
        .jawOpen, .mouthFunnel,
    ]
    /// Per frame, the level moves this share of the way down to a lower score (a relaxed mouth is found in ~1 s).
    static let fall: Float = 0.1
    /// …and this share up to a higher one (~11 s at 30 fps to rise 1 − 1/e of the way), so an expression held
    /// for a few seconds is not mistaken for rest.
    static let rise: Float = 0.003
    /// The highest level taken as rest: above it a score is an expression, however long it is held.
    static let maximumRest: Float = 0.4
    /// The rest is taken 1.6 times over: on a relaxed mouth the regressor's scores wander well above their low envelope,
    /// and that wander should read as rest too (Docs/fidelity.md: 1.0 leaves the relaxed mouth's jaw open).
    static let gain: Float = 1.6

    /// Follows the rest levels with this frame's regressor scores (the first frame seeds them).
    static func learn(_ weights: BlendshapeWeights, into levels: inout BlendshapeSessionLevels) {
        var scores = SIMD8<Float>()
        var slot = 0
        while slot < shapes.count {
            scores[slot] = weights.values[shapes[slot].rawValue]
            slot += 1
        }
        let level =
            levels.framesSeen == 0
            ? scores : BlendshapeSessionLevels.follow(levels.restScores, scores, fall: fall, rise: rise)
        levels.restScores = level.clamped(lowerBound: .zero, upperBound: SIMD8(repeating: maximumRest))
    }

    /// Subtracts the learnt rest from each shape's score.
    static func remove(_ levels: BlendshapeSessionLevels, from weights: inout BlendshapeWeights) {
        var slot = 0
        while slot < shapes.count {
            let index = shapes[slot].rawValue
            let offset = gain * levels.restScores[slot]
            weights.values[index] = max(0, (weights.values[index] - offset) / (1 - offset))
            slot += 1
        }
    }
}
