import OmoteCore

/// The face model the solver fits: the user's expression-free face (`base`), the expression fields, and the model
/// points and residuals at the current pose and weights.
extension FaceSolver {
    /// Copies the generic face, its jaw attachment, landmark weights and identity modes into the solver's layout.
    func loadModel() {
        let p = Self.points
        for k in 0 ..< 68 {
            let q = FaceModel.neutral[k]
            neutral[k] = q.x
            neutral[p + k] = q.y
            neutral[2 * p + k] = q.z
            attachment[k] = FaceModel.jawAttachment[k]
            rootWeight[k] = FaceModel.landmarkWeights[k].squareRoot()
        }
        for mode in FaceModel.IdentityMode.allCases {
            let field = FaceModel.identityField(mode)
            let start = mode.rawValue * 3 * p
            for k in 0 ..< 68 {
                identityFields[start + k] = field[k].x
                identityFields[start + p + k] = field[k].y
                identityFields[start + 2 * p + k] = field[k].z
            }
        }
        loadFields(face: FaceModel.neutral)
    }

    /// base = neutral + Σ identity·mode + offsets.
    func rebuildBase() {
        let n = 3 * Self.points
        var i = 0
        while i < n {
            var v = neutral.load(SIMD8<Float>.self, at: i) + offsets.load(SIMD8<Float>.self, at: i)
            for m in 0 ..< Self.modes { v += identity[m] * identityFields.load(SIMD8<Float>.self, at: m * n + i) }
            base.store(v, at: i)
            i += 8
        }
        // Padding points sit at the origin, which is in front of the camera for any valid pose.
    }

    /// The expression fields on `face` (they depend on it: lids close onto this face's lower lid), and which point
    /// chunks each Jacobian column can touch.
    func loadFields(face: [SIMD3<Float>]) {
        let p = Self.points
        for (v, shape) in (Self.linearShapes + [.mouthLeft]).enumerated() {
            let field = FaceModel.displacementField(shape, face: face)!
            let start = v * 3 * p
            for k in 0 ..< 68 {
                fields[start + k] = field[k].x
                fields[start + p + k] = field[k].y
                fields[start + 2 * p + k] = field[k].z
            }
            columnChunks[6 + v] = chunkMask { c in (0 ..< 8).contains { 8 * c + $0 < 68 && field[8 * c + $0] != .zero }
            }
        }
        // The jaw's derivative directions are proportional to the attachment.
        let jaw = chunkMask { c in (0 ..< 8).contains { 8 * c + $0 < 68 && attachment[8 * c + $0] != 0 } }
        columnChunks[6 + Self.jawOpenIndex] = jaw
        columnChunks[6 + Self.jawLateralIndex] = jaw
    }

    private func chunkMask(_ nonZero: (Int) -> Bool) -> UInt16 {
        var mask: UInt16 = 0
        for c in 0 ..< Self.chunks where c * 8 < 68 && nonZero(c) { mask |= 1 << c }
        return mask
    }

    /// Model points in the head and camera frames at the current weights, plus the jaw's derivative directions.
    func evaluate() {
        let p = Self.points
        let open = weights[Self.jawOpenIndex] * FaceModel.jawOpenMaxRadians
        let lateral = -weights[Self.jawLateralIndex] * FaceModel.jawLateralMaxRadians
        let pivot = FaceModel.jawPivot
        let r = rotation
        let t = translation
        for c in 0 ..< Self.chunks {
            let i = c * 8
            let a = attachment.load(SIMD8<Float>.self, at: i)
            let vx = base.load(SIMD8<Float>.self, at: i) - pivot.x
            let vy = base.load(SIMD8<Float>.self, at: p + i) - pivot.y
            let vz = base.load(SIMD8<Float>.self, at: 2 * p + i) - pivot.z
            let (sp, cp) = sinCos(a * lateral)
            let (sf, cf) = sinCos(a * open)
            let ux = vx * cp + vz * sp
            let uy = vy
            let uz = vz * cp - vx * sp
            let wy = uy * cf - uz * sf
            let wz = uy * sf + uz * cf
            // ∂/∂jawOpen = a·θmax·(e_x × w); ∂/∂jawLateral = −a·θmax·Rx(e_y × u).
            let kOpen = a * FaceModel.jawOpenMaxRadians
            jawDerivatives.store(SIMD8<Float>.zero, at: i)
            jawDerivatives.store(-kOpen * wz, at: p + i)
            jawDerivatives.store(kOpen * wy, at: 2 * p + i)
            let kLateral = -a * FaceModel.jawLateralMaxRadians
            jawDerivatives.store(kLateral * uz, at: 3 * p + i)
            jawDerivatives.store(kLateral * ux * sf, at: 4 * p + i)
            jawDerivatives.store(-kLateral * ux * cf, at: 5 * p + i)
            var qx = ux + pivot.x
            var qy = wy + pivot.y
            var qz = wz + pivot.z
            for f in 0 ..< Self.fieldCount {
                let w = weights[f]
                if w == 0 { continue }
                let field = f * 3 * p
                qx += w * fields.load(SIMD8<Float>.self, at: field + i)
                qy += w * fields.load(SIMD8<Float>.self, at: field + p + i)
                qz += w * fields.load(SIMD8<Float>.self, at: field + 2 * p + i)
            }
            modelPoints.store(qx, at: i)
            modelPoints.store(qy, at: p + i)
            modelPoints.store(qz, at: 2 * p + i)
            cameraPoints.store(r.c0.x * qx + r.c1.x * qy + r.c2.x * qz + t.x, at: i)
            cameraPoints.store(r.c0.y * qx + r.c1.y * qy + r.c2.y * qz + t.y, at: p + i)
            cameraPoints.store(r.c0.z * qx + r.c1.z * qy + r.c2.z * qz + t.z, at: 2 * p + i)
        }
    }

