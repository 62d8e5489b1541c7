import OmoteCore
import OmoteMesh
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The geometric measures: their arithmetic on hand-made points, their landmark indices on MediaPipe's own landmarks
/// (Fixtures/mediapipe), and their independence from head pose.
@Suite struct MeshGeometricMeasuresTests {
    /// Measures of `landmarks` through the geometry pipeline, as the refinement takes them.
    static func measure(
        _ landmarks: borrowing MeshLandmarks, _ geometry: FaceGeometryPipeline,
        _ canonical: borrowing RigidPrivateBuffer<SIMD3<Float>>
    ) throws -> MeshGeometricMeasures {
        let matrix = try #require(
            try geometry.estimate(
                landmarks, frameWidth: MediaPipeFixture.frameWidth, frameHeight: MediaPipeFixture.frameHeight))
        geometry.canonicalSpaceLandmarks(matrix, into: canonical.view)
        return MeshGeometricMeasures(canonicalSpace: canonical.view)
    }

    /// The real-face frames MediaPipe tracked (its false positive on the cartoon, face_noface 163, left out).
    static func faceFrames() throws -> [MediaPipeFixture.Frame] {
        try MediaPipeFixture().trackedFrames.filter { !($0.clip == "face_noface" && $0.index == 163) }
    }

    @Test("each measure's arithmetic on hand-made canonical-space points")
    func arithmetic() throws {
        let points = try RigidPrivateBuffer<SIMD3<Float>>(count: MeshLandmarks.meshCount)
        // Outer eye corners 9 apart: the unit.
        points[33] = SIMD3(-4.5, 0, 0)
        points[263] = SIMD3(4.5, 0, 0)
        // Inner lips 1.8 apart, nose tip to chin 8.1.
        points[13] = SIMD3(0, -3, 1)
        points[14] = SIMD3(0, -4.8, 1)
        points[1] = SIMD3(0, 0, 3)
        points[152] = SIMD3(0, -8.1, 0)
        // Left eye: inner corner 362 at x 1.5 (3 wide); lids 0.9 apart at all three pairs.
        points[362] = SIMD3(1.5, 0, 0)
        for (upper, lower) in [(385, 380), (386, 374), (387, 373)] {
            points[upper] = SIMD3(3, 0.5, 0)
            points[lower] = SIMD3(3, -0.4, 0)
        }
        // Right eye: inner corner 133 at x −1.5; lids 0.3, 0.6 and 0 apart (mean 0.3).
        points[133] = SIMD3(-1.5, 0, 0)
        for ((upper, lower), gap) in zip([(160, 144), (159, 145), (158, 153)], [Float(0.3), 0.6, 0]) {
            points[upper] = SIMD3(-3, gap / 2, 0)
            points[lower] = SIMD3(-3, -gap / 2, 0)
        }
        // Cheeks 187/411 10.8 apart, mouth corners 61/291 4.5 apart (depth and height do not count).
        points[187] = SIMD3(-5.4, -4, 2)
        points[411] = SIMD3(5.4, -4.5, 1)
        points[61] = SIMD3(-2.25, -4, 2)
        points[291] = SIMD3(2.25, -3, 2)
        // Nostril wings 358 (left) 1.8 and 129 (right) 2.7 from the nose's midline point 4 at x 0.5.
        points[4] = SIMD3(0.5, -1, 3)
        points[358] = SIMD3(2.3, -1.5, 2)
        points[129] = SIMD3(-2.2, -1, 2)
        let measures = MeshGeometricMeasures(canonicalSpace: points.view)
        #expect(abs(measures.cheekWidth - 1.2) < 1e-5 && abs(measures.mouthWidth - 0.5) < 1e-5)
        #expect(abs(measures.nostrilFlare.x - 0.2) < 1e-5 && abs(measures.nostrilFlare.y - 0.3) < 1e-5)
        #expect(abs(measures.interOcular - 9) < 1e-5)
        #expect(abs(measures.lipGap - 0.2) < 1e-5)
        #expect(abs(measures.noseToChin - 0.9) < 1e-5)
        #expect(abs(measures.eyeAperture.x - 0.3) < 1e-5, "left eye: 0.9 / 3")
        #expect(abs(measures.eyeAperture.y - 0.1) < 1e-5, "right eye: 0.3 / 3")

        // Lids that cross read negative (a shut eye's noise), a collapsed face measures nothing.
        points[159] = SIMD3(-3, -1.5, 0)
        points[145] = SIMD3(-3, 1.5, 0)
        #expect(MeshGeometricMeasures(canonicalSpace: points.view).eyeAperture.y < 0)
        points.view.fill(with: .zero)
        #expect(MeshGeometricMeasures(canonicalSpace: points.view) == MeshGeometricMeasures())
    }

    @Test("the landmark indices are where the measures assume on every MediaPipe frame: lids, lips, corners, chin")
    func indicesOnMediaPipeLandmarks() throws {
        let geometry = try FaceGeometryPipeline()
        let canonical = try RigidPrivateBuffer<SIMD3<Float>>(count: MeshLandmarks.meshCount)
        let model = geometry.canonicalModel
        // Canonical +x is the subject's left: 263 and 362 are the left eye's corners, 33 and 133 the right's.
        #expect(model[263].x > model[362].x && model[362].x > 0 && model[33].x < model[133].x && model[133].x < 0)
        var frames = 0
        for frame in try Self.faceFrames() {
            _ = try Self.measure(frame.landmarks, geometry, canonical)
            let p = canonical.view
            for (upper, lower) in [(159, 145), (386, 374), (160, 144), (385, 380), (158, 153), (387, 373)] {
                #expect(p[upper].y > p[lower].y, "\(frame.clip) \(frame.index): \(upper) above \(lower)")
            }
            #expect(p[13].y >= p[14].y - 0.02, "\(frame.clip) \(frame.index): upper inner lip 13 above 14")
            #expect(p[1].y > p[13].y && p[14].y > p[152].y, "nose tip above the lips above the chin")
            #expect(p[263].x > p[33].x, "the subject's left eye on canonical +x")
            #expect(
                p[411].x > p[291].x && p[291].x > 0 && p[187].x < p[61].x && p[61].x < 0, "cheeks outside the mouth")
            frames += 1
        }
        #expect(frames == 144)
    }

    @Test("the measures do not follow the head: rolling the camera 25° changes none by more than 0.001")
    func poseInvariance() throws {
        let geometry = try FaceGeometryPipeline()
        let canonical = try RigidPrivateBuffer<SIMD3<Float>>(count: MeshLandmarks.meshCount)
        var worst: Float = 0
        var worstInImage: Float = 0
        var worstAt = ""
        for frame in try Self.faceFrames() where frame.index % 10 == 0 {
            let upright = try Self.measure(frame.landmarks, geometry, canonical)
            // Roll about the image centre, in pixels: the camera turned about its own axis.
            let pixels = EditedFaces.pixels(frame.points)
            let centre = SIMD3<Float>(
                Float(MediaPipeFixture.frameWidth) / 2, Float(MediaPipeFixture.frameHeight) / 2, 0)
            let angle = Float(25) * .pi / 180
            let rolled = pixels.map { p -> SIMD3<Float> in
                let d = p - centre
                return centre + SIMD3(cosf(angle) * d.x - sinf(angle) * d.y, sinf(angle) * d.x + cosf(angle) * d.y, d.z)
            }
            let turned = try Self.measure(EditedFaces.landmarks(EditedFaces.normalised(rolled)), geometry, canonical)
            let changes = [
                upright.lipGap - turned.lipGap, upright.noseToChin - turned.noseToChin,
                upright.eyeAperture.x - turned.eyeAperture.x, upright.eyeAperture.y - turned.eyeAperture.y,
                upright.cheekWidth - turned.cheekWidth, upright.mouthWidth - turned.mouthWidth,
            ]
            if changes.map(abs).max()! > worst {
                worst = changes.map(abs).max()!
                worstAt = "\(frame.clip) \(frame.index) \(changes)"
            }
            // What the image's own vertical would give for nose-to-chin: the pose undone is what keeps it.
            func imageNoseToChin(_ p: [SIMD3<Float>]) -> Float {
                let corners = p[263] - p[33]
                return (p[152] - p[1]).y / (corners * corners).sum().squareRoot()
            }
            let d = imageNoseToChin(rolled)
            let original = imageNoseToChin(pixels)
            worstInImage = max(worstInImage, abs(d - original))
        }
        print(
            "measures under a 25° roll: largest change \(worst) at \(worstAt) (image-space nose-to-chin: \(worstInImage))"
        )
        #expect(worst <= 1e-3)
        #expect(worstInImage > 0.05, "the roll is large enough to matter without the pose undone")
    }
}
