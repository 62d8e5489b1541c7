import CMallocCounter
import Foundation
import OmoteCore
import OmoteMesh
import OmoteNeural
import OmoteTestSupport
import Testing

@testable import OmoteMesh

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// BlazeFace decoding (anchors, boxes, keypoints, score, weighted NMS, letterbox) on the detector's raw outputs that
/// TensorFlow Lite produced for three SampleFrames (Tests/OmoteNeuralTests/Fixtures/tflite: 640×360 frames letterboxed
/// into 128×128, rows 28…99), compared with the face MediaPipe's own landmarks put in the same frames.
@Suite struct DetectionDecodingTests {
    static let tfliteDirectory = TestPaths.fixtures(of: "OmoteNeuralTests") + "/tflite"

    /// (regressors, logits) TFLite computed for a detector fixture case.
    static func tfliteOutputs(_ caseName: String) throws -> (regressors: [Float], logits: [Float]) {
        let regressors = try FixtureFile.floats(tfliteDirectory + "/face_detector.\(caseName).out175.f32")
        let logits = try FixtureFile.floats(tfliteDirectory + "/face_detector.\(caseName).out174.f32")
        return (regressors, logits)
    }

    static func decode(_ decoder: FaceDetectionDecoder, _ outputs: (regressors: [Float], logits: [Float])) throws {
        try outputs.regressors.withUnsafeBufferPointer { regressors in
            try outputs.logits.withUnsafeBufferPointer { logits in
                try decoder.decode(
                    regressors: regressors, logits: logits,
                    letterbox: Letterbox(frameWidth: 640, frameHeight: 360))
            }
        }
    }

    /// The box around MediaPipe's 468 mesh points and its two iris centres (468 and 473), normalised.
    static func meshFacts(_ landmarks: borrowing MeshLandmarks) -> (
        box: SIMD4<Float>, irises: (SIMD2<Float>, SIMD2<Float>)
    ) {
        var low = SIMD2<Float>(repeating: .infinity)
        var high = SIMD2<Float>(repeating: -.infinity)
        for point in (0 ..< MeshLandmarks.meshCount).map({ landmarks[$0] }) {
            low = pointwiseMin(low, SIMD2(point.x, point.y))
            high = pointwiseMax(high, SIMD2(point.x, point.y))
        }
        let iris468 = SIMD2(landmarks[468].x, landmarks[468].y)
        let iris473 = SIMD2(landmarks[473].x, landmarks[473].y)
        return (SIMD4(low.x, low.y, high.x, high.y), (iris468, iris473))
    }

    static func largestDifference<V: SIMD>(_ a: V, _ b: V) -> Float where V.Scalar == Float {
        var largest: Float = 0
        for lane in 0 ..< V.scalarCount {
            largest = max(largest, abs(a[lane] - b[lane]))
        }
        return largest
    }

    @Test("896 anchors: 16×16 cells × 2, then 8×8 cells × 6, centred in their cells")
    func anchorLayout() {
        let anchors = FaceDetectorAnchors.centres()
        #expect(anchors.count == 896)
        #expect(anchors[0] == SIMD2(0.5 / 16, 0.5 / 16) && anchors[1] == anchors[0])
        #expect(anchors[2] == SIMD2(1.5 / 16, 0.5 / 16))
        #expect(anchors[511] == SIMD2(15.5 / 16, 15.5 / 16))
        #expect(anchors[512] == SIMD2(0.5 / 8, 0.5 / 8) && anchors[517] == anchors[512])
        #expect(anchors[518] == SIMD2(1.5 / 8, 0.5 / 8))
        #expect(anchors[895] == SIMD2(7.5 / 8, 7.5 / 8))
    }