    /// Residuals (model − observed, in mm at the face's depth, weighted) and the head-frame projection Jacobians.
    /// Returns the RMS reprojection error in pixels.
    @discardableResult
    func linearise() -> Float {
        let p = Self.points
        let r = rotation
        let t = translation
        let depthScale = t.z / focal  // mm per pixel at the face
        var squared = SIMD8<Float>.zero
        for c in 0 ..< Self.chunks {
            let i = c * 8
            let x = cameraPoints.load(SIMD8<Float>.self, at: i)
            let y = cameraPoints.load(SIMD8<Float>.self, at: p + i)
            let z = cameraPoints.load(SIMD8<Float>.self, at: 2 * p + i)
            let inverseZ = 1 / z
            let pu = x * inverseZ
            let pv = y * inverseZ
            let sw = rootWeight.load(SIMD8<Float>.self, at: i)
            let du = pu * focal + principal.x - observed.load(SIMD8<Float>.self, at: i)
            let dv = pv * focal + principal.y - observed.load(SIMD8<Float>.self, at: p + i)
            squared += (du * du + dv * dv) * (sw * sw)
            residual.store(sw * du * depthScale, at: i)
            residual.store(sw * dv * depthScale, at: p + i)
            let s = sw * t.z * inverseZ
            // ∂u/∂X = s(1, 0, −pu), ∂v/∂X = s(0, 1, −pv), carried into the head frame by Rᵀ.
            let jux = s
            let juz = -s * pu
            let jvy = s
            let jvz = -s * pv
            headJacobian.store(r.c0.x * jux + r.c0.z * juz, at: i)
            headJacobian.store(r.c1.x * jux + r.c1.z * juz, at: p + i)
            headJacobian.store(r.c2.x * jux + r.c2.z * juz, at: 2 * p + i)
            headJacobian.store(r.c0.y * jvy + r.c0.z * jvz, at: 3 * p + i)
            headJacobian.store(r.c1.y * jvy + r.c1.z * jvz, at: 4 * p + i)
            headJacobian.store(r.c2.y * jvy + r.c2.z * jvz, at: 5 * p + i)
        }
        return (squared.sum() / Self.totalLandmarkWeight).squareRoot()
    }
}

// MARK: Small math

@inline(__always)
func sinCos(_ x: SIMD8<Float>) -> (SIMD8<Float>, SIMD8<Float>) {
    // Taylor series to x⁹/x⁸: error < 1e-7 for |x| ≤ 0.5 rad (jaw angles stay below 0.4).
    let x2 = x * x
    var s = SIMD8<Float>(repeating: 1.0 / 362_880)
    s = s * x2 + (-1.0 / 5040)
    s = s * x2 + (1.0 / 120)
    s = s * x2 + (-1.0 / 6)
    s = (s * x2 + 1) * x
    var c = SIMD8<Float>(repeating: 1.0 / 40320)
    c = c * x2 + (-1.0 / 720)
    c = c * x2 + (1.0 / 24)
    c = c * x2 - 0.5
    c = c * x2 + 1
    return (s, c)
}
