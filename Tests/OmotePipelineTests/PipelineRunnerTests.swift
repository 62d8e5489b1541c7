import Foundation
import OmoteCapture
import OmoteCore
import OmotePipeline
import OmoteRig
import OmoteTestSupport
import OmoteView
import Testing

/// A deterministic processor double: records what it saw, sets a fake stage time.
private final class CountingProcessor: FrameProcessor {
    var frames = 0
    var sequences: [UInt64] = []
    var meanRedMinusBlue: [Double] = []
    let rigModel: RigModel? = nil
    func reset() {}
    func process(
        _ frame: borrowing VideoFrame,
        delivery: FrameDelivery,
        into result: inout FaceFrameResult,
        rig: inout RigState?
    ) {
        frames += 1
        sequences.append(frame.sequence)
        // Skin is redder than it is blue: a cheap check that the channels arrive in R, G, B order.
        meanRedMinusBlue.append(
            frame.withRGBImage { image in
                var sum = 0
                for pixel in 0 ..< image.width * image.height {
                    sum += Int(image.pixels[3 * pixel]) - Int(image.pixels[3 * pixel + 2])
                }
                return Double(sum) / Double(image.width * image.height)
            })
        result.timings[.landmarks] = 1_000
        result.weights[.jawOpen] = 0.5
        result.headPose.translation.z = 321
    }
}

/// A camera that stalls (no frame within its poll timeout), or whose frames all arrive damaged, before delivering a
/// clip's frames. Records the status note the runner published after each such error.
private final class StallingSource: FrameSource {
    let clip: ReplaySource
    let code: OmoteError.Code
    let reason: String
    var stallsLeft: Int
    weak var runner: PipelineRunner?
    var notesSeen: [String] = []
    init(
        clip: ReplaySource, stalls: Int, code: OmoteError.Code = .captureStalled,
        reason: String = "no frame for 2000 ms"
    ) {
        self.clip = clip
        self.code = code
        self.reason = reason
        stallsLeft = stalls
    }
    var name: String { "stalling camera" }
    var stats: FrameSourceStats { clip.stats }
    func next(into frame: inout VideoFrame) throws(OmoteError) -> FrameDelivery? {
        if let runner, notesSeen.count < 3 { notesSeen.append(runner.latest.read().value.statusNote) }
        if stallsLeft > 0 {
            stallsLeft -= 1
            throw OmoteError(code, operation: "get a frame", subject: name, reason: reason, remedy: "Open the shutter.")
        }
        return try clip.next(into: &frame)
    }
}

@Suite struct PipelineRunnerTests {
    /// Runs a runner over the whole of the sample clip `clip` (once) with `processor` and returns it, finished.
    private func replayWhole(
        _ clip: String, _ processor: CountingProcessor
    ) throws -> PipelineRunner {
        let runner = try PipelineRunner(
            source: try ReplaySource(clipDirectory: TestPaths.sampleFrames + "/" + clip), processor: processor,
            engagement: .unguardedForTests)
        runner.start()
        runner.waitUntilFinished()
        return runner
    }

    @Test(
        "A stalled camera, or one whose every frame is damaged, is waited for with the reason in the status note",
        arguments: [
            (OmoteError.Code.captureStalled, "no frame for 2000 ms"),
            (.captureFramesDamaged, "every frame for 2000 ms was damaged (61 frame(s), first: truncated JPEG data)"),
        ])
    func cameraIsWaitedFor(code: OmoteError.Code, reason: String) throws {
        let source = StallingSource(
            clip: try ReplaySource(clipDirectory: TestPaths.sampleFrames + "/no_face"), stalls: 3, code: code,
            reason: reason)
        let processor = CountingProcessor()
        let runner = try PipelineRunner(source: source, processor: processor, engagement: .unguardedForTests)
        source.runner = runner
        runner.start()
        runner.waitUntilFinished()
        #expect(runner.failureDescription == nil)
        #expect(processor.frames == 95 && source.stallsLeft == 0, "its frames are processed when they come")
        #expect(source.notesSeen == ["", reason + ": waiting for the camera", reason + ": waiting for the camera"])
        #expect(runner.latest.read().value.statusNote.isEmpty, "the note clears once frames flow again")
    }