    @Test("the letterbox of a 640×360 frame is rows 28…99 of 128; removing it maps those rows onto the frame")
    func letterboxGeometry() {
        let letterbox = Letterbox(frameWidth: 640, frameHeight: 360)
        #expect(letterbox.padding == SIMD4(0, 28.0 / 128, 0, 28.0 / 128))
        #expect(letterbox.removing(SIMD2(0, 28.0 / 128)) == SIMD2(0, 0))
        #expect(letterbox.removing(SIMD2(1, 100.0 / 128)) == SIMD2(1, 1))
        #expect(Letterbox(frameWidth: 360, frameHeight: 640).padding == SIMD4(28.0 / 128, 0, 28.0 / 128, 0))
    }

    @Test("the two face frames give one face where MediaPipe's landmarks put it; the cartoon gives none")
    func decodesTheFixtureFrames() throws {
        let fixture = try MediaPipeFixture()
        let decoder = FaceDetectionDecoder()
        for (caseName, clip, frameIndex) in [("sf0000", "single_face", 0), ("fn0040", "face_noface", 40)] {
            let outputs = try Self.tfliteOutputs(caseName)
            try Self.decode(decoder, outputs)
            #expect(decoder.detections.count == 1, "\(caseName): \(decoder.detections.count) detections")
            let detection = try #require(decoder.detections.first)
            // The kept detection's score is the best anchor's own.
            let best = outputs.logits.max()!
            #expect(abs(detection.score - 1 / (1 + expf(-best))) < 1e-6)
            let frame = try #require(fixture.frames.first { $0.clip == clip && $0.index == frameIndex })
            let mesh = Self.meshFacts(frame.landmarks)
            let ours = FaceDetection(box: detection.box)
            let theirs = FaceDetection(box: mesh.box)
            let iou = ours.intersectionOverUnion(theirs)
            // Keypoint 0 is the eye on the image's left: the subject's right eye, MediaPipe's iris 468.
            let pixels = SIMD2<Float>(640, 360)
            let eye0 = ((detection.keypoint(0) - mesh.irises.0) * pixels)
            let eye1 = ((detection.keypoint(1) - mesh.irises.1) * pixels)
            let eyeError = max((eye0 * eye0).sum().squareRoot(), (eye1 * eye1).sum().squareRoot())
            print(
                "\(caseName): score \(detection.score), IoU with the mesh's box \(iou), box "
                    + "\(detection.box * SIMD4(640, 360, 640, 360)) px vs mesh \(mesh.box * SIMD4(640, 360, 640, 360)) px, "
                    + "eye keypoints \(eyeError) px from the iris centres")
            #expect(iou > 0.7)
            #expect(eyeError < 8)
        }
        try Self.decode(decoder, try Self.tfliteOutputs("nf0000"))
        #expect(decoder.detections.isEmpty)
    }

    @Test("our detector network on the fixture input decodes to TFLite's detection within 1e-4")
    func ourNetworkDecodesAlike() throws {
        let network = try ModelArchive.network(
            named: FaceLandmarkerNetworks.detectorMember,
            archivePath: FaceLandmarkerNetworks.defaultPath())
        let pixels = try Data(contentsOf: URL(fileURLWithPath: Self.tfliteDirectory + "/face_detector.sf0000.in0.u8"))
        let input = network.input(0)
        for (index, byte) in pixels.enumerated() {
            input[index] = Float((Double(byte) - 127.5) / 127.5)
        }
        network.run()
        let regressorsIndex = try #require(network.outputIndex(named: "regressors"))
        let logitsIndex = try #require(network.outputIndex(named: "classificators"))
        let ours = FaceDetectionDecoder()
        try ours.decode(
            regressors: network.output(regressorsIndex), logits: network.output(logitsIndex),
            letterbox: Letterbox(frameWidth: 640, frameHeight: 360))
        let reference = FaceDetectionDecoder()
        try Self.decode(reference, try Self.tfliteOutputs("sf0000"))
        #expect(ours.detections.count == reference.detections.count)
        for (a, b) in zip(ours.detections, reference.detections) {
            #expect(abs(a.score - b.score) < 1e-4)
            #expect(Self.largestDifference(a.box, b.box) < 1e-4)
            #expect(Self.largestDifference(a.keypointX, b.keypointX) < 1e-4)
            #expect(Self.largestDifference(a.keypointY, b.keypointY) < 1e-4)
        }
    }

