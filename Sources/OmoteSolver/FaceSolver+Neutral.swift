import OmoteCore

/// Learning the user's resting face: explicit calibration, automatic warm-up, then slow adaptation on near-neutral
/// frames; the identity modes and the personal offsets they cannot explain.
extension FaceSolver {
    // MARK: Phases

    /// Updates identity and neutral from this frame as the current phase allows; returns the rate at which this
    /// frame joined the neutral (0 when it did not), which the gaze neutral follows too.
    func learnNeutral(timestampNanoseconds: UInt64, period: Double) -> Float {
        var maxWeight: Float = 0
        for v in 0 ..< Self.variables { maxWeight = max(maxWeight, abs(weights[v])) }
        var neutralRate: Float = 0
        var identityRate: Float = 0
        var collecting = false  // a fast phase that assumes the face is neutral
        if calibrationRequested {
            if calibrationStart == nil { calibrationStart = timestampNanoseconds }
            calibrationFrames += 1
            neutralRate = 1 / Float(calibrationFrames)
            collecting = true
        } else if configuration.automaticNeutralAdaptation {
            if firstTimestamp == nil { firstTimestamp = timestampNanoseconds }
            if !neutralLearned {
                // Warm-up: the first frame defines the neutral; later ones join the average unless they are clearly
                // an expression relative to it.
                if adaptationFrames == 0 || maxWeight < 0.35 {
                    adaptationFrames += 1
                    neutralRate = 1 / Float(adaptationFrames)
                    collecting = true
                }
            } else if maxWeight < 0.25 {
                neutralRate = Float(period / configuration.adaptationTimeConstantSeconds)
                identityRate = Float(period / configuration.identityTimeConstantSeconds)
            }
        } else if maxWeight < 0.25 {
            identityRate = Float(min(1, period / configuration.identityTimeConstantSeconds))
        }
        if collecting {
            collectNeutralFrame(rate: neutralRate)
        } else {
            if identityRate > 0 { updateIdentity(rate: identityRate) }
            if neutralRate > 0 { adaptNeutral(rate: neutralRate) }
        }
        return neutralRate
    }

    /// Ends a calibration or warm-up whose time is up (one-off events: the fields are rebuilt on the learned face).
    func finishCalibrationPhases(timestampNanoseconds: UInt64) {
        if calibrationRequested, let start = calibrationStart,
            Double(timestampNanoseconds - start) * 1e-9 >= configuration.calibrationSeconds
        {
            calibrationRequested = false
            finishNeutral()
        } else if !calibrationRequested, configuration.automaticNeutralAdaptation, !neutralLearned,
            let first = firstTimestamp, Double(timestampNanoseconds - first) * 1e-9 >= configuration.warmUpSeconds
        {
            finishNeutral()
        }
    }

    /// A frame of a phase that assumes the face is neutral: identity from the expression-free residual; the
    /// personal offsets are the mean of what the identity cannot explain, applied when the phase ends.
    private func collectNeutralFrame(rate neutralRate: Float) {
        if neutralRate == 1 {
            for i in 0 ..< 3 * Self.points { offsets[i] = 0 }
            rebuildBase()
        }
        // `step` is free scratch here: it keeps the fitted weights while the expression-free face is linearised.
        for v in 0 ..< Self.variables {
            step[v] = weights[v]
            weights[v] = 0
        }
        evaluate()
        linearise()
        updateIdentity(rate: max(neutralRate, 0.25))
        for v in 0 ..< Self.variables { weights[v] = step[v] }
        collectNeutral(rate: neutralRate)
    }

    // MARK: Identity and neutral