    @Test("A disconnected camera ends the session with its message")
    func disconnectedCameraEnds() throws {
        let source = StallingSource(
            clip: try ReplaySource(clipDirectory: TestPaths.sampleFrames + "/no_face"), stalls: 1,
            code: .captureDisconnected,
            reason: "the camera was disconnected (poll reported POLLERR); capture stopped cleanly")
        let processor = CountingProcessor()
        let runner = try PipelineRunner(source: source, processor: processor, engagement: .unguardedForTests)
        runner.start()
        runner.waitUntilFinished()
        #expect(processor.frames == 0)
        #expect(runner.failureDescription?.contains("the camera was disconnected") == true)
        #expect(runner.failureCode == .captureDisconnected)
    }

    @Test("The processing thread runs every replayed frame in order and publishes the newest state")
    func processesWholeClip() throws {
        let processor = CountingProcessor()
        let runner = try replayWhole("single_face", processor)
        #expect(processor.frames == 72)
        #expect(processor.sequences == (0 ..< 72).map { UInt64($0) })
        let (model, version) = runner.latest.read()
        #expect(version == 72 && model.framesProcessed == 72 && model.frame.frameSize == SIMD2(640, 360))
        #expect(model.frame.timings[.decode] > 0 && model.frame.timings[.landmarks] == 1_000)
        #expect(runner.timingHistory().total == 72)
        #expect(runner.failureDescription == nil)
    }

    @Test("The processor gets RGB frames (R, G, B order)")
    func colourProcessorGetsRGB() throws {
        let processor = CountingProcessor()
        let runner = try replayWhole("single_face", processor)
        #expect(processor.frames == 72)
        #expect(processor.meanRedMinusBlue.allSatisfy { $0 > 5 }, "\(processor.meanRedMinusBlue.prefix(3))")
        let model = runner.latest.read().value
        #expect(model.frame.frameSize == SIMD2(640, 360))
        #expect(runner.failureDescription == nil)
    }

    @Test("Expression data crosses threads only in private memory: the result slots hold it, the status copy does not")
    func expressionDataStaysPrivate() throws {
        let runner = try replayWhole("no_face", CountingProcessor())
        let (slot, isNew) = runner.results.acquireNewest()
        #expect(isNew && slot.face.isPrivate)
        #expect(slot.viewModel.frame.weights[.jawOpen] == 0.5 && slot.viewModel.frame.headPose.translation.z == 321)
        #expect(slot.model.frame.weights == BlendshapeWeights() && slot.model.frame.headPose == HeadPose())
        let status = runner.latest.read().value
        #expect(status.frame.weights == BlendshapeWeights() && status.frame.headPose == HeadPose())
        #expect(status.frame.timings[.landmarks] == 1_000 && status.framesProcessed == 95)
    }

    @Test("A stop request ends a looping replay")
    func stopEndsLoop() throws {
        let source = try ReplaySource(clipDirectory: TestPaths.sampleFrames + "/no_face", loop: true)
        let runner = try PipelineRunner(source: source, processor: CountingProcessor(), engagement: .unguardedForTests)
        runner.start()
        var polls = 0
        runner.waitUntilFinished(stop: {
            polls += 1
            return polls > 3
        })
        #expect(runner.isFinished)
    }

    @Test("Timing quantiles come from the recorded frames")
    func quantiles() {
        var history = TimingHistory(capacity: 4)
        for value in [4, 1, 3, 2, 100] as [UInt64] {
            var timings = StageTimings()
            timings[.solve] = value
            history.append(timings)
        }
        #expect(history.total == 5)
        #expect(history.quantile(0, of: .solve) == 1 || history.quantile(0, of: .solve) == 2)
        #expect(history.quantile(1, of: .solve) == 100)
    }
}

extension PipelineRunner {
    /// Waits for the source to end, or asks the runner to stop once `stop` returns true (polled every 20 ms).
    func waitUntilFinished(stop: () -> Bool = { false }) {
        while !isFinished {
            if stop() { requestStop() }
            MonotonicClock.sleep(untilNanoseconds: MonotonicClock.nanoseconds() + 20_000_000)
        }
    }
}
