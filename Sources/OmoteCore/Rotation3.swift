#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A 3×3 rotation matrix stored as its three columns: the images of the x, y and z axes. The one rotation type of
/// every layer (mesh, rig, view), so the same "c0·x + c1·y + c2·z" is written once.
public struct Rotation3: Sendable, Equatable, BitwiseCopyable {
    public var c0: SIMD3<Float>
    public var c1: SIMD3<Float>
    public var c2: SIMD3<Float>

    public init(_ c0: SIMD3<Float>, _ c1: SIMD3<Float>, _ c2: SIMD3<Float>) {
        self.c0 = c0
        self.c1 = c1
        self.c2 = c2
    }

    public static let identity = Rotation3(SIMD3(1, 0, 0), SIMD3(0, 1, 0), SIMD3(0, 0, 1))

    /// Rodrigues' formula: the rotation by `|w|` radians about the axis `w / |w|`.
    public init(rotationVector w: SIMD3<Float>) {
        let angle = (w * w).sum().squareRoot()
        guard angle > 1e-12 else {
            self = .identity
            return
        }
        let k = w / angle
        let c = cosf(angle)
        let s = sinf(angle)
        let v = 1 - c
        self.init(
            SIMD3(c + k.x * k.x * v, k.y * k.x * v + k.z * s, k.z * k.x * v - k.y * s),
            SIMD3(k.x * k.y * v - k.z * s, c + k.y * k.y * v, k.z * k.y * v + k.x * s),
            SIMD3(k.x * k.z * v + k.y * s, k.y * k.z * v - k.x * s, c + k.z * k.z * v)
        )
    }

    /// The rotation vector (axis × angle) of this rotation, for angles below π.
    public var rotationVector: SIMD3<Float> {
        let trace = c0.x + c1.y + c2.z
        let angle = acosf(min(1, max(-1, (trace - 1) / 2)))
        let axis = SIMD3(c1.z - c2.y, c2.x - c0.z, c0.y - c1.x)
        let sine = sinf(angle)
        guard sine > 1e-6 else { return axis * 0.5 }
        return axis * (angle / (2 * sine))
    }

    /// Rotates `v`.
    @inline(__always)
    public func apply(_ v: SIMD3<Float>) -> SIMD3<Float> { c0 * v.x + c1 * v.y + c2 * v.z }

    @inline(__always)
    public static func * (a: Rotation3, b: Rotation3) -> Rotation3 {
        Rotation3(a.apply(b.c0), a.apply(b.c1), a.apply(b.c2))
    }

    public var transposed: Rotation3 {
        Rotation3(SIMD3(c0.x, c1.x, c2.x), SIMD3(c0.y, c1.y, c2.y), SIMD3(c0.z, c1.z, c2.z))
    }

    /// The nearest rotation by Gram–Schmidt on the columns (removes drift after many small updates).
    public var orthonormalised: Rotation3 {
        func normalise(_ v: SIMD3<Float>) -> SIMD3<Float> { v / (v * v).sum().squareRoot() }
        let x = normalise(c0)
        let y = normalise(c1 - (c1 * x).sum() * x)
        let z = SIMD3(x.y * y.z - x.z * y.y, x.z * y.x - x.x * y.z, x.x * y.y - x.y * y.x)
        return Rotation3(x, y, z)
    }
}
