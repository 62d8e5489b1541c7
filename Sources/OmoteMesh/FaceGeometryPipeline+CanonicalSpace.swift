import OmoteCore

extension FaceGeometryPipeline {
    /// The last estimate's metric landmarks taken back through `transformation` into the canonical face's frame (cm;
    /// +x the subject's left, +y up, +z out of the face): the head pose and distance undone, so distances measured
    /// there change with the expression only. Valid right after `estimate` returned `transformation`; writes the 468
    /// mesh points into `output` (at least 468 long). Allocates nothing.
    public func canonicalSpaceLandmarks(
        _ transformation: FacialTransformationMatrix,
        into output: MemoryView<SIMD3<Float>>
    ) {
        precondition(output.count >= MeshLandmarks.meshCount, "canonical-space output holds fewer than 468 points")
        // The matrix is s·R | t, so its inverse is Rᵀ(p − t)/s = (s·R)ᵀ(p − t)/s².
        func xyz(_ v: SIMD4<Float>) -> SIMD3<Float> { SIMD3(v.x, v.y, v.z) }
        let c0 = xyz(transformation.columns.0)
        let c1 = xyz(transformation.columns.1)
        let c2 = xyz(transformation.columns.2)
        let inverseSquaredScale = 1 / (c0 * c0).sum()
        let translation = transformation.translation
        let metric = working.view
        var index = 0
        while index < MeshLandmarks.meshCount {
            let d = metric[index] - translation
            output[index] = SIMD3((c0 * d).sum(), (c1 * d).sum(), (c2 * d).sum()) * inverseSquaredScale
            index += 1
        }
    }

    /// The canonical face model's points (cm), the neutral face the geometric measures are referred to.
    package var canonicalModel: [SIMD3<Float>] { canonical }
}
