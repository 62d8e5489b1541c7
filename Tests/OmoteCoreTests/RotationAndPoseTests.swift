import OmoteCore
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("Rotation3 and HeadPose: one rotation type, one Euler convention")
struct RotationAndPoseTests {
    private func close(_ a: SIMD3<Float>, _ b: SIMD3<Float>, _ tolerance: Float = 1e-5) -> Bool {
        ((a - b) * (a - b)).sum().squareRoot() < tolerance
    }

    @Test("Rodrigues and the rotation vector are inverse for angles below π")
    func rotationVectorRoundTrip() {
        for w in [SIMD3<Float>(0.3, -0.2, 0.1), SIMD3(0, 1.2, 0), SIMD3(-2.0, 0.5, 1.0)] {
            #expect(close(Rotation3(rotationVector: w).rotationVector, w, 1e-4))
        }
        #expect(Rotation3(rotationVector: .zero) == .identity)
    }

    @Test("Composition, transpose and apply agree: R · Rᵀ is the identity")
    func transposeIsInverse() {
        let r = Rotation3(rotationVector: SIMD3(0.4, 0.1, -0.7))
        let product = r * r.transposed
        #expect(
            close(product.c0, SIMD3(1, 0, 0)) && close(product.c1, SIMD3(0, 1, 0)) && close(product.c2, SIMD3(0, 0, 1)))
        let v = SIMD3<Float>(1, 2, 3)
        #expect(close(r.transposed.apply(r.apply(v)), v))
    }

    @Test("Gram–Schmidt returns an orthonormal right-handed basis from a drifted one")
    func orthonormalisedIsARotation() {
        let drifted = Rotation3(SIMD3(1.01, 0.02, 0), SIMD3(-0.01, 0.98, 0.03), SIMD3(0, -0.02, 1.02))
        let r = drifted.orthonormalised
        #expect(abs((r.c0 * r.c1).sum()) < 1e-6 && abs((r.c1 * r.c2).sum()) < 1e-6)
        #expect(abs((r.c0 * r.c0).sum() - 1) < 1e-6 && abs((r.c2 * r.c2).sum() - 1) < 1e-6)
    }

    @Test("yawPitchRoll recovers the angles of Rz(roll) · Ry(yaw) · Rx(pitch)")
    func eulerConvention() {
        let (yaw, pitch, roll): (Float, Float, Float) = (0.3, -0.2, 0.15)
        let ry = Rotation3(SIMD3(cosf(yaw), 0, -sinf(yaw)), SIMD3(0, 1, 0), SIMD3(sinf(yaw), 0, cosf(yaw)))
        let rx = Rotation3(SIMD3(1, 0, 0), SIMD3(0, cosf(pitch), sinf(pitch)), SIMD3(0, -sinf(pitch), cosf(pitch)))
        let rz = Rotation3(SIMD3(cosf(roll), sinf(roll), 0), SIMD3(-sinf(roll), cosf(roll), 0), SIMD3(0, 0, 1))
        let pose = HeadPose(rotation: rz * ry * rx)
        #expect(close(pose.yawPitchRoll, SIMD3(yaw, pitch, roll)))
    }

    @Test("Expression values never reach a log line")
    func redacted() {
        #expect("\(HeadPose())" == "HeadPose(redacted)")
        #expect("\(FaceFrameResult())" == "FaceFrameResult(redacted)")
        #expect("\(BlendshapeWeights())".contains("redacted"))
    }
}
