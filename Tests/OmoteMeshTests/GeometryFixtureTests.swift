import CMallocCounter
import OmoteCore
import OmoteMesh
import OmoteNeural
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The face geometry pipeline alone: MediaPipe's own landmarks (Fixtures/mediapipe) in, the facial transformation
/// matrix out, compared with the matrix MediaPipe reported for the same frame, on every tracked frame.
@Suite struct GeometryFixtureTests {
    /// Row-major 4×4 from the fixture → the rotation (scale divided out) and translation.
    static func reference(_ matrix: [Float]) -> (rotation: Rotation3, translation: SIMD3<Float>, scale: Float) {
        let c0 = SIMD3(matrix[0], matrix[4], matrix[8])
        let c1 = SIMD3(matrix[1], matrix[5], matrix[9])
        let c2 = SIMD3(matrix[2], matrix[6], matrix[10])
        let scale = (c0 * c0).sum().squareRoot()
        return (Rotation3(c0, c1, c2).orthonormalised, SIMD3(matrix[3], matrix[7], matrix[11]), scale)
    }

    /// The angle of a · bᵀ in degrees (atan2 of sine and cosine: acos alone loses small angles in float).
    static func angleDegrees(_ a: Rotation3, _ b: Rotation3) -> Float {
        let r = a * b.transposed
        let cosine = (r.c0.x + r.c1.y + r.c2.z - 1) / 2
        let axis = SIMD3(r.c1.z - r.c2.y, r.c2.x - r.c0.z, r.c0.y - r.c1.x)
        let sine = (axis * axis).sum().squareRoot() / 2
        return atan2f(sine, cosine) * 180 / .pi
    }