    @Test("weighted NMS merges overlapping boxes by score, keeps separate faces, best first")
    func weightedSuppression() throws {
        // Three anchors at the first cell: two overlapping detections (scores from logits 2 and 0) and, from the
        // last anchor, a separate face.
        var regressors = [Float](repeating: 0, count: 896 * 16)
        var logits = [Float](repeating: -10, count: 896)
        func place(_ anchor: Int, centre: SIMD2<Float>, size: Float, logit: Float) {
            let anchorCentre = FaceDetectorAnchors.centres()[anchor]
            regressors[anchor * 16] = (centre.x - anchorCentre.x) * 128
            regressors[anchor * 16 + 1] = (centre.y - anchorCentre.y) * 128
            regressors[anchor * 16 + 2] = size * 128
            regressors[anchor * 16 + 3] = size * 128
            for keypoint in 0 ..< 6 {
                regressors[anchor * 16 + 4 + 2 * keypoint] = (centre.x - anchorCentre.x) * 128
                regressors[anchor * 16 + 5 + 2 * keypoint] = (centre.y - anchorCentre.y) * 128
            }
            logits[anchor] = logit
        }
        place(0, centre: SIMD2(0.30, 0.30), size: 0.2, logit: 2)
        place(1, centre: SIMD2(0.32, 0.30), size: 0.2, logit: 0)
        place(895, centre: SIMD2(0.8, 0.8), size: 0.1, logit: 1)
        let decoder = FaceDetectionDecoder()
        try regressors.withUnsafeBufferPointer { r in
            try logits.withUnsafeBufferPointer { l in
                // A square frame: no letterbox, so positions stay as placed.
                try decoder.decode(regressors: r, logits: l, letterbox: Letterbox(frameWidth: 128, frameHeight: 128))
            }
        }
        #expect(decoder.detections.count == 2)
        let first = try #require(decoder.detections.first)
        let high = 1 / (1 + expf(-2))
        let low: Float = 0.5
        let mergedX = (0.30 * high + 0.32 * low) / (high + low)
        #expect(abs(first.score - high) < 1e-6)
        #expect(abs((first.box.x + first.box.z) / 2 - mergedX) < 1e-5)
        #expect(abs(first.keypointX[0] - mergedX) < 1e-5)
        #expect(abs(decoder.detections[1].box.x - 0.75) < 1e-5)
        // Raising the threshold above the lower score leaves no merge partner.
        decoder.minimumScore = 0.6
        try regressors.withUnsafeBufferPointer { r in
            try logits.withUnsafeBufferPointer { l in
                try decoder.decode(regressors: r, logits: l, letterbox: Letterbox(frameWidth: 128, frameHeight: 128))
            }
        }
        #expect(decoder.detections.count == 2)
        #expect(abs((decoder.detections[0].box.x + decoder.detections[0].box.z) / 2 - 0.30) < 1e-5)
    }

    @Test("decoding makes zero heap allocations after the first frame; wrong sizes are refused")
    func noAllocationsAndBadSizes() throws {
        let outputs = try Self.tfliteOutputs("sf0000")
        let decoder = FaceDetectionDecoder()
        try Self.decode(decoder, outputs)
        try outputs.regressors.withUnsafeBufferPointer { regressors in
            try outputs.logits.withUnsafeBufferPointer { logits in
                let letterbox = Letterbox(frameWidth: 640, frameHeight: 360)
                let before = omote_thread_allocation_count()
                for _ in 0 ..< 3 {
                    try decoder.decode(regressors: regressors, logits: logits, letterbox: letterbox)
                }
                #expect(omote_thread_allocation_count() - before == 0)
                do {
                    try decoder.decode(
                        regressors: UnsafeBufferPointer(rebasing: regressors[16...]), logits: logits,
                        letterbox: letterbox)
                    Issue.record("short regressors accepted")
                } catch {
                    #expect((error as? OmoteError)?.code == .meshInputInvalid)
                }
            }
        }
    }
}
