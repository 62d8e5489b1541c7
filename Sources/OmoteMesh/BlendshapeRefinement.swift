import OmoteCore

/// Omote's layer after MediaPipe's blendshape regressor: geometric corrections measured on the mesh where the
/// regressor under-reports (`BlendshapeGeometricCorrection`), and either automatic removal of resting offsets
/// (`BlendshapeRestRemoval`, from levels learnt over the session) or, once the user has run one, a guided calibration
/// (`BlendshapeCalibration`). Everything it holds — the canonical-space points, the last measures, the session levels,
/// the calibration — is expression data, so it lives in private memory and is never written anywhere; all but the
/// calibration is wiped when the face is lost or the session reset (the calibration is this user's, for the session).
/// Allocates nothing per frame. Not thread-safe.
public final class BlendshapeRefinement {
    /// The mesh points with the head pose undone (468), refilled every frame.
    private let canonicalPoints: RigidPrivateBuffer<SIMD3<Float>>
    private let privateLevels: RigidPrivateBuffer<BlendshapeSessionLevels>
    private let privateMeasures: RigidPrivateBuffer<MeshGeometricMeasures>
    private let privateCalibration: RigidPrivateBuffer<BlendshapeCalibration>
    /// Whether the mesh's measures correct the regressor (jaw, winks, wide eyes).
    public var correctsGeometrically = true
    /// Whether resting offsets are learnt and removed.
    public var removesRestOffsets = true
    /// Whether anything learnt from a face is held (so a lost face is wiped once, not on every empty frame).
    private var holdsFace = false

    public init() throws(OmoteError) {
        canonicalPoints = try RigidPrivateBuffer(count: MeshLandmarks.meshCount)
        privateLevels = try RigidPrivateBuffer(repeating: BlendshapeSessionLevels())
        privateMeasures = try RigidPrivateBuffer(repeating: MeshGeometricMeasures())
        privateCalibration = try RigidPrivateBuffer(repeating: BlendshapeCalibration())
    }

    /// Starts the guided calibration's prompts (`c`, `--calibrate`); a previous calibration applies until it finishes.
    public func startCalibration() { privateCalibration.baseAddress.pointee.start() }

    /// The calibration's prompt and outcome, for the frame's result (not expression data).
    public var calibrationProgress: CalibrationProgress { privateCalibration.baseAddress.pointee.progress }

    /// The calibration (tests).
    package var calibration: BlendshapeCalibration { privateCalibration.value }

    /// A frame without a face: the calibration's prompts count it as lost time.
    public func observeNoFace(at timestampNanoseconds: UInt64) {
        let calibration = privateCalibration.baseAddress
        guard calibration.pointee.isRunning else { return }
        calibration.pointee.observe(nil, at: timestampNanoseconds)
    }

    /// The levels learnt so far (tests).
    package var levels: BlendshapeSessionLevels { privateLevels.value }
    /// The last frame's measures (tests); zero when the last frame had no pose.
    package var measures: MeshGeometricMeasures { privateMeasures.value }

    /// Whether everything it holds is registered private memory (tests).
    package var isPrivate: Bool {
        canonicalPoints.isPrivate && privateLevels.isPrivate && privateMeasures.isPrivate
            && privateCalibration.isPrivate
    }

    /// Refines this frame's regressor `weights` in place. `geometry` must have just estimated `transformation` from
    /// the same landmarks; without a transformation (a degenerate pose solve) only the rest offsets are removed.
    /// `timestampNanoseconds` (the frame's) times the calibration's prompts.
    public func refine(
        _ weights: inout BlendshapeWeights,
        geometry: FaceGeometryPipeline,
        transformation: FacialTransformationMatrix?,
        timestampNanoseconds: UInt64 = 0
    ) {
        if let transformation {
            geometry.canonicalSpaceLandmarks(transformation, into: canonicalPoints.view)
            refine(&weights, canonicalSpace: canonicalPoints.view, timestampNanoseconds: timestampNanoseconds)
        } else {
            refine(&weights, canonicalSpace: nil, timestampNanoseconds: timestampNanoseconds)
        }
    }

    /// The same from the 468 points in canonical space (`FaceGeometryPipeline.canonicalSpaceLandmarks`), or nil.
    package func refine(
        _ weights: inout BlendshapeWeights, canonicalSpace points: MemoryView<SIMD3<Float>>?,
        timestampNanoseconds: UInt64 = 0
    ) {
        holdsFace = true
        var levels = privateLevels.value
        BlendshapeRestRemoval.learn(weights, into: &levels)
        var measures = MeshGeometricMeasures()
        if let points {
            measures = MeshGeometricMeasures(canonicalSpace: points)
            if measures.interOcular > 0 {
                BlendshapeGeometricCorrection.learn(measures, weights, into: &levels)
            }
        }
        privateMeasures.value = measures
        let corrects = correctsGeometrically && measures.interOcular > 0
        levels.framesSeen += 1
        privateLevels.value = levels
        // A calibration (running or finished) sees the scores with the mesh's corrections and no automatic removal,
        // and once finished replaces that removal.
        // Used where it lives: `value` would copy its 1.3 KB out (and back) on every access.
        let calibration = privateCalibration.baseAddress
        if calibration.pointee.isRunning || calibration.pointee.isApplied {
            var corrected = weights
            if corrects { BlendshapeGeometricCorrection.correct(&corrected, measures, levels) }
            if calibration.pointee.isRunning { calibration.pointee.observe(corrected, at: timestampNanoseconds) }
            if calibration.pointee.isApplied {
                calibration.pointee.apply(to: &corrected)
                weights = corrected
                return
            }
        }
        if removesRestOffsets { BlendshapeRestRemoval.remove(levels, from: &weights) }
        // After the rest is removed: the mesh's evidence is not itself a resting offset.
        if corrects { BlendshapeGeometricCorrection.correct(&weights, measures, levels) }
    }

    /// Forgets the face: the levels start afresh with the next face, and everything measured is wiped.
    public func reset() {
        guard holdsFace else { return }
        holdsFace = false
        canonicalPoints.wipe()
        privateLevels.wipe()
        privateMeasures.wipe()
    }
}
