import Foundation
import OmoteCapture
import OmoteCore
import Testing

@testable import OmoteVision

/// Our detector against OpenCV 4's detectMultiScale (fixture made by Tools/reference/opencv/make-fixture.py).
@Suite struct DetectionAgreementTests {
    @Test(arguments: ["lbp", "haar", "alt2", "smile", "eyeglasses"])
    func agreesWithOpenCV(cascade name: String) throws {
        let detector = try DetectionTestSupport.detector(name)
        let references = DetectionTestSupport.references.filter { $0.cascade == name }
        try #require(
            references.count == (["smile", "eyeglasses"].contains(name) ? 85 : 336), "fixture rows for \(name)")
        var exact = 0
        var agreeing = 0
        var faces: [FaceRect] = []
        var mismatches: [String] = []
        let byFrame = Dictionary(uniqueKeysWithValues: references.map { ("\($0.clip)/\($0.frame)", $0) })
        try DetectionTestSupport.withFrames { clip, frame, image in
            guard let reference = byFrame["\(clip)/\(frame)"] else { return }
            detector.findFaces(in: image, within: nil, into: &faces)
            let ours = DetectionTestSupport.sorted(faces)
            if ours == reference.boxes {
                exact += 1
            } else {
                mismatches.append("\(clip)/\(frame): \(ours) vs \(reference.boxes)")
            }
            if DetectionTestSupport.agrees(ours, reference.boxes) { agreeing += 1 }
        }
        print(
            "detection agreement \(name): exact \(exact)/\(references.count), IoU≥0.9 \(agreeing)/\(references.count)")
        for line in mismatches.prefix(5) { print("  mismatch \(name) \(line)") }
        #expect(Double(agreeing) >= 0.98 * Double(references.count))
    }

    @Test func noFaceClipHasNoFacesWithLBP() throws {
        let detector = try DetectionTestSupport.detector("lbp")
        var frames = 0
        var faces: [FaceRect] = []
        try DetectionTestSupport.withFrames { clip, _, image in
            guard clip == "no_face" else { return }
            frames += 1
            detector.findFaces(in: image, within: nil, into: &faces)
            #expect(faces.isEmpty)
        }
        #expect(frames == 95)
    }

    @Test func regionRestrictsTheSearch() throws {
        let detector = try DetectionTestSupport.detector("lbp")
        try LandmarkTestSupport.withFrame(clip: "single_face", frame: 0) { image in
            let everywhere = detector.detect(image)
            try #require(everywhere.count == 1)
            let face = everywhere[0]
            // A region around the face finds it (in image coordinates) …
            let around = FaceRect(x: face.x - 40, y: face.y - 40, width: face.width + 80, height: face.height + 80)
            let inside = detector.detect(image, within: around)
            #expect(inside.count == 1)
            for found in inside {
                #expect(found.x >= around.x && found.y >= around.y)
                #expect(found.x + found.width <= around.x + around.width + 0.5)
                #expect(found.intersectionOverUnion(face) > 0.6)
            }
            // … a region away from it finds nothing, and a region off the image is empty.
            let away = FaceRect(x: 0, y: 0, width: max(0, face.x - 10), height: Float(image.height))
            #expect(detector.detect(image, within: away).isEmpty)
            #expect(detector.detect(image, within: FaceRect(x: 5000, y: 0, width: 100, height: 100)).isEmpty)
            #expect(detector.detect(image, within: FaceRect(x: -1e30, y: -1e30, width: 1e30, height: 1e30)).isEmpty)
            #expect(detector.detect(image, within: FaceRect(x: .nan, y: 0, width: 100, height: 100)).isEmpty)
            #expect(detector.detect(image, within: FaceRect(x: -1e30, y: -1e30, width: 3e30, height: 3e30)).count == 1)
        }
    }

    @Test func reusedDetectorGivesTheSameBoxes() throws {
        let detector = try DetectionTestSupport.detector("haar")
        var first: [FaceRect] = []
        var second: [FaceRect] = []
        try LandmarkTestSupport.withFrame(clip: "single_face", frame: 3) { image in
            detector.findFaces(in: image, within: nil, into: &first)
            _ = detector.detect(image, within: FaceRect(x: 0, y: 0, width: 200, height: 200))
            detector.findFaces(in: image, within: nil, into: &second)
        }
        #expect(first == second)
    }
}
