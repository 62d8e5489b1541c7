import CMallocCounter
import OmoteCapture
import OmoteCore
import OmoteMesh
import OmotePipeline
import OmoteRig
import OmoteTestSupport
import Testing

/// `MeshFacePipeline` with Omote's refinement on (the default) and off (`rawBlendshapes`, `--raw-blendshapes`):
/// switched off, the rig gets the regressor's scores bit for bit; on, nothing is allocated per frame and everything
/// learnt about a face is wiped when it is lost.
@Suite(.serialized) struct MeshRefinementPipelineTests {
    /// single_face decoded once (the JPEG decoder's own allocations are not the pipeline's).
    static func decodedFrames() throws -> (frames: [[UInt8]], width: Int, height: Int) {
        let source = try ReplaySource(clipDirectory: TestPaths.sampleFrames + "/single_face")
        let decoder = try JPEGDecoder()
        var frame = try VideoFrame()
        var decoded: [[UInt8]] = []
        for index in 0 ..< source.frameCount {
            try source.withJPEG(at: index) { try decoder.decode($0, into: &frame, source: "test") }
            decoded.append(
                frame.withRGBImage { image in
                    Array(UnsafeBufferPointer(start: image.pixels, count: image.rowStride * image.height))
                })
        }
        return (decoded, frame.width, frame.height)
    }

    static func process(
        _ pipeline: MeshFacePipeline, _ pixels: [UInt8], width: Int, height: Int, timestamp: UInt64,
        into result: inout FaceFrameResult
    ) {
        var rig: RigState? = nil
        pixels.withUnsafeBufferPointer { buffer in
            let image = RGBImage(pixels: buffer.baseAddress!, width: width, height: height)
            pipeline.process(image, timestampNanoseconds: timestamp, into: &result, rig: &rig)
        }
    }

    @Test("switched off, the weights are the regressor's bit for bit on every frame; on, they differ")
    func switchedOffChangesNothing() throws {
        let (frames, width, height) = try Self.decodedFrames()
        var configuration = PipelineConfiguration()
        configuration.rawBlendshapes = true
        let raw = try MeshFacePipeline.load(configuration, rig: false, progress: { _ in })
        let refined = try MeshFacePipeline.load(PipelineConfiguration(), rig: false, progress: { _ in })
        #expect(raw.refinement == nil && refined.refinement != nil)
        var rawResult = FaceFrameResult()
        var refinedResult = FaceFrameResult()
        var identical = 0
        var differing = 0
        for (index, pixels) in frames.enumerated() {
            let timestamp = UInt64(index) * 33_333_333
            Self.process(raw, pixels, width: width, height: height, timestamp: timestamp, into: &rawResult)
            Self.process(refined, pixels, width: width, height: height, timestamp: timestamp, into: &refinedResult)
            if rawResult.weights == raw.tracker.weights { identical += 1 }
            if refinedResult.weights != refined.tracker.weights { differing += 1 }
        }
        print("raw pipeline: \(identical)/\(frames.count) frames the regressor's; refined: \(differing) differ")
        #expect(identical == frames.count)
        #expect(differing > 0)
    }

    @Test("refining while tracking allocates nothing after warm-up; a lost face wipes what was learnt")
    func noAllocationsAndWipe() throws {
        let (frames, width, height) = try Self.decodedFrames()
        let pipeline = try MeshFacePipeline.load(PipelineConfiguration(), rig: false, progress: { _ in })
        let refinement = try #require(pipeline.refinement)
        var result = FaceFrameResult()
        var timestamp: UInt64 = 0
        func pass() {
            for pixels in frames {
                timestamp += 33_333_333
                Self.process(pipeline, pixels, width: width, height: height, timestamp: timestamp, into: &result)
            }
        }
        pass()
        let before = omote_thread_allocation_count()
        pass()
        let allocations = omote_thread_allocation_count() - before
        #expect(allocations == 0, "\(allocations) allocations in \(frames.count) frames")
        #expect(refinement.levels.framesSeen > 0 && refinement.levels.hasGeometry)
        #expect(refinement.isPrivate, "the refinement's buffers are private memory")

        let grey = [UInt8](repeating: 90, count: frames[0].count)
        timestamp += 33_333_333
        Self.process(pipeline, grey, width: width, height: height, timestamp: timestamp, into: &result)
        #expect(refinement.levels == BlendshapeSessionLevels(), "the levels are wiped with the face")
        #expect(refinement.measures == MeshGeometricMeasures())
    }

    @Test(
        "--calibrate: the prompts run through a replay in each frame's result, allocating nothing; a replay performs none"
    )
    func calibrationThroughThePipeline() throws {
        let (frames, width, height) = try Self.decodedFrames()
        var configuration = PipelineConfiguration()
        configuration.calibratesAtStart = true
        let pipeline = try MeshFacePipeline.load(configuration, rig: false, progress: { _ in })
        var result = FaceFrameResult()
        var timestamp: UInt64 = 0
        var stepsSeen: [CalibrationProgress.Step] = []
        var allocations: UInt = 0
        // Eight passes of single_face (72 frames, 2.4 s each) cover the six 2.5 s prompts.
        for pass in 0 ..< 8 {
            for pixels in frames {
                timestamp += 33_333_333
                let before = omote_thread_allocation_count()
                Self.process(pipeline, pixels, width: width, height: height, timestamp: timestamp, into: &result)
                if pass > 0 { allocations += omote_thread_allocation_count() - before }
                if let step = result.calibration.step, stepsSeen.last != step { stepsSeen.append(step) }
            }
        }
        print(
            "calibration over single_face (\(frames.count) frames a pass): prompts \(stepsSeen), outcome "
                + "\(result.calibration.outcome), skipped \(result.calibration.skipped)")
        #expect(stepsSeen == CalibrationProgress.Step.allCases)
        #expect(result.calibration.outcome == .calibrated && result.calibration.step == nil)
        #expect(allocations == 0, "\(allocations) allocations while calibrating and calibrated")
        #expect(result.withoutExpression.calibration == result.calibration, "progress is not expression data")
        var raw = PipelineConfiguration()
        raw.rawBlendshapes = true
        let rawPipeline = try MeshFacePipeline.load(raw, rig: false, progress: { _ in })
        rawPipeline.startCalibration()
        Self.process(rawPipeline, frames[0], width: width, height: height, timestamp: 1, into: &result)
        #expect(result.calibration == CalibrationProgress(), "no refinement, no calibration")
    }
}
