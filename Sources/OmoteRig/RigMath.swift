import Foundation

// Small affine/quaternion math for the rig. Load-time code uses it freely; the per-frame path only multiplies a few
// of these per frame and applies them to vertices in tight loops (see RigState).

/// An affine transform: `p' = c0*p.x + c1*p.y + c2*p.z + t` (a 3×3 linear part stored as columns plus a translation).
public struct RigAffine: Sendable, Equatable, BitwiseCopyable {
    public var c0: SIMD3<Float>
    public var c1: SIMD3<Float>
    public var c2: SIMD3<Float>
    public var t: SIMD3<Float>

    public init(c0: SIMD3<Float>, c1: SIMD3<Float>, c2: SIMD3<Float>, t: SIMD3<Float>) {
        self.c0 = c0
        self.c1 = c1
        self.c2 = c2
        self.t = t
    }

    public static let identity = RigAffine(c0: SIMD3(1, 0, 0), c1: SIMD3(0, 1, 0), c2: SIMD3(0, 0, 1), t: .zero)

    /// glTF's column-major 4×4 `matrix` (the last row is assumed to be 0 0 0 1).
    init(columnMajor m: [Float]) {
        self.init(
            c0: SIMD3(m[0], m[1], m[2]), c1: SIMD3(m[4], m[5], m[6]), c2: SIMD3(m[8], m[9], m[10]),
            t: SIMD3(m[12], m[13], m[14]))
    }

    /// glTF's translation · rotation · scale.
    init(translation: SIMD3<Float>, rotation: RigQuaternion, scale: SIMD3<Float>) {
        let r = rotation.matrix
        self.init(c0: r.c0 * scale.x, c1: r.c1 * scale.y, c2: r.c2 * scale.z, t: translation)
    }

    static func uniformScale(_ s: Float, translation: SIMD3<Float> = .zero) -> RigAffine {
        RigAffine(c0: SIMD3(s, 0, 0), c1: SIMD3(0, s, 0), c2: SIMD3(0, 0, s), t: translation)
    }

    /// Rotation `r` about the point `pivot`.
    static func rotation(_ r: RigAffine, about pivot: SIMD3<Float>) -> RigAffine {
        var m = r
        m.t = pivot - r.applyVector(pivot)
        return m
    }

    @inline(__always)
    public func apply(_ p: SIMD3<Float>) -> SIMD3<Float> { c0 * p.x + c1 * p.y + c2 * p.z + t }

    @inline(__always)
    public func applyVector(_ v: SIMD3<Float>) -> SIMD3<Float> { c0 * v.x + c1 * v.y + c2 * v.z }

    /// `self ∘ other` (apply `other` first).
    public static func * (a: RigAffine, b: RigAffine) -> RigAffine {
        RigAffine(c0: a.applyVector(b.c0), c1: a.applyVector(b.c1), c2: a.applyVector(b.c2), t: a.apply(b.t))
    }

    var linearDeterminant: Float {
        let cross12 = SIMD3(c1.y * c2.z - c1.z * c2.y, c1.z * c2.x - c1.x * c2.z, c1.x * c2.y - c1.y * c2.x)
        return (c0 * cross12).sum()
    }

    /// The inverse, or nil for a singular linear part.
    var inverse: RigAffine? {
        let det = linearDeterminant
        guard det.isFinite, abs(det) > 1e-20 else { return nil }
        // Rows of the inverse are the cross products of the columns divided by the determinant.
        let r0 = cross(c1, c2) / det
        let r1 = cross(c2, c0) / det
        let r2 = cross(c0, c1) / det
        let ic0 = SIMD3(r0.x, r1.x, r2.x)
        let ic1 = SIMD3(r0.y, r1.y, r2.y)
        let ic2 = SIMD3(r0.z, r1.z, r2.z)
        let inv = RigAffine(c0: ic0, c1: ic1, c2: ic2, t: .zero)
        return RigAffine(c0: ic0, c1: ic1, c2: ic2, t: -inv.applyVector(t))
    }

    /// The matrix that transforms normals (inverse transpose of the linear part, up to scale: the cofactor matrix).
    var normalMatrix: RigAffine {
        var cof = RigAffine(c0: cross(c1, c2), c1: cross(c2, c0), c2: cross(c0, c1), t: .zero)
        if linearDeterminant < 0 { cof = RigAffine(c0: -cof.c0, c1: -cof.c1, c2: -cof.c2, t: .zero) }
        return cof
    }

