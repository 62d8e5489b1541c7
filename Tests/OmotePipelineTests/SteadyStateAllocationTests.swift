import CMallocCounter
import Foundation
import OmoteCapture
import OmoteCore
import OmotePipeline
import OmoteRig
import OmoteView
import Testing

/// The per-frame hot path allocates nothing once warm: detect/track → landmarks → solve → rig on single_face, counted
/// on this thread by the test executable's malloc interposer (Tests/CMallocCounter).
@Suite(.serialized) struct SteadyStateAllocationTests {
    @Test("tracking single_face: zero heap allocations per frame after warm-up (pipeline and rig; decode reported)")
    func noAllocationsWhileTracking() throws {
        let pipeline = try FacePipeline.load(PipelineConfiguration(), progress: { _ in })
        var rig = try pipeline.rigModel.map(RigState.init(model:))
        var model = LiveViewModel()
        let source = try ReplaySource(clipDirectory: FacePipelineTests.sampleFrames + "/single_face")
        let decoder = try JPEGDecoder()
        var frame = try VideoFrame()
        // Decoded once; the measured loop replays the luma (the decode's own count is reported separately).
        var decoded: [[UInt8]] = []
        for index in 0 ..< source.frameCount {
            try source.withJPEG(at: index) { try decoder.decode($0, into: &frame, source: "test") }
            decoded.append(
                frame.withImage { image in
                    Array(UnsafeBufferPointer(start: image.pixels, count: image.width * image.height))
                })
        }
        let width = frame.width
        let height = frame.height
        var timestamp: UInt64 = 0
        func run(passes: Int) {
            for _ in 0 ..< passes {
                for pixels in decoded {
                    timestamp += 33_333_333
                    pixels.withUnsafeBufferPointer { buffer in
                        let image = LumaImage(
                            pixels: buffer.baseAddress!, width: width, height: height, rowStride: width)
                        pipeline.process(image, timestampNanoseconds: timestamp, into: &model.frame, rig: &rig)
                    }
                }
            }
        }
        run(passes: 2)
        guard case .tracking = model.frame.tracking else {
            Issue.record("single_face is not tracked after warm-up")
            return
        }
        let before = omote_thread_allocation_count()
        run(passes: 3)  // 216 frames, including periodic re-detections around the face
        let pipelineAllocations = omote_thread_allocation_count() - before
        #expect(pipelineAllocations == 0, "\(pipelineAllocations) allocations in 216 tracked frames")

        let decodeBefore = omote_thread_allocation_count()
        for index in 0 ..< source.frameCount {
            try source.withJPEG(at: index) { try decoder.decode($0, into: &frame, source: "test") }
        }
        let decodeAllocations = omote_thread_allocation_count() - decodeBefore
        print(
            "steady state: pipeline \(pipelineAllocations) allocations / 216 frames; libjpeg-turbo decode "
                + "\(Double(decodeAllocations) / Double(source.frameCount)) per frame (inside tjDecompress2)")
    }
}
