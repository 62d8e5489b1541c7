import Foundation
import OmoteCapture
import OmoteCore
import Testing

@testable import OmoteVision

/// Tracking box and fit quality, on dlib's detections in SampleFrames (see Docs/landmarks.md for the calibration).
@Suite("Landmark tracking support")
struct LandmarkTrackingTests {
    static func eyeSpan(_ points: [SIMD2<Float>]) -> Float {
        let across = points[45] - points[36]
        return (across * across).sum().squareRoot()
    }

    @Test("trackingRect from dlib's landmarks lands on dlib's HOG box, and predicting from it reproduces the fit")
    func trackingRectMatchesDetector() throws {
        let predictor = try LandmarkTestSupport.predictor()
        var overlaps: [Float] = []
        var errors: [Float] = []
        var landmarks = try FaceLandmarks()
        for entry in LandmarkTestSupport.framesWithFaces {
            try LandmarkTestSupport.withFrame(clip: entry.clip, frame: entry.frame) { image in
                for face in entry.faces {
                    let truth = face.points.map { SIMD2<Float>(Float($0.x), Float($0.y)) }
                    let box = predictor.trackingRect(for: try FaceLandmarks(points: truth))
                    overlaps.append(box.intersectionOverUnion(face.rect))
                    predictor.predict(image, in: box, into: &landmarks)
                    var total: Float = 0
                    for part in 0 ..< 68 {
                        let gap = landmarks[part] - truth[part]
                        total += (gap * gap).sum().squareRoot()
                    }
                    errors.append(total / 68 / Self.eyeSpan(truth))
                }
            }
        }
        #expect(overlaps.count == 144)
        let meanOverlap = overlaps.reduce(0, +) / Float(overlaps.count)
        #expect(overlaps.min()! >= 0.7, "worst IoU with the HOG box \(overlaps.min()!)")
        #expect(meanOverlap >= 0.8, "mean IoU \(meanOverlap)")
        // Re-fitting from the tracking box stays on the face: mean landmark error ≤ 3 % of the eye-corner distance.
        #expect(errors.max()! <= 0.03, "worst re-fit error \(errors.max()!) eye spans")
        print(
            "trackingRect: IoU with HOG box min \(overlaps.min()!) mean \(meanOverlap); re-fit error max \(errors.max()!) eye spans"
        )
    }

    @Test("fitQuality: every detected face passes, non-face frames and boxes pushed off the face fail")
    func fitQualitySeparatesFacesFromDrift() throws {
        let predictor = try LandmarkTestSupport.predictor()
        var landmarks = try FaceLandmarks()
        var faceQualities: [Float] = []
        var driftQualities: [Float] = []
        var nonFaceQualities: [Float] = []
        for entry in LandmarkTestSupport.framesWithFaces where entry.frame % 2 == 0 {
            try LandmarkTestSupport.withFrame(clip: entry.clip, frame: entry.frame) { image in
                for face in entry.faces {
                    predictor.predict(image, in: face.rect, into: &landmarks)
                    faceQualities.append(predictor.fitQuality(image, landmarks: landmarks))
                    for (dx, dy, scale) in [
                        (0.5, 0.0, 1.0), (-0.5, 0.0, 1.0), (0.3, 0.0, 1.0), (0.25, 0.25, 1.0),
                        (0.0, 0.0, 2.0), (0.0, 0.0, 0.5),
                    ] as [(Float, Float, Float)] {
                        let side = face.rect.width * scale
                        let center = face.rect.center + SIMD2(dx, dy) * face.rect.width
                        let drifted = FaceRect(
                            x: center.x - side / 2, y: center.y - side / 2, width: side, height: side)
                        predictor.predict(image, in: drifted, into: &landmarks)
                        driftQualities.append(predictor.fitQuality(image, landmarks: landmarks))
                    }
                }
            }
        }
        let boxes = [
            FaceRect(dlibLeft: 194, top: 114, right: 373, bottom: 293),
            FaceRect(dlibLeft: 211, top: 112, right: 360, bottom: 261),
            FaceRect(x: 40, y: 60, width: 200, height: 200), FaceRect(x: 400, y: 100, width: 120, height: 120),
        ]
        for frame in stride(from: 0, to: 95, by: 4) {
            try LandmarkTestSupport.withFrame(clip: "no_face", frame: frame) { image in
                for box in boxes {
                    predictor.predict(image, in: box, into: &landmarks)
                    nonFaceQualities.append(predictor.fitQuality(image, landmarks: landmarks))
                }
            }
        }
        #expect(faceQualities.count == 72)
        #expect(faceQualities.min()! >= 0.6, "worst face \(faceQualities.min()!)")
        #expect(nonFaceQualities.max()! < 0.4, "best non-face \(nonFaceQualities.max()!)")
        #expect(driftQualities.max()! < 0.5, "best drifted box \(driftQualities.max()!)")
        print(
            "fitQuality: faces min \(faceQualities.min()!), drifted boxes max \(driftQualities.max()!), non-face max \(nonFaceQualities.max()!)"
        )
    }

    @Test("FaceRect ⇄ dlib rectangle round trip")
    func dlibRectangleMapping() {
        let rect = FaceRect(dlibLeft: 194, top: 114, right: 373, bottom: 293)
        #expect(rect == FaceRect(x: 194, y: 114, width: 180, height: 180))
        #expect(rect.dlibRectangle == (194, 114, 373, 293))
    }
}