    /// Scales every part (for weighted sums of transforms in skinning).
    static func weighted(_ m: RigAffine, _ w: Float) -> RigAffine {
        RigAffine(c0: m.c0 * w, c1: m.c1 * w, c2: m.c2 * w, t: m.t * w)
    }

    static func + (a: RigAffine, b: RigAffine) -> RigAffine {
        RigAffine(c0: a.c0 + b.c0, c1: a.c1 + b.c1, c2: a.c2 + b.c2, t: a.t + b.t)
    }
}

@inline(__always)
func cross(_ a: SIMD3<Float>, _ b: SIMD3<Float>) -> SIMD3<Float> {
    SIMD3(a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x)
}

@inline(__always)
func dot(_ a: SIMD3<Float>, _ b: SIMD3<Float>) -> Float { (a * b).sum() }

@inline(__always)
func length(_ a: SIMD3<Float>) -> Float { dot(a, a).squareRoot() }

func normalized(_ a: SIMD3<Float>, fallback: SIMD3<Float> = SIMD3(0, 0, 1)) -> SIMD3<Float> {
    let l = length(a)
    return l > 1e-20 && l.isFinite ? a / l : fallback
}

/// A unit quaternion (x, y, z, w), glTF's layout.
struct RigQuaternion: Sendable, Equatable {
    var v: SIMD4<Float>

    static let identity = RigQuaternion(v: SIMD4(0, 0, 0, 1))

    init(v: SIMD4<Float>) { self.v = v }

    init(axis: SIMD3<Float>, angle: Float) {
        let a = normalized(axis)
        let s = sinf(angle / 2)
        v = SIMD4(a.x * s, a.y * s, a.z * s, cosf(angle / 2))
    }

    /// From a rotation matrix given by columns (orthonormalised implicitly by the normalisation of the result).
    init(columns c0: SIMD3<Float>, _ c1: SIMD3<Float>, _ c2: SIMD3<Float>) {
        let m00 = c0.x
        let m11 = c1.y
        let m22 = c2.z
        let trace = m00 + m11 + m22
        var q: SIMD4<Float>
        if trace > 0 {
            let s = (trace + 1).squareRoot() * 2
            q = SIMD4((c1.z - c2.y) / s, (c2.x - c0.z) / s, (c0.y - c1.x) / s, s / 4)
        } else if m00 > m11 && m00 > m22 {
            let s = (1 + m00 - m11 - m22).squareRoot() * 2
            q = SIMD4(s / 4, (c1.x + c0.y) / s, (c2.x + c0.z) / s, (c1.z - c2.y) / s)
        } else if m11 > m22 {
            let s = (1 + m11 - m00 - m22).squareRoot() * 2
            q = SIMD4((c1.x + c0.y) / s, s / 4, (c2.y + c1.z) / s, (c2.x - c0.z) / s)
        } else {
            let s = (1 + m22 - m00 - m11).squareRoot() * 2
            q = SIMD4((c2.x + c0.z) / s, (c2.y + c1.z) / s, s / 4, (c0.y - c1.x) / s)
        }
        let n = (q * q).sum().squareRoot()
        v = n > 1e-20 && n.isFinite ? q / n : SIMD4(0, 0, 0, 1)
    }

    var normalizedOrIdentity: RigQuaternion {
        let n = (v * v).sum().squareRoot()
        return n > 1e-20 && n.isFinite ? RigQuaternion(v: v / n) : .identity
    }

    var matrix: RigAffine {
        let x = v.x
        let y = v.y
        let z = v.z
        let w = v.w
        return RigAffine(
            c0: SIMD3(1 - 2 * (y * y + z * z), 2 * (x * y + z * w), 2 * (x * z - y * w)),
            c1: SIMD3(2 * (x * y - z * w), 1 - 2 * (x * x + z * z), 2 * (y * z + x * w)),
            c2: SIMD3(2 * (x * z + y * w), 2 * (y * z - x * w), 1 - 2 * (x * x + y * y)),
            t: .zero)
    }

    /// `q^fraction`: the same axis, `fraction` of the angle (shortest arc).
    func power(_ fraction: Float) -> RigQuaternion {
        var q = v
        if q.w < 0 { q = -q }
        let w = min(max(q.w, -1), 1)
        let half = acosf(w)
        let s = sinf(half)
        guard s > 1e-7 else { return .identity }
        let axis = SIMD3(q.x, q.y, q.z) / s
        let newHalf = half * fraction
        let sn = sinf(newHalf)
        return RigQuaternion(v: SIMD4(axis.x * sn, axis.y * sn, axis.z * sn, cosf(newHalf)))
    }
}
