import OmoteCore

/// Omote's layer after MediaPipe's blendshape regressor: geometric corrections measured on the mesh where the
/// regressor under-reports (`BlendshapeGeometricCorrection`) and automatic removal of resting offsets
/// (`BlendshapeRestRemoval`), from levels learnt over the session. Everything it holds — the canonical-space points,
/// the last measures, the session levels — is expression data, so it lives in private memory, is wiped when the face is
/// lost or the session reset, and is never written anywhere. Allocates nothing per frame. Not thread-safe.
public final class BlendshapeRefinement {
    /// The mesh points with the head pose undone (468), refilled every frame.
    private let canonicalPoints: RigidPrivateBuffer<SIMD3<Float>>
    private let privateLevels: RigidPrivateBuffer<BlendshapeSessionLevels>
    private let privateMeasures: RigidPrivateBuffer<MeshGeometricMeasures>
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
    }

    /// The levels learnt so far (tests).
    package var levels: BlendshapeSessionLevels { privateLevels.value }
    /// The last frame's measures (tests); zero when the last frame had no pose.
    package var measures: MeshGeometricMeasures { privateMeasures.value }

    /// Whether everything it holds is registered private memory (tests).
    package var isPrivate: Bool { canonicalPoints.isPrivate && privateLevels.isPrivate && privateMeasures.isPrivate }

    /// Refines this frame's regressor `weights` in place. `geometry` must have just estimated `transformation` from
    /// the same landmarks; without a transformation (a degenerate pose solve) only the rest offsets are removed.
    public func refine(
        _ weights: inout BlendshapeWeights,
        geometry: FaceGeometryPipeline,
        transformation: FacialTransformationMatrix?
    ) {
        if let transformation {
            geometry.canonicalSpaceLandmarks(transformation, into: canonicalPoints.view)
            refine(&weights, canonicalSpace: canonicalPoints.view)
        } else {
            refine(&weights, canonicalSpace: nil)
        }
    }

    /// The same from the 468 points in canonical space (`FaceGeometryPipeline.canonicalSpaceLandmarks`), or nil.
    package func refine(_ weights: inout BlendshapeWeights, canonicalSpace points: MemoryView<SIMD3<Float>>?) {
        holdsFace = true
        var levels = privateLevels.value
        BlendshapeRestRemoval.learn(weights, into: &levels)
        if let points {
            let measures = MeshGeometricMeasures(canonicalSpace: points)
            privateMeasures.value = measures
            if measures.interOcular > 0 {
                BlendshapeGeometricCorrection.learn(measures, weights, into: &levels)
            }
            if removesRestOffsets { BlendshapeRestRemoval.remove(levels, from: &weights) }
            // After the rest is removed: the mesh's evidence is not itself a resting offset.
            if correctsGeometrically, measures.interOcular > 0 {
                BlendshapeGeometricCorrection.correct(&weights, measures, levels)
            }
        } else {
            privateMeasures.value = MeshGeometricMeasures()
            if removesRestOffsets { BlendshapeRestRemoval.remove(levels, from: &weights) }
        }
        levels.framesSeen += 1
        privateLevels.value = levels
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
