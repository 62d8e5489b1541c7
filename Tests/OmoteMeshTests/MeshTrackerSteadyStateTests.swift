import CMallocCounter
import OmoteCore
import OmoteMesh
import Testing

/// The whole tracker's per-frame path allocates nothing once warm: tracking, losing the face, and acquiring it again
/// through the detector and the second look.
@Suite struct MeshTrackerSteadyStateTests {
    @Test("tracking, losing and re-acquiring through the second look make zero heap allocations once warm")
    func noAllocationsPerFrame() throws {
        let tracker = try MeshTracker()
        let frames = LandmarkTrackingTests.Frames()
        let shrunk = ShrunkFrames(factor: 3)
        var grey = [UInt8](repeating: 90, count: MediaPipeFixture.frameWidth * MediaPipeFixture.frameHeight * 3)
        var time: Int64 = 0
        func step(_ image: RGBImage) throws -> (found: Bool, allocations: Int) {
            time += 33_333
            let before = omote_thread_allocation_count()
            let found = try tracker.process(image, timestampMicroseconds: time)
            return (found, Int(omote_thread_allocation_count() - before))
        }
        func greyFrame() throws -> (found: Bool, allocations: Int) {
            try grey.withUnsafeMutableBufferPointer { pixels in
                try step(
                    RGBImage(
                        pixels: UnsafePointer(pixels.baseAddress!), width: MediaPipeFixture.frameWidth,
                        height: MediaPipeFixture.frameHeight))
            }
        }
        // Warm-up: acquire, track, lose, acquire through the second look (single_face 59 at 1/3 size: 6.2 → 14.3).
        _ = try frames.withImage(clip: "single_face", index: 0) { try step($0) }
        _ = try frames.withImage(clip: "single_face", index: 1) { try step($0) }
        _ = try greyFrame()
        _ = try shrunk.withShrunkImage(index: 59) { try step($0) }
        _ = try greyFrame()

        let acquired = try frames.withImage(clip: "single_face", index: 2) { try step($0) }
        let tracked = try frames.withImage(clip: "single_face", index: 3) { try step($0) }
        let lost = try greyFrame()
        let secondLook = try shrunk.withShrunkImage(index: 59) { try step($0) }
        #expect(acquired.found && tracked.found && !lost.found && secondLook.found)
        #expect(tracker.secondLookPresenceLogit != nil)
        #expect(
            [acquired.allocations, tracked.allocations, lost.allocations, secondLook.allocations] == [0, 0, 0, 0],
            "acquire, track, lose, second look")
    }
}
