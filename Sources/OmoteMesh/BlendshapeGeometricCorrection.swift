import OmoteCore

/// Raises (or, for a wink's open eye, lowers) the regressor's scores where the mesh plainly shows what the regressor
/// under-reports, and leaves them alone otherwise: a dropped jaw (MediaPipe's network gives an open-mouthed laugh
/// jawOpen ≈ 0.04), a wink (the network reads both eyes half shut), wide eyes (eyeWide stays near 0), puffed cheeks
/// (cheekPuff stays near 0) and flared nostrils (noseSneer stays near 0). Thresholds are
/// in inter-ocular distances (`MeshGeometricMeasures`) and were set on MediaPipe's own landmarks over SampleFrames
/// (Docs/fidelity.md): on those frames nothing here moves a score by much, since the regressor gets them right.
enum BlendshapeGeometricCorrection {
    // The jaw.
    /// How far the chin must drop below its closed position before the mesh speaks for jawOpen (a broad grin with
    /// the teeth together lengthens the face by up to 0.08: single_face 19–69)…
    static let jawDropStart: Float = 0.1
    /// …and the drop that reads as jawOpen 1 (about 3.5 cm on an adult face).
    static let jawDropFull: Float = 0.4
    /// The inner lips must be this far apart before any of it counts (a grin with the teeth together parts the lips
    /// but drops the chin only a little; lips together with the jaw down is mouthClose, not jawOpen)…
    static let lipGapStart: Float = 0.04
    /// …and this far for the full geometric score.
    static let lipGapFull: Float = 0.10

    // The eyes.
    /// The two eyes' apertures differ by this share of the larger before a wink is considered…
    static let winkAsymmetryStart: Float = 0.35
    /// …and by this share when the geometric blink replaces the regressor's entirely.
    static let winkAsymmetryFull: Float = 0.6
    /// An eye's closure, 1 − aperture / its usual aperture: 0 up to `closureStart`, 1 from `closureFull`.
    static let closureStart: Float = 0.2
    static let closureFull: Float = 0.8
    /// eyeWide: the aperture above the eye's usual one by this share starts to count…
    static let wideStart: Float = 0.15
    /// …and reads 1 from this share.
    static let wideFull: Float = 0.6

    // The cheeks.
    /// A smile widens the cheeks too, by about half as much as it widens the mouth (single_face's grin: cheeks +0.11,
    /// mouth +0.26; its closed-lip onset, frame 18: +0.033 and +0.065); a puff widens the cheeks alone. So the
    /// evidence for a puff is the cheeks' widening less this share of the mouth's.
    static let smileCheekShare: Float = 0.5
    /// Evidence from which cheekPuff starts: the cheeks' width wanders ±0.004 at rest, and a smile starting or ending
    /// with the lips still together leaves up to 0.033 unexplained on SampleFrames (`BlendshapeAgreementTests`)…
    static let puffStart: Float = 0.045
    /// …and where it reads 1.
    static let puffFull: Float = 0.13
    /// A puff needs the lips sealed: the lip gap must be below `puffLipGapEnd`, fading in from `puffLipGapStart`.
    static let puffLipGapStart: Float = 0.02
    static let puffLipGapEnd: Float = 0.04

    // The nostrils.
    /// A smile pulls the nostril wings out too: this share of the mouth's widening (per side, half of it) is taken off
    /// a wing's widening before it counts as flare.
    static let smileNostrilShare: Float = 0.5
    /// Flare (a wing out beyond its rest, less the smile's share, in inter-ocular distances) from which noseSneer
    /// starts: twice the most SampleFrames leaves unexplained (0.006, `BlendshapeAgreementTests`)…
    static let flareStart: Float = 0.012
    /// …and where it reads 1 (about 3 mm on an adult face).
    static let flareFull: Float = 0.035

    // The session levels these compare with.
    /// The closed jaw's length follows down fast, up slowly (a low envelope; a held open mouth does not become rest).
    static let jawFall: Float = 0.1
    static let jawRise: Float = 0.002
    /// An eye's usual aperture: rises faster than it falls, so blinks barely pull it down.
    static let apertureRise: Float = 0.02
    static let apertureFall: Float = 0.004
    /// The regressor's blink with the eye open: a low envelope.
    static let blinkFall: Float = 0.1
    static let blinkRise: Float = 0.003
    /// The cheeks' and mouth's resting widths: low envelopes like the closed jaw's.
    static let restWidthFall: Float = 0.1
    static let restWidthRise: Float = 0.002

    /// Follows the geometric levels with this frame's measures and scores (the first geometric frame seeds them).
    static func learn(
        _ measures: MeshGeometricMeasures,
        _ weights: BlendshapeWeights,
        into levels: inout BlendshapeSessionLevels
    ) {
        let blinks = SIMD2(weights[.eyeBlinkLeft], weights[.eyeBlinkRight])
        guard levels.hasGeometry else {
            levels.closedNoseToChin = measures.noseToChin
            levels.openAperture = measures.eyeAperture
            levels.blinkRest = blinks
            levels.restCheekWidth = measures.cheekWidth
            levels.restMouthWidth = measures.mouthWidth
            levels.restNostrilFlare = measures.nostrilFlare
            levels.hasGeometry = true
            return
        }
        // The closed length only rises while the lips are together: an open mouth, however long, is never taken
        // for a closed one.
        if measures.noseToChin < levels.closedNoseToChin || measures.lipGap < lipGapStart {
            levels.closedNoseToChin = BlendshapeSessionLevels.follow(
                levels.closedNoseToChin, measures.noseToChin, fall: jawFall, rise: jawRise)
        }
        levels.openAperture = BlendshapeSessionLevels.follow(
            levels.openAperture, measures.eyeAperture, fall: apertureFall, rise: apertureRise)
        levels.blinkRest = BlendshapeSessionLevels.follow(levels.blinkRest, blinks, fall: blinkFall, rise: blinkRise)
        levels.restCheekWidth = BlendshapeSessionLevels.follow(
            levels.restCheekWidth, measures.cheekWidth, fall: restWidthFall, rise: restWidthRise)
        levels.restMouthWidth = BlendshapeSessionLevels.follow(
            levels.restMouthWidth, measures.mouthWidth, fall: restWidthFall, rise: restWidthRise)
        levels.restNostrilFlare = BlendshapeSessionLevels.follow(
            levels.restNostrilFlare, measures.nostrilFlare, fall: restWidthFall, rise: restWidthRise)
    }

