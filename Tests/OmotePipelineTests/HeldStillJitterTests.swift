import CMallocCounter
import Foundation
import OmoteCapture
import OmoteCore
import OmotePipeline
import OmoteTestSupport
import Testing

/// The held-still jitter of `omote bench` (issue 23): its seeded noise is reproducible and bounded, its rotation angle
/// is right, and a short run through the real tracker gives sane numbers. Values only, never times.
@Suite("held-still jitter", .serialized) struct HeldStillJitterTests {
    static func still() throws -> VideoFrame {
        try HeldStillJitter.firstFrame(ofClip: TestPaths.sampleFrames + "/single_face")
    }

    static func offsets(seed: UInt64, count: Int) -> [Int] {
        var noise = HeldStillJitter.Noise(seed: seed)
        return (0 ..< count).map { _ in noise.nextOffset() }
    }

    @Test("the same seed gives the same noise, another seed other noise; offsets cover −2…2 and nothing else")
    func noiseIsSeeded() {
        let first = Self.offsets(seed: 23, count: 10_000)
        #expect(first == Self.offsets(seed: 23, count: 10_000))
        #expect(first != Self.offsets(seed: 24, count: 10_000))
        #expect(Set(first) == [-2, -1, 0, 1, 2])
        // Uniform: each value near a fifth of the draws (2000 ± 5 standard deviations).
        for value in -2 ... 2 { #expect(abs(first.filter { $0 == value }.count - 2000) < 200, "\(value)") }
    }

    @Test("noise moves every pixel's three channels by at most 2, the same way for the same seed")
    func noisyFrames() throws {
        let still = try Self.still()
        var a = try VideoFrame(capacity: still.width * still.height)
        var b = try VideoFrame(capacity: still.width * still.height)
        var noise = HeldStillJitter.Noise(seed: 7)
        try noise.add(to: still, into: &a)
        noise = HeldStillJitter.Noise(seed: 7)
        try noise.add(to: still, into: &b)
        #expect(a.width == still.width && a.height == still.height)
        var changed = 0
        var differ = 0
        still.withRGBImage { original in
            a.withRGBImage { first in
                b.withRGBImage { second in
                    for index in 0 ..< original.width * original.height * 3 {
                        let change = Int(first.pixels[index]) - Int(original.pixels[index])
                        if abs(change) > 2 { differ += 1 }
                        if change != 0 { changed += 1 }
                        if first.pixels[index] != second.pixels[index] { differ += 1 }
                    }
                }
            }
        }
        #expect(differ == 0, "\(differ) bytes beyond ±2 or unlike the same seed's")
        // Four offsets in five are non-zero (fewer where clamping at 0 or 255 absorbs them).
        #expect(changed > still.width * still.height * 3 / 2)
    }

    @Test("the rotation change is the angle of R_prevᵀ·R_cur")
    func rotationAngle() {
        let base = Rotation3(rotationVector: SIMD3(0.3, -0.2, 0.1))
        let turn = Rotation3(rotationVector: SIMD3(0, 0, Float(0.5 * .pi / 180)))
        #expect(HeldStillJitter.rotationDegrees(from: base, to: base) < 1e-4)
        #expect(abs(HeldStillJitter.rotationDegrees(from: base, to: base * turn) - 0.5) < 1e-3)
    }

    @Test("ten noisy frames of a held still: the face on all, finite non-negative jitter, the filter never adding any")
    func shortRun() throws {
        guard FileManager.default.fileExists(atPath: TestPaths.trackerModel) else {
            Issue.record("face_landmarker.task missing: run Scripts/setup.sh")
            return
        }
        var configuration = PipelineConfiguration()
        configuration.meshModelPath = TestPaths.trackerModel
        let pipeline = try MeshFacePipeline.load(configuration, rig: false, progress: { _ in })
        let still = try Self.still()
        let smoothed = try HeldStillJitter.measure(still: still, pipeline: pipeline, frameCount: 10, smoothing: true)
        let raw = try HeldStillJitter.measure(still: still, pipeline: pipeline, frameCount: 10, smoothing: false)
        #expect(pipeline.tracker.smoothsLandmarks, "the tracker's smoothing is restored")
        for run in [smoothed, raw] {
            #expect(run.frames == 10 && run.framesTracked == 10 && run.pairs == 9)
            for value in [run.weightRMS, run.rotationRMSDegrees, run.translationRMSMillimetres] {
                #expect(value.isFinite && value >= 0)
            }
        }
        // Noise does move the unsmoothed face.
        #expect(raw.weightRMS > 0 && raw.rotationRMSDegrees > 0 && raw.translationRMSMillimetres > 0)
        // The one-euro filter damps noise; measured here about half the unsmoothed change on each (a small tolerance
        // keeps the comparison about the filter, not rounding).
        #expect(smoothed.weightRMS <= raw.weightRMS + 1e-4)
        #expect(smoothed.rotationRMSDegrees <= raw.rotationRMSDegrees + 1e-3)
        #expect(smoothed.translationRMSMillimetres <= raw.translationRMSMillimetres + 1e-2)
        // Per frame nothing is allocated: ten frames cost the allocations of three (the set-up's).
        let before = omote_thread_allocation_count()
        _ = try HeldStillJitter.measure(still: still, pipeline: pipeline, frameCount: 3, smoothing: true)
        let middle = omote_thread_allocation_count()
        _ = try HeldStillJitter.measure(still: still, pipeline: pipeline, frameCount: 10, smoothing: true)
        let perRun = (short: middle - before, long: omote_thread_allocation_count() - middle)
        #expect(perRun.long == perRun.short, "\(perRun.long - perRun.short) allocations in 7 more frames")
        // Same seed, same frames: the runs are reproducible.
        let again = try HeldStillJitter.measure(still: still, pipeline: pipeline, frameCount: 10, smoothing: false)
        #expect(again == raw)
        print(
            "held-still jitter, 10 frames: weights \(smoothed.weightRMS) vs \(raw.weightRMS), rotation "
                + "\(smoothed.rotationRMSDegrees)° vs \(raw.rotationRMSDegrees)°, shift "
                + "\(smoothed.translationRMSMillimetres) vs \(raw.translationRMSMillimetres) mm (smoothing on vs off)")
    }
}
