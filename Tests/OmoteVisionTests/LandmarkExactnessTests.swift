import Foundation
import OmoteCapture
import OmoteCore
import Testing

@testable import OmoteVision

/// Our predictor against dlib's own, on every face dlib's HOG detector finds in SampleFrames (fixture made by
/// Tools/reference/dlib, see Docs/landmarks.md).
@Suite("Landmarks match dlib")
struct LandmarkExactnessTests {
    @Test("Every SampleFrames face: floats within 0.01 px (≥ 99.5 %), all within 1 px, rounded equal dlib's")
    func matchesDlibOnAllSampleFrames() throws {
        let predictor = try LandmarkTestSupport.predictor()
        let frames = LandmarkTestSupport.framesWithFaces
        #expect(LandmarkTestSupport.faces.count == 144, "fixture rows")
        var points = 0
        var close = 0
        var roundedEqual = 0
        var worst = 0.0
        var landmarks = try FaceLandmarks()
        for entry in frames {
            try LandmarkTestSupport.withFrame(clip: entry.clip, frame: entry.frame) { image in
                for face in entry.faces {
                    let ours = predictor.predictPrecisely(image, in: face.rect)
                    predictor.predict(image, in: face.rect, into: &landmarks)
                    for part in 0 ..< 68 {
                        let distance = ((ours[part] - face.points[part]) * (ours[part] - face.points[part])).sum()
                            .squareRoot()
                        worst = max(worst, distance)
                        points += 1
                        if distance <= 0.01 { close += 1 }
                        let rounded = SIMD2(
                            Int((ours[part].x + 0.5).rounded(.down)), Int((ours[part].y + 0.5).rounded(.down)))
                        if rounded == face.rounded[part] { roundedEqual += 1 }
                        let public32 = SIMD2<Double>(Double(landmarks[part].x), Double(landmarks[part].y))
                        let gap = public32 - ours[part]
                        #expect(max(abs(gap.x), abs(gap.y)) < 1e-3, "predict() is the same fit in Float")
                    }
                }
            }
        }
        #expect(points == 144 * 68)
        #expect(Double(close) >= 0.995 * Double(points), "\(close) of \(points) within 0.01 px")
        #expect(worst <= 1, "worst point \(worst) px")
        #expect(roundedEqual == points, "\(points - roundedEqual) rounded points differ from dlib's")
        print(
            "landmarks vs dlib: \(close)/\(points) within 0.01 px, worst \(worst) px, rounded equal \(roundedEqual)/\(points)"
        )
    }
}