    /// Each nostril's geometric noseSneer (left, right): its wing out beyond rest, less what a smile explains.
    static func nostrilFlare(_ measures: MeshGeometricMeasures, _ levels: BlendshapeSessionLevels) -> SIMD2<Float> {
        let smile = smileNostrilShare * max(0, measures.mouthWidth - levels.restMouthWidth) / 2
        let evidence = measures.nostrilFlare - levels.restNostrilFlare - SIMD2(repeating: smile)
        return SIMD2(
            ramp(evidence.x, from: flareStart, to: flareFull), ramp(evidence.y, from: flareStart, to: flareFull))
    }

    /// The cheeks' geometric puff: their widening beyond what the mouth's widening explains, with the lips sealed.
    static func cheekPuff(_ measures: MeshGeometricMeasures, _ levels: BlendshapeSessionLevels) -> Float {
        let cheeks = measures.cheekWidth - levels.restCheekWidth
        let mouth = max(0, measures.mouthWidth - levels.restMouthWidth)
        let sealed = 1 - ramp(measures.lipGap, from: puffLipGapStart, to: puffLipGapEnd)
        return ramp(cheeks - smileCheekShare * mouth, from: puffStart, to: puffFull) * sealed
    }

    /// The jaw's geometric score: how far the chin dropped, counted only while the lips are apart.
    static func jawOpen(_ measures: MeshGeometricMeasures, _ levels: BlendshapeSessionLevels) -> Float {
        let drop = measures.noseToChin - levels.closedNoseToChin
        return ramp(drop, from: jawDropStart, to: jawDropFull)
            * ramp(measures.lipGap, from: lipGapStart, to: lipGapFull)
    }

    /// How strongly the eyes read as a wink: 0 when their apertures are alike, 1 when one is far smaller.
    static func winkStrength(_ measures: MeshGeometricMeasures) -> Float {
        let apertures = measures.eyeAperture.clamped(lowerBound: .zero, upperBound: SIMD2(repeating: .infinity))
        let larger = apertures.max()
        guard larger > 1e-6 else { return 0 }
        return ramp(1 - apertures.min() / larger, from: winkAsymmetryStart, to: winkAsymmetryFull)
    }

    /// Each eye's closure against its usual aperture, 0 (as open as usual) … 1 (shut).
    static func closure(_ measures: MeshGeometricMeasures, _ levels: BlendshapeSessionLevels) -> SIMD2<Float> {
        SIMD2(
            ramp(1 - measures.eyeAperture.x / max(levels.openAperture.x, 1e-6), from: closureStart, to: closureFull),
            ramp(1 - measures.eyeAperture.y / max(levels.openAperture.y, 1e-6), from: closureStart, to: closureFull))
    }

    /// Each eye's geometric eyeWide: the aperture above its usual one.
    static func wide(_ measures: MeshGeometricMeasures, _ levels: BlendshapeSessionLevels) -> SIMD2<Float> {
        SIMD2(
            ramp(measures.eyeAperture.x / max(levels.openAperture.x, 1e-6) - 1, from: wideStart, to: wideFull),
            ramp(measures.eyeAperture.y / max(levels.openAperture.y, 1e-6) - 1, from: wideStart, to: wideFull))
    }

    /// Combines the geometric scores with the regressor's in `weights`, only where the regressor under-reports:
    /// jawOpen and eyeWide become the larger of the two; in a wink each eyeBlink moves towards its geometric value
    /// (the shut eye up towards 1, the open eye down towards its resting blink) by the wink's strength.
    static func correct(
        _ weights: inout BlendshapeWeights,
        _ measures: MeshGeometricMeasures,
        _ levels: BlendshapeSessionLevels
    ) {
        weights[.jawOpen] = max(weights[.jawOpen], jawOpen(measures, levels))
        weights[.cheekPuff] = max(weights[.cheekPuff], cheekPuff(measures, levels))
        let flare = nostrilFlare(measures, levels)
        weights[.noseSneerLeft] = max(weights[.noseSneerLeft], flare.x)
        weights[.noseSneerRight] = max(weights[.noseSneerRight], flare.y)

        let strength = winkStrength(measures)
        if strength > 0 {
            let closures = closure(measures, levels)
            let blinks = SIMD2(weights[.eyeBlinkLeft], weights[.eyeBlinkRight])
            let geometric = levels.blinkRest + (1 - levels.blinkRest) * closures
            let blended = blinks + strength * (geometric - blinks)
            weights[.eyeBlinkLeft] = blended.x
            weights[.eyeBlinkRight] = blended.y
        }

        let wide = wide(measures, levels)
        weights[.eyeWideLeft] = max(weights[.eyeWideLeft], wide.x)
        weights[.eyeWideRight] = max(weights[.eyeWideRight], wide.y)
    }

    /// 0 at `start`, 1 at `end`, linear between and clamped outside.
    @inline(__always)
    static func ramp(_ value: Float, from start: Float, to end: Float) -> Float {
        min(max((value - start) / (end - start), 0), 1)
    }
}