    @Test("the facial transformation matrix matches MediaPipe's on every tracked frame (≤ 0.01°, ≤ 0.002 cm)")
    func matrixMatchesMediaPipe() throws {
        let fixture = try MediaPipeFixture()
        let pipeline = try FaceGeometryPipeline()
        var worstAngle: Float = 0
        var worstTranslation: Float = 0
        var worstScale: Float = 0
        var worstElement: Float = 0
        var angleSum: Float = 0
        let frames = fixture.trackedFrames
        #expect(frames.count == 145)
        for frame in frames {
            let matrix = try #require(
                try pipeline.estimate(
                    frame.landmarks, frameWidth: MediaPipeFixture.frameWidth,
                    frameHeight: MediaPipeFixture.frameHeight))
            let expected = Self.reference(frame.matrix)
            let angle = Self.angleDegrees(matrix.rotation, expected.rotation)
            let translation = matrix.translation - expected.translation
            worstAngle = max(worstAngle, angle)
            angleSum += angle
            worstTranslation = max(worstTranslation, (translation * translation).sum().squareRoot())
            worstScale = max(worstScale, abs(matrix.scale - expected.scale))
            for row in 0 ..< 4 {
                for column in 0 ..< 4 {
                    worstElement = max(worstElement, abs(matrix[row, column] - frame.matrix[4 * row + column]))
                }
            }
        }
        print(
            "geometry vs MediaPipe over \(frames.count) tracked frames: rotation largest \(worstAngle)°, mean "
                + "\(angleSum / Float(frames.count))°; translation largest \(worstTranslation) cm; scale largest "
                + "\(worstScale); any element largest \(worstElement)")
        // The fixture has 5 decimals; float32 (MediaPipe, Eigen) against double sums (here) adds ~1e-4 on the
        // translation's ~50 cm.
        #expect(worstAngle <= 0.01)
        #expect(worstTranslation <= 0.002)
        #expect(worstScale <= 5e-5)
        #expect(worstElement <= 1e-3)
    }

    @Test("the head pose is MediaPipe's pose turned 180° about x: millimetres in front of the camera, same angles")
    func headPoseConvertsAxes() throws {
        let fixture = try MediaPipeFixture()
        let pipeline = try FaceGeometryPipeline()
        for frame in fixture.trackedFrames.prefix(72) {
            let matrix = try #require(try pipeline.estimate(frame.landmarks, frameWidth: 640, frameHeight: 360))
            let pose = matrix.headPose
            // In front of the camera (+z forward), tens of centimetres away, 10× MediaPipe's centimetres.
            #expect(pose.translation.z > 200 && pose.translation.z < 2000)
            #expect(abs(pose.translation.x - 10 * matrix.translation.x) < 1e-3)
            #expect(abs(pose.translation.y + 10 * matrix.translation.y) < 1e-3)
            #expect(abs(pose.translation.z + 10 * matrix.translation.z) < 1e-3)
            // The face's forward direction: MediaPipe's model +z (out of the face) is Omote's head −z; both point
            // back at the camera, i.e. along Omote's camera −z and MediaPipe's camera +z.
            let outOfFaceOmote = pose.rotate(SIMD3(0, 0, -1))
            let outOfFaceMediaPipe = matrix.rotation.apply(SIMD3(0, 0, 1))
            #expect(abs(outOfFaceOmote.x - outOfFaceMediaPipe.x) < 1e-5)
            #expect(abs(outOfFaceOmote.y + outOfFaceMediaPipe.y) < 1e-5)
            #expect(abs(outOfFaceOmote.z + outOfFaceMediaPipe.z) < 1e-5)
            #expect(outOfFaceOmote.z < -0.5, "a face in the single_face clip looks roughly at the camera")
        }
        // A frontal face gives the identity in both conventions.
        let frontal = FacialTransformationMatrix(
            columns: (
                SIMD4(1, 0, 0, 0), SIMD4(0, 1, 0, 0), SIMD4(0, 0, 1, 0),
                SIMD4(1, 2, -50, 1)
            ))
        #expect(frontal.headPose.rotation == .identity)
        #expect(frontal.headPose.translation == SIMD3(10, -20, 500))
    }

    @Test("the canonical face: 468 vertices, the subject's left eye at +x, nose tip in front (+z), weighted basis")
    func canonicalFaceIsMediaPipes() throws {
        let bytes = try ModelArchive.bytes(
            named: "geometry_pipeline_metadata_landmarks.binarypb",
            archivePath: FaceLandmarkerNetworks.defaultPath())
        let facts = try FaceGeometryPipeline.canonicalFacts(metadata: bytes)
        #expect(facts.vertexCount == 468)
        // 263 is the outer corner of the subject's left eye, 33 of the right; 1 the nose tip.
        #expect(facts.positions[263].x > 3 && facts.positions[33].x < -3)
        #expect(facts.positions[1].z > 7 && abs(facts.positions[1].x) < 0.01)
        #expect(facts.weightedCount > 10 && facts.weightedCount < 468)
        print("canonical face: \(facts.vertexCount) vertices, \(facts.weightedCount) weighted in the Procrustes basis")
    }

    @Test("estimating the pose makes zero heap allocations after the first frame")
    func noAllocationsPerFrame() throws {
        let fixture = try MediaPipeFixture()
        let pipeline = try FaceGeometryPipeline()
        let landmarks = fixture.trackedFrames[0].landmarks
        _ = try pipeline.estimate(landmarks, frameWidth: 640, frameHeight: 360)
        let before = omote_thread_allocation_count()
        for _ in 0 ..< 3 {
            _ = try pipeline.estimate(landmarks, frameWidth: 640, frameHeight: 360)
        }
        #expect(omote_thread_allocation_count() - before == 0)
    }

    @Test("landmarks collapsed to a point give no pose, as in MediaPipe; a wrong landmark count is refused")
    func degenerateInput() throws {
        let pipeline = try FaceGeometryPipeline()
        let collapsed = try MeshLandmarks()
        for index in 0 ..< MeshLandmarks.count {
            collapsed[index] = SIMD3(0.5, 0.5, 0)
        }
        #expect(try pipeline.estimate(collapsed, frameWidth: 640, frameHeight: 360) == nil)
        var short = try MeshLandmarks()
        short.removeLast()
        do {
            _ = try pipeline.estimate(short, frameWidth: 640, frameHeight: 360)
            Issue.record("477 landmarks were accepted")
        } catch {
            #expect(error.code == .meshInputInvalid)
        }
    }
}
