import Foundation
import OmoteCapture
import OmoteCore
import OmoteRig
import OmoteTestSupport
import OmoteView
import Synchronization
import Testing

@testable import OmotePipeline

/// The sensor's loop (`SensorProcess.serve`) against the presenter's feed, in this process over real pipes (a forked
/// sensor needs a single-threaded parent; the records and commands are the same): a camera that stalls, streams and is
/// unplugged reaches the presenter as a note, frames and a disconnect with the generation's exit code; `q` reaches
/// the sensor as a command and stops it.
@Suite("Sensor loop against the presenter's feed", .serialized) struct SensorServeTests {
    /// Sets a weight and a pose from each frame, like the tracker does (no networks needed).
    final class FakeTracker: FrameProcessor {
        let rigModel: RigModel? = nil
        private(set) var resets = 0
        func reset() { resets += 1 }
        func process(
            _ frame: borrowing VideoFrame, delivery: FrameDelivery, into result: inout FaceFrameResult,
            rig: inout RigState?
        ) {
            result.tracking = .tracking(faceID: 1)
            result.weights[.jawOpen] = Float(frame.sequence % 10) / 10
            result.weights.trackedMask = 1 << UInt64(ARKitBlendshape.jawOpen.rawValue)
            result.headPose = HeadPose(rotation: Rotation3(rotationVector: SIMD3(0, 0.2, 0)))
            result.timings[.landmarks] = 5_000_000
        }
    }

    /// A camera: stalls twice, streams a clip's frames, then is unplugged (or loops forever).
    final class ScriptedCamera: FrameSource, @unchecked Sendable {
        let clip: ReplaySource
        let unplugs: Bool
        var stallsLeft = 2
        init(unplugs: Bool) throws {
            clip = try ReplaySource(
                clipDirectory: TestPaths.repositoryRoot + "/SampleFrames/single_face",
                pacing: .nominal(speed: 4), loop: !unplugs)
            self.unplugs = unplugs
        }
        var name: String { "/dev/video7" }
        var stats: FrameSourceStats { clip.stats }
        func next(into frame: inout VideoFrame) throws(OmoteError) -> FrameDelivery? {
            if stallsLeft > 0 {
                stallsLeft -= 1
                usleep(50_000)
                throw OmoteError(
                    .captureStalled, operation: "get a frame", subject: name, reason: "no frame for 2000 ms",
                    remedy: "")
            }
            if let delivery = try clip.next(into: &frame) { return delivery }
            throw OmoteError(
                .captureDisconnected, operation: "get a frame", subject: name,
                reason: "the camera was disconnected (poll reported POLLERR); capture stopped cleanly", remedy: "")
        }
    }

    /// Runs `serve` on its own thread with the sensor's ends of two pipes; returns the presenter's feed and a way to
    /// wait for the sensor's exit code.
    func session(_ camera: ScriptedCamera) throws -> (feed: SensorFeed, exitCode: () -> Int32?, close: () -> Void) {
        var records: [Int32] = [-1, -1]
        var commands: [Int32] = [-1, -1]
        try #require(pipe(&records) == 0 && pipe(&commands) == 0)
        let ends = SensorProcess.Ends(records: records[1], commands: commands[0])
        let exit = Mutex<Int32?>(nil)
        let thread = Thread {
            let code: Int32
            do {
                let writer = try SensorRecordWriter(descriptor: ends.records)
                writer.send(.engaged(allowedSyscalls: 92, closedDescriptors: 0))  // what `SensorProcess.engage` sends
                let runner = try SensorProcess.serve(
                    source: camera, processor: FakeTracker(), ends: ends, writer: writer,
                    engagement: .unguardedForTests)
                code = CameraGenerations.exitCode(after: runner)
            } catch {
                code = -1
            }
            exit.withLock { $0 = code }
        }
        thread.start()
        let feed = try SensorFeed(
            sensor: SensorProcess.Handle(pid: -1, records: records[0], commands: commands[1]), rigModel: nil,
            sourceNames: ["/dev/video7"], engagement: .unguardedForTests)
        #expect(feed.awaitEngaged())
        feed.start()
        return (
            feed,
            {
                for _ in 0 ..< 1000 {
                    if let code = exit.withLock({ $0 }) { return code }
                    usleep(10_000)
                }
                return nil
            },
            { (records + commands).forEach { _ = close($0) } }
        )
    }

    @Test("stall, stream, unplug: a note, frames in order, then a disconnect and exit code 75")
    func unplugged() throws {
        let (feed, exitCode, close) = try session(ScriptedCamera(unplugs: true))
        defer { close() }
        var sawNote = false
        var frames: Set<Int> = []
        for _ in 0 ..< 1000 where !feed.isFinished {
            let model = feed.latest.read().value
            if model.statusNote == "no frame for 2000 ms: waiting for the camera" { sawNote = true }
            frames.insert(model.framesProcessed)
            usleep(5000)
        }
        #expect(feed.isFinished)
        #expect(sawNote, "the stall reached the presenter as a note")
        #expect(feed.failureCode == .captureDisconnected)
        #expect(feed.failureDescription?.contains("the camera was disconnected") == true)
        #expect(feed.latestCounts.framesProcessed == 72, "the last of the clip's 72 frames was sent")
        #expect(feed.timingHistory().total > 10)
        #expect(exitCode() == CameraGenerations.disconnectedExitCode)
    }

    @Test("q in the presenter stops the sensor: it ends with 'stopped' and exit code 0")
    func quit() throws {
        let (feed, exitCode, close) = try session(ScriptedCamera(unplugs: false))
        defer { close() }
        for _ in 0 ..< 1000 where feed.latest.read().value.framesProcessed < 5 { usleep(5000) }
        #expect(feed.latest.read().value.framesProcessed >= 5)
        feed.requestStop()
        for _ in 0 ..< 1000 where !feed.isFinished { usleep(5000) }
        #expect(feed.isFinished && feed.failureDescription == nil)
        #expect(exitCode() == 0)
    }
}
