import Foundation
import OmoteCapture
import OmoteCore
import OmoteMesh
import OmotePipeline
import OmoteRig
import OmoteTestSupport
import Testing

/// The output filters in `MeshFacePipeline`, measured as `omote bench` measures them: less jitter on a held still,
/// the blink's peak kept and little lag on single_face, wiped when the face is lost or the pipeline reset, absent on
/// the raw path. Thresholds are the measured values with a margin (Docs/fidelity.md, *Output smoothing*).
@Suite(.serialized) struct OutputSmoothingPipelineTests {
    nonisolated(unsafe) static let pipeline: MeshFacePipeline? = try? MeshFacePipeline.load(
        PipelineConfiguration(), rig: false, progress: { _ in })

    @Test("held still with noise: the output filters cut the jitter of the weights, rotation and shift")
    func heldStillJitterDrops() throws {
        let pipeline = try #require(Self.pipeline, "face_landmarker.task missing: run Scripts/setup.sh")
        let still = try HeldStillJitter.firstFrame(ofClip: TestPaths.sampleFrames + "/single_face")
        defer { still.wipe() }
        let on = try HeldStillJitter.measure(still: still, pipeline: pipeline, smoothing: true, outputSmoothing: true)
        let off = try HeldStillJitter.measure(still: still, pipeline: pipeline, smoothing: true, outputSmoothing: false)
        #expect(pipeline.smoothsOutput, "restored")
        print(
            String(
                format: "held-still jitter, output filters on vs off, settled: weights %.6f vs %.6f, rotation %.5f° vs "
                    + "%.5f°, shift %.5f vs %.5f mm; from the first frame: weights %.5f vs %.5f",
                on.settledWeightRMS, off.settledWeightRMS, on.settledRotationRMSDegrees, off.settledRotationRMSDegrees,
                on.settledTranslationRMSMillimetres, off.settledTranslationRMSMillimetres, on.weightRMS, off.weightRMS))
        #expect(on.framesTracked == on.frames && off.framesTracked == off.frames)
        #expect(on.settledPairs == on.frames - HeldStillJitter.settlingFrames - 1)
        // Measured: 0.24, 0.12 and 0.20 of the unfiltered jitter once settled.
        #expect(on.settledWeightRMS <= 0.4 * off.settledWeightRMS)
        #expect(on.settledRotationRMSDegrees <= 0.3 * off.settledRotationRMSDegrees)
        #expect(on.settledTranslationRMSMillimetres <= 0.4 * off.settledTranslationRMSMillimetres)
        // From the first frame the tracker's own start dominates; the filters spread it out rather than add to it.
        #expect(on.weightRMS <= off.weightRMS)
    }

    @Test("single_face: the blink's peak is kept (≥ 0.97), the eyelids lag ≤ 0.25 frames, every group < 0.6 frames")
    func blinkKeptLagSmall() throws {
        let pipeline = try #require(Self.pipeline, "face_landmarker.task missing: run Scripts/setup.sh")
        let lag = try OutputSmoothingLag.measure(clip: TestPaths.sampleFrames + "/single_face", pipeline: pipeline)
        let groups = OutputSmoothingParameters.Group.allCases.map {
            "\($0.name) \(lag.groupLagFrames[$0.rawValue].map { String(format: "%.2f", $0) } ?? "still")"
        }
        print(
            String(
                format: "output smoothing on single_face: blink peak %.3f of %.3f (%.3f); lag in frames ",
                lag.blinkPeakFiltered, lag.blinkPeakUnfiltered, lag.blinkPeakRatio) + groups.joined(separator: ", ")
                + String(
                    format: ", rotation %.2f, shift %.2f", lag.rotationLagFrames ?? .nan,
                    lag.translationLagFrames ?? .nan))
        #expect(lag.frames == 72 && abs(lag.frameIntervalMilliseconds - 33.333) < 0.01)
        #expect(lag.blinkPeakUnfiltered > 0.5, "single_face blinks")
        // Measured: 0.995; lags 0.07 (eyelids), 0.31, 0.10, 0.15 frames; rotation 0.50, shift 0.06.
        #expect(lag.blinkPeakRatio >= 0.97)
        let eyelids = try #require(lag.groupLagFrames[OutputSmoothingParameters.Group.eyelids.rawValue])
        #expect(eyelids > 0 && eyelids <= 0.25)
        for group in OutputSmoothingParameters.Group.allCases {
            let frames = try #require(lag.groupLagFrames[group.rawValue], "\(group.name) moves on single_face")
            #expect(frames > 0 && frames < 0.6, "\(group.name): \(frames)")
        }
        let rotation = try #require(lag.rotationLagFrames)
        let shift = try #require(lag.translationLagFrames)
        #expect(rotation > 0 && rotation < 0.8)
        #expect(shift > 0 && shift < 0.3)
    }

    @Test("the filters are wiped when the face is lost and on reset; the raw path and --no-output-smoothing have none")
    func wipedAndSwitchedOff() throws {
        let pipeline = try #require(Self.pipeline, "face_landmarker.task missing: run Scripts/setup.sh")
        let smoother = try #require(pipeline.outputSmoother)
        #expect(smoother.isPrivate)
        let (frames, width, height) = try MeshRefinementPipelineTests.decodedFrames()
        // Five frames of face, a grey frame (face lost), then the face again: the first frame after the loss is the
        // same with the filters on as off (they start afresh), and they hold it again.
        func run(smoothing: Bool) -> (FaceFrameResult, heldAfterLoss: Bool, heldAfterFace: Bool) {
            pipeline.smoothsOutput = smoothing
            pipeline.reset()
            var result = FaceFrameResult()
            for (index, pixels) in frames.prefix(5).enumerated() {
                MeshRefinementPipelineTests.process(
                    pipeline, pixels, width: width, height: height, timestamp: UInt64(index) * 33_333_333,
                    into: &result)
            }
            let grey = [UInt8](repeating: 90, count: frames[0].count)
            MeshRefinementPipelineTests.process(
                pipeline, grey, width: width, height: height, timestamp: 5 * 33_333_333, into: &result)
            let heldAfterLoss = smoother.holdsWeights
            MeshRefinementPipelineTests.process(
                pipeline, frames[6], width: width, height: height, timestamp: 6 * 33_333_333, into: &result)
            return (result, heldAfterLoss, smoother.holdsWeights)
        }
        let off = run(smoothing: false)
        let on = run(smoothing: true)
        pipeline.smoothsOutput = true
        #expect(!on.heldAfterLoss, "a lost face wipes the filters")
        #expect(on.heldAfterFace)
        #expect(on.0.weights == off.0.weights && on.0.headPose == off.0.headPose, "a new face starts afresh")
        pipeline.reset()
        #expect(!smoother.holdsWeights, "reset wipes the filters")

        var raw = PipelineConfiguration()
        raw.rawBlendshapes = true
        #expect(try MeshFacePipeline.load(raw, rig: false, progress: { _ in }).outputSmoother == nil)
        var unsmoothed = PipelineConfiguration()
        unsmoothed.smoothsOutput = false
        #expect(try MeshFacePipeline.load(unsmoothed, rig: false, progress: { _ in }).outputSmoother == nil)
    }
}
