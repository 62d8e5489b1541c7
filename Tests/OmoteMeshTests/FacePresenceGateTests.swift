import OmoteMesh
import Testing

/// Omote's presence bar (`MeshTracker.minimumPresenceLogit`) over the three sample clips: a face on every frame of the
/// real face (single_face 0–71, face_noface 0–71), none on any cartoon (face_noface 72–168, no_face 0–94), and the
/// landmark network's presence logits clear of the bar on both sides. A release build runs every frame; a debug build
/// (seconds per network run) single_face 0–1 and the two cartoons MediaPipe's own scores come closest on.
@Suite struct FacePresenceGateTests {
    #if DEBUG
    static let clips: [(String, Range<Int>)] = [
        ("single_face", 0 ..< 2), ("face_noface", 163 ..< 164), ("no_face", 89 ..< 90),
    ]
    #else
    static let clips: [(String, Range<Int>)] = [
        ("single_face", 0 ..< 72), ("face_noface", 0 ..< 169), ("no_face", 0 ..< 95),
    ]
    #endif

    /// Logits the presence must clear the bar by, either side (measured: ~12 above, ~7 below; Docs/mesh.md).
    static let requiredMargin: Float = 5

    static func showsRealFace(clip: String, index: Int) -> Bool {
        clip == "single_face" || (clip == "face_noface" && index < 72)
    }

    @Test("a face is reported on every real-face frame and on no cartoon frame, with the presence clear of the bar")
    func realFacesOnly() throws {
        let fixture = try MediaPipeFixture()
        let frames = LandmarkTrackingTests.Frames()
        var wrong: [String] = []
        var realLowest = Float.infinity
        var realLowestFrame = ""
        var cartoonHighest = -Float.infinity
        var cartoonHighestFrame = ""
        var realFrames = 0
        var cartoonFrames = 0
        var cartoonRuns = 0
        var gate: Float = 0
        for (clip, range) in Self.clips {
            let tracker = try MeshTracker()
            gate = tracker.minimumPresenceLogit
            for index in range {
                let reference = try #require(fixture.frames.first { $0.clip == clip && $0.index == index })
                let found = try frames.withImage(clip: clip, index: index) { image in
                    try tracker.process(image, timestampMicroseconds: reference.timestampMicroseconds)
                }
                let real = Self.showsRealFace(clip: clip, index: index)
                if found != real {
                    wrong.append("\(clip) \(index): found \(found), logit \(tracker.presenceLogit ?? .nan)")
                }
                if real {
                    realFrames += 1
                    let logit = tracker.presenceLogit ?? -.infinity
                    if logit < realLowest {
                        realLowest = logit
                        realLowestFrame = "\(clip) \(index)"
                    }
                } else {
                    cartoonFrames += 1
                    guard let logit = tracker.presenceLogit else { continue }
                    cartoonRuns += 1
                    if logit > cartoonHighest {
                        cartoonHighest = logit
                        cartoonHighestFrame = "\(clip) \(index)"
                    }
                }
            }
        }
        print(
            "presence bar \(gate): \(realFrames) real-face frames, lowest logit \(realLowest) (\(realLowestFrame)); "
                + "\(cartoonFrames) cartoon frames, the landmark network ran on \(cartoonRuns), highest logit "
                + "\(cartoonHighest) (\(cartoonHighestFrame)); wrong: \(wrong)")
        #expect(wrong.isEmpty)
        #expect(realFrames > 0 && cartoonRuns > 0)
        #expect(realLowest - gate >= Self.requiredMargin)
        #expect(gate - cartoonHighest >= Self.requiredMargin)
    }
}
