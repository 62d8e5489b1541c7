import OmoteMesh
import OmoteNeural
import Testing

/// The three networks, planned from face_landmarker.task, against TensorFlow Lite + XNNPACK outputs on the same input
/// tensors (Fixtures/tflite). The model must be present (Scripts/setup.sh fetches it); a missing model fails loudly.
@Suite struct NetworkFixtureTests {
    @Test("the face detector's scores and regressors match TFLite within 1e-3 on every fixture case")
    func detectorMatchesTFLite() throws {
        let networks = try FaceLandmarkerNetworks()
        let largest = try TFLiteFixtures.largestDifferences(
            networks.detector, fixtures: TFLiteFixtures(),
            name: "face_detector")
        print("face_detector largest |difference| vs TFLite:", largest)
        #expect(largest.count == 2)
        for (name, worst) in largest {
            #expect(worst.difference <= 1e-3, "\(name) differs by \(worst.difference) in case \(worst.caseName)")
        }
    }

    @Test("the landmark network's 478 points match TFLite within 0.01 px of the 256-pixel crop, presence within 1e-3")
    func landmarksMatchTFLite() throws {
        let networks = try FaceLandmarkerNetworks()
        let largest = try TFLiteFixtures.largestDifferences(
            networks.landmarks, fixtures: TFLiteFixtures(),
            name: "face_landmarks_detector")
        print("face_landmarks_detector largest |difference| vs TFLite:", largest)
        #expect(largest.count == 3)
        let landmarks = try #require(largest["Identity"])
        #expect(landmarks.difference <= 0.01, "landmarks differ by \(landmarks.difference) px in \(landmarks.caseName)")
        for name in ["Identity_1", "Identity_2"] {
            let worst = try #require(largest[name])
            #expect(worst.difference <= 1e-3, "\(name) differs by \(worst.difference) in case \(worst.caseName)")
        }
    }

    @Test("the blendshape network's 52 scores match TFLite within 1e-4 on every fixture case")
    func blendshapesMatchTFLite() throws {
        let networks = try FaceLandmarkerNetworks()
        let largest = try TFLiteFixtures.largestDifferences(
            networks.blendshapes, fixtures: TFLiteFixtures(),
            name: "face_blendshapes")
        print("face_blendshapes largest |difference| vs TFLite:", largest)
        let scores = try #require(largest["StatefulPartitionedCall:0"])
        #expect(scores.difference <= 1e-4, "scores differ by \(scores.difference) in case \(scores.caseName)")
    }
}
