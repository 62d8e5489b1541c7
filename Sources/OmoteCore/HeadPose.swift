#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Head pose in the camera frame: the head's rotation and its translation in millimetres.
/// Camera convention: +x right, +y down, +z forward (into the scene), as for image coordinates.
public struct HeadPose: Sendable, Equatable, BitwiseCopyable {
    public var rotation: Rotation3
    public var translation: SIMD3<Float>

    public init(rotation: Rotation3 = .identity, translation: SIMD3<Float> = SIMD3(0, 0, 600)) {
        self.rotation = rotation
        self.translation = translation
    }

    /// Rotates a head-frame vector into the camera frame.
    @inline(__always)
    public func rotate(_ v: SIMD3<Float>) -> SIMD3<Float> { rotation.apply(v) }

    /// Yaw, pitch and roll in radians: the one Euler convention Omote uses (the tracker, the rig and the live view alike).
    /// R = Rz(roll) · Ry(yaw) · Rx(pitch) applied to column vectors: yaw about camera +y, pitch about +x, roll about +z.
    public var yawPitchRoll: SIMD3<Float> {
        let yaw = asinf(max(-1, min(1, -rotation.c0.z)))
        let pitch = atan2f(rotation.c1.z, rotation.c2.z)
        let roll = atan2f(rotation.c0.y, rotation.c0.x)
        return SIMD3(yaw, pitch, roll)
    }
}

extension HeadPose: CustomStringConvertible {
    /// Redacted: expression data never reaches a log line.
    public var description: String { "HeadPose(redacted)" }
}
