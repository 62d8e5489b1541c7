import OmoteCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One bounded Gauss–Newton step on pose and weights: the normal equations, the pose eliminated by its Schur
/// complement, the weights by projected coordinate descent, the pose back-substituted.
extension FaceSolver {
    // MARK: Pose initialisation

    /// A frontal guess from the landmarks: roll from the eye line, distance from the outer-canthus span.
    func initialisePose() {
        let p = Self.points
        let outerRight = SIMD2(observed[36], observed[p + 36])
        let outerLeft = SIMD2(observed[45], observed[p + 45])
        let eyeLine = outerLeft - outerRight
        let span = max((eyeLine * eyeLine).sum().squareRoot(), 1)
        let roll = atan2f(eyeLine.y, eyeLine.x)
        rotation = Rotation3(rotationVector: SIMD3(0, 0, roll))
        let modelSpan = base[45] - base[36]
        let depth = focal * modelSpan / span
        var centre = SIMD2<Float>.zero
        var modelCentre = SIMD3<Float>.zero
        for k in 17 ..< 48 {
            centre += SIMD2(observed[k], observed[p + k])
            modelCentre += SIMD3(base[k], base[p + k], base[2 * p + k])
        }
        centre /= 31
        modelCentre /= 31
        let rotatedCentre = rotation.apply(modelCentre)
        let ray = (centre - principal) / focal
        let centreDepth = depth + rotatedCentre.z
        translation = SIMD3(ray.x * centreDepth, ray.y * centreDepth, centreDepth) - rotatedCentre
        for v in 0 ..< Self.variables { weights[v] = 0 }
        poseInitialised = true
    }

    // MARK: Jacobian

    /// Fills the Jacobian columns: rotation (3), translation (3), then every variable.
    func buildJacobian() {
        linearise()
        let p = Self.points
        let rows = 2 * p
        let t = translation
        for c in 0 ..< Self.chunks {
            let i = c * 8
            let x = cameraPoints.load(SIMD8<Float>.self, at: i)
            let y = cameraPoints.load(SIMD8<Float>.self, at: p + i)
            let z = cameraPoints.load(SIMD8<Float>.self, at: 2 * p + i)
            let rx = x - t.x
            let ry = y - t.y
            let rz = z - t.z
            let sw = rootWeight.load(SIMD8<Float>.self, at: i)
            let s = sw * t.z / z
            let pu = x / z
            let pv = y / z
            let jux = s
            let juz = -s * pu
            let jvy = s
            let jvz = -s * pv
            // ∂u/∂ω = (X − t) × ∂u/∂X (rotation increment applied in the camera frame).
            jacobian.store(ry * juz, at: 0 * rows + i)
            jacobian.store(rz * jux - rx * juz, at: 1 * rows + i)
            jacobian.store(-ry * jux, at: 2 * rows + i)
            jacobian.store(ry * jvz - rz * jvy, at: 0 * rows + p + i)
            jacobian.store(-rx * jvz, at: 1 * rows + p + i)
            jacobian.store(rx * jvy, at: 2 * rows + p + i)
            jacobian.store(jux, at: 3 * rows + i)
            jacobian.store(SIMD8<Float>.zero, at: 3 * rows + p + i)
            jacobian.store(SIMD8<Float>.zero, at: 4 * rows + i)
            jacobian.store(jvy, at: 4 * rows + p + i)
            jacobian.store(juz, at: 5 * rows + i)
            jacobian.store(jvz, at: 5 * rows + p + i)
            let hux = headJacobian.load(SIMD8<Float>.self, at: i)
            let huy = headJacobian.load(SIMD8<Float>.self, at: p + i)
            let huz = headJacobian.load(SIMD8<Float>.self, at: 2 * p + i)
            let hvx = headJacobian.load(SIMD8<Float>.self, at: 3 * p + i)
            let hvy = headJacobian.load(SIMD8<Float>.self, at: 4 * p + i)
            let hvz = headJacobian.load(SIMD8<Float>.self, at: 5 * p + i)
            for f in 0 ..< Self.fieldCount {
                let field = f * 3 * p
                let dx = fields.load(SIMD8<Float>.self, at: field + i)
                let dy = fields.load(SIMD8<Float>.self, at: field + p + i)
                let dz = fields.load(SIMD8<Float>.self, at: field + 2 * p + i)
                jacobian.store(hux * dx + huy * dy + huz * dz, at: (6 + f) * rows + i)
                jacobian.store(hvx * dx + hvy * dy + hvz * dz, at: (6 + f) * rows + p + i)
            }
            for j in 0 ..< 2 {
                let d = j * 3 * p
                let dx = jawDerivatives.load(SIMD8<Float>.self, at: d + i)
                let dy = jawDerivatives.load(SIMD8<Float>.self, at: d + p + i)
                let dz = jawDerivatives.load(SIMD8<Float>.self, at: d + 2 * p + i)
                jacobian.store(hux * dx + huy * dy + huz * dz, at: (6 + Self.jawOpenIndex + j) * rows + i)
                jacobian.store(hvx * dx + hvy * dy + hvz * dz, at: (6 + Self.jawOpenIndex + j) * rows + p + i)
            }
        }
    }

