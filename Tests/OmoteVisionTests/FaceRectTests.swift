import OmoteCore
import OmoteVision
import Testing

@Test("Intersection over union of face boxes")
func intersectionOverUnion() throws {
    let a = FaceRect(x: 0, y: 0, width: 10, height: 10)
    #expect(a.intersectionOverUnion(a) == 1)
    #expect(a.intersectionOverUnion(FaceRect(x: 20, y: 20, width: 5, height: 5)) == 0)
    #expect(abs(a.intersectionOverUnion(FaceRect(x: 5, y: 0, width: 10, height: 10)) - 50.0 / 150.0) < 1e-6)
    let landmarks = try FaceLandmarks()
    #expect("\(landmarks)".contains("redacted"))
}
