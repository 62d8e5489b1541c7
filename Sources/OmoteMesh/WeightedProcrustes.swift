/// A similarity transform target ≈ scale · rotation · source + translation, as MediaPipe's 4×4 pose matrix holds it.
struct SimilarityTransform {
    /// scale · rotation, row-major.
    var scaledRotation: Matrix3d
    var translation: SIMD3<Double>
    var scale: Double
}

/// MediaPipe's weighted orthogonal Procrustes solver (procrustes_solver.cc, after Akca 2003 "Generalized Procrustes
/// analysis and its applications in photogrammetry"): with weights w, source centre c = Σwᵢsᵢ / Σwᵢ, the rotation from
/// the SVD of Σ wᵢ tᵢ (sᵢ − c)ᵀ = U Σ Vᵀ as U Vᵀ with det +1 (U's last column flipped when det U · det V < 0),
/// scale = Σ wᵢ tᵢ·R(sᵢ − c) / Σ wᵢ (sᵢ − c)·sᵢ, translation = Σ wᵢ (tᵢ − s R sᵢ) / Σ wᵢ. Sums in double.
enum WeightedProcrustes {
    /// MediaPipe's `kAbsoluteErrorEps`: below it the problem is degenerate.
    static let epsilon = 1e-9

    /// nil when the points are degenerate (all weight on coincident points).
    static func solve(
        source: UnsafeBufferPointer<SIMD3<Float>>,
        target: UnsafeBufferPointer<SIMD3<Float>>,
        weights: UnsafeBufferPointer<Float>
    ) -> SimilarityTransform? {
        var totalWeight = 0.0
        var weightedSourceSum = SIMD3<Double>()
        var index = 0
        while index < weights.count {
            let w = Double(weights[index])
            totalWeight += w
            weightedSourceSum += w * SIMD3<Double>(source[index])
            index += 1
        }
        guard totalWeight > epsilon else { return nil }
        let centre = weightedSourceSum / totalWeight
        var design = Matrix3d()
        var denominator = 0.0
        index = 0
        while index < weights.count {
            let w = Double(weights[index])
            if w != 0 {
                let s = SIMD3<Double>(source[index])
                let centred = s - centre
                let t = SIMD3<Double>(target[index]) * w
                for row in 0 ..< 3 {
                    for column in 0 ..< 3 {
                        design[row, column] += t[row] * centred[column]
                    }
                }
                denominator += w * (centred * s).sum()
            }
            index += 1
        }
        guard (design.storage * design.storage).sum().squareRoot() > epsilon, denominator > epsilon,
            let rotation = optimalRotation(design)
        else { return nil }
        var numerator = 0.0
        var weightedResidualSum = SIMD3<Double>()
        index = 0
        while index < weights.count {
            let w = Double(weights[index])
            if w != 0 {
                let s = SIMD3<Double>(source[index])
                let rotated = apply(rotation, s - centre)
                numerator += w * (rotated * SIMD3<Double>(target[index])).sum()
            }
            index += 1
        }
        let scale = numerator / denominator
        var scaled = Matrix3d()
        scaled.storage = rotation.storage * scale
        index = 0
        while index < weights.count {
            let w = Double(weights[index])
            if w != 0 {
                weightedResidualSum += w * (SIMD3<Double>(target[index]) - apply(scaled, SIMD3<Double>(source[index])))
            }
            index += 1
        }
        return SimilarityTransform(scaledRotation: scaled, translation: weightedResidualSum / totalWeight, scale: scale)
    }

    /// U Vᵀ of the SVD of `m`, a proper rotation; the SVD from the eigen-decomposition of mᵀm = V Σ² Vᵀ,
    /// uₖ = m vₖ / σₖ for the two largest σ, the third as det(V)·(u₀ × u₁) (which is MediaPipe's reflection rule).
    static func optimalRotation(_ m: Matrix3d) -> Matrix3d? {
        var gram = Matrix3d()
        for row in 0 ..< 3 {
            for column in 0 ..< 3 {
                gram[row, column] = (m.column(row) * m.column(column)).sum()
            }
        }
        let eigen = SymmetricEigen3(gram)
        let v0 = eigen.vectors.column(0)
        let v1 = eigen.vectors.column(1)
        let v2 = eigen.vectors.column(2)
        let sigma0 = max(0, eigen.values[0]).squareRoot()
        let sigma1 = max(0, eigen.values[1]).squareRoot()
        guard sigma1 > epsilon * max(1, sigma0) else { return nil }
        let u0 = apply(m, v0) / sigma0
        let u1 = apply(m, v1) / sigma1
        let determinantV = (v0 * cross(v1, v2)).sum() >= 0 ? 1.0 : -1.0
        let u2 = cross(u0, u1) * determinantV
        var rotation = Matrix3d()
        for row in 0 ..< 3 {
            for column in 0 ..< 3 {
                rotation[row, column] = u0[row] * v0[column] + u1[row] * v1[column] + u2[row] * v2[column]
            }
        }
        return rotation
    }

    @inline(__always)
    static func apply(_ m: Matrix3d, _ v: SIMD3<Double>) -> SIMD3<Double> {
        m.column(0) * v.x + m.column(1) * v.y + m.column(2) * v.z
    }

    @inline(__always)
    static func cross(_ a: SIMD3<Double>, _ b: SIMD3<Double>) -> SIMD3<Double> {
        SIMD3(a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x)
    }
}