    // MARK: Step

    /// One bounded Gauss–Newton step: normal equations, pose eliminated, weights by projected coordinate descent.
    func solveStep() {
        accumulateNormalEquations()
        factorPoseBlock()
        couplePoseToWeights()
        let poseGradient = solvePoseBlock()
        reduceToWeights(poseGradient: poseGradient)
        descendWeights()
        applyStep(poseGradient: poseGradient)
    }

    /// Normal matrix JᵀJ and gradient Jᵀr over the point chunks where both columns can be non-zero (u rows, then
    /// v rows, as a dense pass would add them: the skipped products are exact zeros).
    private func accumulateNormalEquations() {
        let n = Self.unknowns
        let rows = 2 * Self.points
        for a in 0 ..< n {
            let columnA = a * rows
            let maskA = columnChunks[a]
            for b in a ..< n {
                let mask = maskA & columnChunks[b]
                let value = mask == 0 ? 0 : Self.dot(jacobian, columnA, jacobian, b * rows, mask)
                normal[a * n + b] = value
                normal[b * n + a] = value
            }
            gradient[a] = Self.dot(jacobian, columnA, residual, 0, maskA)
        }
    }

    /// Σ x[xStart + i]·y[yStart + i] over the u rows, then the v rows, of the point chunks set in `mask`.
    @inline(__always)
    private static func dot(
        _ x: borrowing AlignedBuffer<Float>,
        _ xStart: Int,
        _ y: borrowing AlignedBuffer<Float>,
        _ yStart: Int,
        _ mask: UInt16
    ) -> Float {
        var acc = SIMD8<Float>.zero
        var bits = mask
        while bits != 0 {
            let i = 8 * bits.trailingZeroBitCount
            acc += x.load(SIMD8<Float>.self, at: xStart + i) * y.load(SIMD8<Float>.self, at: yStart + i)
            bits &= bits &- 1
        }
        bits = mask
        while bits != 0 {
            let i = points + 8 * bits.trailingZeroBitCount
            acc += x.load(SIMD8<Float>.self, at: xStart + i) * y.load(SIMD8<Float>.self, at: yStart + i)
            bits &= bits &- 1
        }
        return acc.sum()
    }

    /// Cholesky of the (slightly damped) 6×6 pose block into `poseFactor`.
    private func factorPoseBlock() {
        let n = Self.unknowns
        for r in 0 ..< 6 {
            for c in 0 ... r {
                var sum = normal[r * n + c]
                if r == c { sum += 1e-6 * sum + 1e-3 }
                for m in 0 ..< c { sum -= poseFactor[8 * r + m] * poseFactor[8 * c + m] }
                poseFactor[8 * r + c] = r == c ? max(sum, 1e-9).squareRoot() : sum / poseFactor[8 * c + c]
            }
        }
    }

    /// poseCoupling column v = App⁻¹·Apw[:, v], by forward and back substitution for eight columns at a time
    /// (lane = column; padding lanes are never read).
    private func couplePoseToWeights() {
        let n = Self.unknowns
        let k = Self.variables
        let kp = Self.paddedVariables
        var v = 0
        while v < k {
            for r in 0 ..< 6 {
                var s = normal.load(SIMD8<Float>.self, at: r * n + 6 + v)
                for m in 0 ..< r { s -= SIMD8(repeating: poseFactor[8 * r + m]) * substitution[m] }
                substitution[r] = s / SIMD8(repeating: poseFactor[8 * r + r])
            }
            for r in stride(from: 5, through: 0, by: -1) {
                var s = substitution[r]
                for m in r + 1 ..< 6 { s -= SIMD8(repeating: poseFactor[8 * m + r]) * substitution[m] }
                substitution[r] = s / SIMD8(repeating: poseFactor[8 * r + r])
            }
            for r in 0 ..< 6 { poseCoupling.store(substitution[r], at: r * kp + v) }
            v += 8
        }
    }

    /// App⁻¹·g_p in lanes 0…5 (lanes 6 and 7 zero).
    private func solvePoseBlock() -> SIMD8<Float> {
        var y = SIMD8<Float>.zero
        for r in 0 ..< 6 {
            var s = gradient[r]
            for m in 0 ..< r { s -= poseFactor[8 * r + m] * y[m] }
            y[r] = s / poseFactor[8 * r + r]
        }
        for r in stride(from: 5, through: 0, by: -1) {
            var s = y[r]
            for m in r + 1 ..< 6 { s -= poseFactor[8 * m + r] * y[m] }
            y[r] = s / poseFactor[8 * r + r]
        }
        return y
    }