    /// Moves the identity a fraction `rate` of the way to its regularised least-squares optimum given pose and
    /// weights (prior: each mode ~ N(0, 1), weight 2 mm² per unit²).
    func updateIdentity(rate: Float) {
        let p = Self.points
        let m = Self.modes
        // Columns of ∂residual/∂identity (reuse the Jacobian buffer's first columns: the frame's fit is done).
        let rows = 2 * p
        for mode in 0 ..< m {
            let field = mode * 3 * p
            for c in 0 ..< Self.chunks {
                let i = c * 8
                let dx = identityFields.load(SIMD8<Float>.self, at: field + i)
                let dy = identityFields.load(SIMD8<Float>.self, at: field + p + i)
                let dz = identityFields.load(SIMD8<Float>.self, at: field + 2 * p + i)
                let u =
                    headJacobian.load(SIMD8<Float>.self, at: i) * dx
                    + headJacobian.load(SIMD8<Float>.self, at: p + i) * dy
                    + headJacobian.load(SIMD8<Float>.self, at: 2 * p + i) * dz
                let v =
                    headJacobian.load(SIMD8<Float>.self, at: 3 * p + i) * dx
                    + headJacobian.load(SIMD8<Float>.self, at: 4 * p + i) * dy
                    + headJacobian.load(SIMD8<Float>.self, at: 5 * p + i) * dz
                jacobian.store(u, at: mode * rows + i)
                jacobian.store(v, at: mode * rows + p + i)
            }
        }
        var rhs = SIMD8<Float>.zero
        let prior: Float = 2
        for i in 0 ..< m {
            for j in 0 ..< m {
                var acc = SIMD8<Float>.zero
                var r = 0
                while r < rows {
                    let x = jacobian.load(SIMD8<Float>.self, at: i * rows + r)
                    acc += x * jacobian.load(SIMD8<Float>.self, at: j * rows + r)
                    r += 8
                }
                identitySystem[8 * i + j] = acc.sum() + (i == j ? prior : 0)
            }
            var acc = SIMD8<Float>.zero
            var r = 0
            while r < rows {
                acc += jacobian.load(SIMD8<Float>.self, at: i * rows + r) * residual.load(SIMD8<Float>.self, at: r)
                r += 8
            }
            rhs[i] = -acc.sum() - prior * identity[i]
        }
        // Gaussian elimination (symmetric positive definite, no pivoting needed).
        for i in 0 ..< m {
            for r in i + 1 ..< m {
                let f = identitySystem[8 * r + i] / identitySystem[8 * i + i]
                for c in i ..< m { identitySystem[8 * r + c] -= f * identitySystem[8 * i + c] }
                rhs[r] -= f * rhs[i]
            }
        }
        for i in stride(from: m - 1, through: 0, by: -1) {
            var s = rhs[i]
            for c in i + 1 ..< m { s -= identitySystem[8 * i + c] * rhs[c] }
            rhs[i] = s / identitySystem[8 * i + i]
        }
        for i in 0 ..< m { identity[i] = min(3, max(-3, identity[i] + rate * rhs[i])) }
        rebuildBase()
    }

    /// Pulls the personal neutral toward this frame's expression-free shape (slow adaptation).
    private func adaptNeutral(rate: Float) {
        backProject(rate: rate, into: offsets, relativeToBase: true)
        rebuildBase()
    }

    /// Running mean of the neutral face in the head frame (calibration and warm-up).
    private func collectNeutral(rate: Float) {
        backProject(rate: rate, into: collected, relativeToBase: false)
    }

    /// target += rate·(landmarks back-projected into the head frame at the model points' depths − target), where
    /// the comparison is with the expression-free model (`relativeToBase`: target holds offsets from it).
    private func backProject(rate: Float, into target: borrowing AlignedBuffer<Float>, relativeToBase: Bool) {
        let p = Self.points
        let r = rotation
        let t = translation
        for c in 0 ..< Self.chunks {
            let i = c * 8
            let bx = base.load(SIMD8<Float>.self, at: i)
            let by = base.load(SIMD8<Float>.self, at: p + i)
            let bz = base.load(SIMD8<Float>.self, at: 2 * p + i)
            let x = r.c0.x * bx + r.c1.x * by + r.c2.x * bz + t.x
            let y = r.c0.y * bx + r.c1.y * by + r.c2.y * bz + t.y
            let z = r.c0.z * bx + r.c1.z * by + r.c2.z * bz + t.z
            let scale = z / focal
            let ex = (observed.load(SIMD8<Float>.self, at: i) - principal.x) * scale - x
            let ey = (observed.load(SIMD8<Float>.self, at: p + i) - principal.y) * scale - y
            var mask = rootWeight.load(SIMD8<Float>.self, at: i)
            mask.replace(with: 1, where: mask .> 0)
            // The observed point in the head frame (the image says nothing about depth: it keeps the model's).
            var hx = r.c0.x * ex + r.c0.y * ey
            var hy = r.c1.x * ex + r.c1.y * ey
            var hz = r.c2.x * ex + r.c2.y * ey
            if !relativeToBase {
                hx += bx
                hy += by
                hz += bz
            }
            let rm = rate * mask
            // Offsets move by the residual; a mean of positions moves toward the new position.
            let ox = target.load(SIMD8<Float>.self, at: i)
            let oy = target.load(SIMD8<Float>.self, at: p + i)
            let oz = target.load(SIMD8<Float>.self, at: 2 * p + i)
            target.store(relativeToBase ? ox + rm * hx : ox + rm * (hx - ox), at: i)
            target.store(relativeToBase ? oy + rm * hy : oy + rm * (hy - oy), at: p + i)
            target.store(relativeToBase ? oz + rm * hz : oz + rm * (hz - oz), at: 2 * p + i)
        }
    }

    /// A neutral has been collected: rebuild the face-dependent fields (lids close onto this user's lower lid).
    private func finishNeutral() {
        neutralLearned = true
        let p = Self.points
        // Offsets = collected mean − (neutral + identity).
        for i in 0 ..< 3 * p { offsets[i] = 0 }
        rebuildBase()
        for i in 0 ..< 3 * p where rootWeight[i % p] > 0 { offsets[i] = collected[i] - base[i] }
        rebuildBase()
        let face = (0 ..< 68).map { k in SIMD3(base[k], base[p + k], base[2 * p + k]) }
        loadFields(face: face)
    }
}
