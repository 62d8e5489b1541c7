/// What the blendshape refinement learns about this face over the session: the regressor's resting scores, the
/// eyes' usual opening and the jaw's closed length. Slow followers, seeded by the first face frame, forgotten when the
/// face is lost. Expression data: held only in private memory (`BlendshapeRefinement`), never written anywhere.
public struct BlendshapeSessionLevels: Sendable, Equatable, BitwiseCopyable {
    /// Face frames seen since the last wipe (0: the next frame seeds every level).
    public var framesSeen = 0
    /// The regressor's resting score per `BlendshapeRestRemoval.shapes` entry (a low envelope).
    public var restScores = SIMD8<Float>()
    /// The regressor's eyeBlinkLeft/Right with the eyes open (a low envelope): where a wink's open eye goes.
    public var blinkRest = SIMD2<Float>()
    /// Each eye's usual aperture (`MeshGeometricMeasures.eyeAperture`, a follower that ignores blinks).
    public var openAperture = SIMD2<Float>()
    /// `MeshGeometricMeasures.noseToChin` with the jaw closed (a low envelope).
    public var closedNoseToChin: Float = 0
    /// `MeshGeometricMeasures.cheekWidth` and `mouthWidth` at rest (low envelopes: smiles and puffs widen them).
    public var restCheekWidth: Float = 0
    public var restMouthWidth: Float = 0
    /// `MeshGeometricMeasures.nostrilFlare` at rest, per side (a low envelope).
    public var restNostrilFlare = SIMD2<Float>()
    /// Whether the geometric levels (apertures, jaw) have been seeded: a frame without a pose solve seeds only the
    /// score levels.
    public var hasGeometry = false

    public init() {}

    /// One step of an asymmetric follower: towards `sample` by `fall` of the gap when below, `rise` when above.
    /// A fast fall and a slow rise make a low envelope (the level a signal rests at); the reverse a high one.
    /// Concrete, not generic: an unspecialised generic SIMD call can allocate in a debug build.
    @inline(__always)
    static func follow(_ level: SIMD8<Float>, _ sample: SIMD8<Float>, fall: Float, rise: Float) -> SIMD8<Float> {
        let rate = SIMD8(repeating: rise).replacing(with: fall, where: sample .< level)
        return level + rate * (sample - level)
    }

    /// The two-lane follower (one lane per eye or nostril).
    @inline(__always)
    static func follow(_ level: SIMD2<Float>, _ sample: SIMD2<Float>, fall: Float, rise: Float) -> SIMD2<Float> {
        let rate = SIMD2(repeating: rise).replacing(with: fall, where: sample .< level)
        return level + rate * (sample - level)
    }

    /// The scalar follower.
    @inline(__always)
    static func follow(_ level: Float, _ sample: Float, fall: Float, rise: Float) -> Float {
        level + (sample < level ? fall : rise) * (sample - level)
    }
}

extension BlendshapeSessionLevels: CustomStringConvertible {
    /// Redacted: expression data never reaches a log line.
    public var description: String { "BlendshapeSessionLevels(redacted)" }
}