    /// Reduced system H = Aww − Awp·App⁻¹·Apw + diag(λ + μ), c = g_w − Awp·App⁻¹·g_p + λ⊙w, eight rows a at a time:
    /// Aww is symmetric, so column b of it is contiguous in row 6 + b of `normal`. Clears `step`.
    private func reduceToWeights(poseGradient: SIMD8<Float>) {
        let n = Self.unknowns
        let k = Self.variables
        let kp = Self.paddedVariables
        for b in 0 ..< k {
            let column = b * kp
            let row = (6 + b) * n + 6
            var a = 0
            while a < kp {
                var value = normal.load(SIMD8<Float>.self, at: row + a)
                for r in 0 ..< 6 {
                    value -=
                        normal.load(SIMD8<Float>.self, at: r * n + 6 + a) * SIMD8(repeating: poseCoupling[r * kp + b])
                }
                reduced.store(value, at: column + a)
                a += 8
            }
            for a in k ..< kp { reduced[column + a] = 0 }
            reduced[column + b] += penalty[b] + 1e-3
        }
        var a = 0
        while a < kp {
            var value =
                gradient.load(SIMD8<Float>.self, at: 6 + a)
                + penalty.load(SIMD8<Float>.self, at: a) * weights.load(SIMD8<Float>.self, at: a)
            for r in 0 ..< 6 {
                value -= normal.load(SIMD8<Float>.self, at: r * n + 6 + a) * SIMD8(repeating: poseGradient[r])
            }
            reducedGradient.store(value, at: a)
            step.store(SIMD8<Float>.zero, at: a)
            a += 8
        }
        for a in k ..< kp { reducedGradient[a] = 0 }
    }

    /// Projected coordinate descent on ½ΔᵀHΔ + cᵀΔ with lower ≤ w + Δ ≤ upper (mouthClose ≤ jawOpen), into `step`.
    private func descendWeights() {
        Self.descend(
            reduced: reduced,
            gradient: reducedGradient,
            step: step,
            weights: weights,
            lower: lower,
            upper: upper,
            sweeps: configuration.coordinateDescentSweeps
        )
    }

    /// The descent on borrowed buffers, so the inner loop reads their addresses from registers.
    private static func descend(
        reduced: borrowing AlignedBuffer<Float>,
        gradient reducedGradient: borrowing AlignedBuffer<Float>,
        step: borrowing AlignedBuffer<Float>,
        weights: borrowing AlignedBuffer<Float>,
        lower: borrowing AlignedBuffer<Float>,
        upper: borrowing AlignedBuffer<Float>,
        sweeps: Int
    ) {
        let k = variables
        let kp = paddedVariables
        let mouthClose = mouthCloseIndex
        let jawOpen = jawOpenIndex
        for _ in 0 ..< sweeps {
            // A sweep that moves nothing leaves the state as it found it, so every later sweep would too.
            var moved = false
            // reducedGradient[v], carried from the previous coordinate's update as a scalar (the same sum the
            // vector update stores) so the dependency chain does not go through memory.
            var g = reducedGradient[0]
            for v in 0 ..< k {
                let column = v * kp
                var high = upper[v]
                if v == mouthClose { high = min(high, weights[jawOpen] + step[jawOpen]) }
                let current = step[v]
                let low = lower[v] - weights[v]
                let proposed = min(max(current - g / reduced[column + v], low), max(high - weights[v], low))
                let delta = proposed - current
                if delta == 0 {
                    g = reducedGradient[v + 1]
                    continue
                }
                moved = true
                step[v] = proposed
                g = reducedGradient[v + 1] + delta * reduced[column + v + 1]
                var i = 0
                while i < kp {
                    let updated =
                        reducedGradient.load(SIMD8<Float>.self, at: i)
                        + delta * reduced.load(SIMD8<Float>.self, at: column + i)
                    reducedGradient.store(updated, at: i)
                    i += 8
                }
            }
            if !moved { break }
        }
    }

    /// Back-substitutes the pose, Δp = −App⁻¹(g_p + Apw·Δw), and moves pose and weights by the step.
    private func applyStep(poseGradient: SIMD8<Float>) {
        let k = Self.variables
        let kp = Self.paddedVariables
        var deltaPose = -poseGradient
        for v in 0 ..< k where step[v] != 0 {
            for r in 0 ..< 6 { deltaPose[r] -= poseCoupling[r * kp + v] * step[v] }
        }
        for v in 0 ..< k { weights[v] = min(max(weights[v] + step[v], lower[v]), upper[v]) }
        let omega = SIMD3(deltaPose[0], deltaPose[1], deltaPose[2])
        let small = Rotation3(rotationVector: omega)
        rotation = (small * rotation).orthonormalised
        translation += SIMD3(deltaPose[3], deltaPose[4], deltaPose[5])
    }
}
