import OmoteCore
import OmoteMesh
import Testing

/// The real face under poorer capture than single_face's: whether Omote's stricter presence bar
/// (`MeshTracker.minimumPresenceLogit`) still keeps it. Each condition is applied to every single_face frame and the
/// tracker runs over them in order. A release build runs the 72 frames; a debug build frames 0–2.
@Suite struct DegradedFaceTests {
    #if DEBUG
    static let frameCount = 3
    #else
    static let frameCount = 72
    #endif

    enum Condition: String, CaseIterable, CustomStringConvertible {
        /// A dim room: every level × 0.3.
        case dim
        /// Haze or a washed-out camera: levels pulled toward 128, contrast × 0.35.
        case lowContrast
        /// Sensor noise: uniform ±32 levels per byte (a fixed pseudo-random sequence).
        case noise
        /// Defocus or motion: a 7×7 box blur.
        case blur

        var description: String { rawValue }
    }

    /// Writes `image` under `condition` into `target` (packed RGB, same size).
    static func degrade(_ image: RGBImage, _ condition: Condition, into target: UnsafeMutableBufferPointer<UInt8>) {
        var state: UInt32 = 12_345
        for y in 0 ..< image.height {
            for x in 0 ..< image.width {
                for channel in 0 ..< 3 {
                    let source = Float(image.pixels[y * image.rowStride + 3 * x + channel])
                    var value: Float
                    switch condition {
                    case .dim:
                        value = source * 0.3
                    case .lowContrast:
                        value = 128 + (source - 128) * 0.35
                    case .noise:
                        state = state &* 1_664_525 &+ 1_013_904_223
                        value = source + Float(Int(state >> 24) - 128) * 0.25
                    case .blur:
                        var sum: Float = 0
                        for dy in -3 ... 3 {
                            for dx in -3 ... 3 {
                                let sy = min(image.height - 1, max(0, y + dy))
                                let sx = min(image.width - 1, max(0, x + dx))
                                sum += Float(image.pixels[sy * image.rowStride + 3 * sx + channel])
                            }
                        }
                        value = sum / 49
                    }
                    target[(y * image.width + x) * 3 + channel] = UInt8(max(0, min(255, value.rounded())))
                }
            }
        }
    }

    @Test(
        "in dim light, low contrast, sensor noise or blur the face is tracked on every frame, presence clear of the bar",
        arguments: Condition.allCases)
    func faceIsKept(_ condition: Condition) throws {
        let fixture = try MediaPipeFixture()
        let frames = LandmarkTrackingTests.Frames()
        let tracker = try MeshTracker()
        var pixels = [UInt8](repeating: 0, count: MediaPipeFixture.frameWidth * MediaPipeFixture.frameHeight * 3)
        var lost: [Int] = []
        var lowest = Float.infinity
        for index in 0 ..< Self.frameCount {
            let reference = try #require(fixture.frames.first { $0.clip == "single_face" && $0.index == index })
            let found = try frames.withImage(clip: "single_face", index: index) { image in
                try pixels.withUnsafeMutableBufferPointer { target in
                    Self.degrade(image, condition, into: target)
                    let degraded = RGBImage(
                        pixels: UnsafePointer(target.baseAddress!), width: image.width, height: image.height)
                    return try tracker.process(degraded, timestampMicroseconds: reference.timestampMicroseconds)
                }
            }
            if !found {
                lost.append(index)
            }
            lowest = min(lowest, tracker.secondLookPresenceLogit ?? tracker.presenceLogit ?? -.infinity)
        }
        print("\(condition), \(Self.frameCount) frames: lost \(lost); lowest deciding presence logit \(lowest)")
        #expect(lost.isEmpty)
        #expect(lowest - tracker.minimumPresenceLogit >= FacePresenceGateTests.requiredMargin)
    }
}
