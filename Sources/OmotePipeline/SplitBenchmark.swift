import OmoteCapture
import OmoteCore
import OmoteRig
import OmoteView

#if canImport(Glibc)
import Glibc
#endif

/// `omote bench`'s measure of the split (issue 22): a forked sensor replaying clips at their nominal rate to the
/// presenter's `SensorFeed`, and one process running the same clips at the same pacing, each result drawn into memory
/// with its rig as soon as it is published (never written to the terminal). Neither session carries a timing hook:
/// the counts and first-frame times are the ones the feeds keep anyway, and the per-record cost is timed by
/// `RecordRoundTrip` on the drawing thread.
public enum SplitBenchmark {
    /// How one run went.
    public struct Run: Sendable {
        /// Frames the processing side processed (the sensor's last record, or the runner's count).
        public var framesProcessed = 0
        /// Frame records the presenter received, validated and presented (nil in one process).
        public var records: Int?
        /// Results drawn into memory with the rig.
        public var framesDrawn = 0
        /// From the fork to the sensor's first frame record (nil in one process).
        public var firstRecordNanoseconds: UInt64?
        /// From the fork (split) or from loading the pipeline (one process) to the first frame drawn.
        public var firstDrawnNanoseconds: UInt64?
        /// Why the run stopped early, if it did.
        public var failure: String?
        /// Per frame drawn, from when it was due (replay at nominal pace: when a camera would have delivered it) to
        /// the moment the rig drawn with it was updated (the presenter's, or the one process's), in nanoseconds.
        public var latencies: [UInt64] = []
    }

    /// Room for the latencies of 10 minutes at 30 fps, reserved up front so drawing allocates nothing.
    static let latencyCapacity = 18_000

    /// The presenter's side of the split run: loads the rig (while the sensor loads its networks, as
    /// `Presenter.run` does), waits for the sensor's guard, then draws every presented frame until the sensor ends,
    /// timing each frame's record path with `roundTrip`. Call with the presenter's guard engaged.
    public static func presentSplit(
        sensor: SensorProcess.Handle, avatarPath: String?, sourceNames: [String], engagement: GuardEngagement,
        roundTrip: RecordRoundTrip
    ) -> Run {
        var run = Run()
        let feed: SensorFeed
        let rig: RigModel
        do throws(OmoteError) {
            rig = try RigModel.load(avatarAt: avatarPath, progress: { _ in })
            feed = try SensorFeed(sensor: sensor, rigModel: rig, sourceNames: sourceNames, engagement: engagement)
        } catch {
            run.failure = Presenter.abandoned(sensor, error).failure
            return run
        }
        var drawFailure: String?
        var latencies = reservedLatencies()
        if feed.awaitEngaged() {
            feed.start()
            let painter = AvatarPainter(model: rig)
            drawFailure = drawEach(feed, painter: painter, drawn: &run.framesDrawn) { result in
                roundTrip.measure(result)
                noteLatency(result, in: &latencies)
            }
        }
        run.latencies = latencies
        let ending = feed.close()
        run.failure = drawFailure ?? feed.failureDescription
        if run.failure == nil, ending != .exited(0) { run.failure = "the sensor process ended with \(ending)" }
        run.framesProcessed = feed.latestCounts.framesProcessed
        run.records = feed.timingHistory().total
        run.firstRecordNanoseconds = feed.firstFrameNanoseconds
        run.firstDrawnNanoseconds = feed.firstDrawNanoseconds
        return run
    }

    /// The one-process run: `pipeline` (loaded from `loadStarted` on, with its rig) processes `source` on a
    /// processing thread while this thread draws every published result.
    public static func runOneProcess(
        source: FrameSource, pipeline: MeshFacePipeline, engagement: GuardEngagement, loadStarted: UInt64
    ) -> Run {
        var run = Run()
        let runner: PipelineRunner
        do throws(OmoteError) {
            runner = try PipelineRunner(source: source, processor: pipeline, engagement: engagement)
        } catch {
            run.failure = "\(error)"
            return run
        }
        runner.start()
        var firstDrawn: UInt64?
        var latencies = reservedLatencies()
        let painter = pipeline.rigModel.map(AvatarPainter.init(model:))
        run.failure = drawEach(runner, painter: painter, drawn: &run.framesDrawn) { result in
            if firstDrawn == nil { firstDrawn = MonotonicClock.nanoseconds() }
            noteLatency(result, in: &latencies)
        }
        run.latencies = latencies
        run.failure = run.failure ?? runner.failureDescription
        run.framesProcessed = runner.latest.read().value.framesProcessed
        run.firstDrawnNanoseconds = firstDrawn.map { $0 - min($0, loadStarted) }
        return run
    }

    /// Draws each new result of `feed` into memory (as bench draws: a 76×76 picture of the rig and the terminal
    /// bytes for it), then hands it to `drawnResult`, until the feed has finished and its last result is drawn.
    /// Polls every millisecond, so at 30 fps it draws every result unless the machine holds this thread or the feed's
    /// back (two results published within one poll: only the newer is drawn, as on a terminal). Returns why drawing
    /// failed, if it did (the feed is then stopped).
    static func drawEach(
        _ feed: some LiveFeed, painter: AvatarPainter?, drawn: inout Int, _ drawnResult: (FrameResult) -> Void
    ) -> String? {
        // One failure path: a buffer refused in locked memory stops the feed and the drawing.
        do throws(OmoteError) {
            let rasterizer = try SoftwareRasterizer(width: 76, height: 76)
            var canvas = try TerminalCanvas()
            while true {
                // Read before taking the newest slot: a feed that has finished published its last result before that.
                let finished = feed.isFinished
                let (slot, isNew) = feed.results.acquireNewest()
                if isNew {
                    rasterizer.clear(background: .zero)
                    if let painter, let rig = slot.rig { try painter.paint(rig, into: rasterizer) }
                    canvas.begin()
                    canvas.drawPicture(
                        rasterizer.color, width: rasterizer.width, height: rasterizer.height, row: 0, column: 0)
                    canvas.end()
                    if let refused = canvas.memoryError { throw refused }
                    if drawn == 0 { feed.firstFrameDrawn() }
                    drawn += 1
                    drawnResult(slot)
                } else if finished {
                    return nil
                } else {
                    MonotonicClock.sleep(untilNanoseconds: MonotonicClock.nanoseconds() + 1_000_000)
                }
            }
        } catch {
            LiveDisplay.stopAndWait(feed)
            return "display: \(error)"
        }
    }
}

extension SplitBenchmark {
    /// Room for `latencyCapacity` latencies, reserved before drawing starts.
    static func reservedLatencies() -> [UInt64] {
        var latencies: [UInt64] = []
        latencies.reserveCapacity(latencyCapacity)
        return latencies
    }

    /// Keeps a drawn frame's latency (within the reserved room, so without allocating: beyond it, not counted).
    static func noteLatency(_ result: FrameResult, in latencies: inout [UInt64]) {
        guard let latency = result.model.latencyNanoseconds, latencies.count < latencyCapacity else { return }
        latencies.append(latency)
    }
}

/// The split's per-frame record path, timed on both of its ends in one process through a pipe of its own: the
/// sensor's side (`SensorRecordWriter.sendFrame`: encode into its private page, one `write`, wipe) and the
/// presenter's (`SensorRecordReader.next`: `poll` and `read`, then `SensorRecord.decode` of every field into a
/// private slot, the feed's order check, and the wipe). The same code the two processes run, under the same guard,
/// but outside their per-frame paths; what it leaves out is the wake-up of the presenter's reading thread, which is
/// latency, not work.
public final class RecordRoundTrip {
    private let writer: SensorRecordWriter
    private let reader: SensorRecordReader
    private let slot: RigidPrivateBuffer<FaceFrameResult>
    /// Per frame, in nanoseconds; preallocated, so measuring allocates nothing (frames beyond the capacity are not
    /// measured).
    public private(set) var sendNanoseconds: [UInt64] = []
    public private(set) var receiveNanoseconds: [UInt64] = []
    /// Records that did not come back whole and valid (a measurement that is then not counted).
    public private(set) var failures = 0
    private let capacity: Int
    private var sequence: UInt64 = 0

    /// The pipe's ends, for the guard to keep (the write end as one more pipe the process may write; only this
    /// process reads it). Closed when the round trip goes.
    public let readEnd: Int32
    public let writeEnd: Int32

    /// Makes the pipe (before the guard engages) and room for `capacity` frames, the most it measures.
    public init(capacity: Int) throws(OmoteError) {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else {
            throw .sensorUnavailable("pipe() for the record round trip failed", errno: errno)
        }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        (readEnd, writeEnd) = (ends[0], ends[1])
        do throws(OmoteError) {
            writer = try SensorRecordWriter(descriptor: writeEnd)
            reader = try SensorRecordReader(descriptor: readEnd)
            slot = try RigidPrivateBuffer(repeating: FaceFrameResult())
        } catch {
            ends.forEach { _ = close($0) }
            throw error
        }
        self.capacity = max(capacity, 1)
        sendNanoseconds.reserveCapacity(self.capacity)
        receiveNanoseconds.reserveCapacity(self.capacity)
    }

    deinit {
        close(readEnd)
        close(writeEnd)
    }

    /// Sends `result`'s frame as the sensor does (its counts as `SensorProcess.serve` fills them) and reads it back as
    /// the presenter does.
    public func measure(_ result: FrameResult) {
        guard sendNanoseconds.count < capacity else { return }
        sequence += 1
        var counts = SensorRecord.Counts()
        counts.sequence = sequence
        counts.framesProcessed = result.model.framesProcessed
        counts.framesDropped = result.model.framesDropped
        counts.framesCorrupt = result.model.framesCorrupt
        counts.framesPerSecond = result.model.framesPerSecond
        counts.capturedAtNanoseconds = result.capturedAtNanoseconds
        let started = MonotonicClock.nanoseconds()
        let sent = writer.sendFrame(result.face.value, counts: counts)
        let written = MonotonicClock.nanoseconds()
        guard sent, reader.next(timeoutMilliseconds: 0) == .record else {
            failures += 1
            return
        }
        let decoded = SensorRecord.decode(reader.bytes, face: &slot.value)
        reader.wipe()
        let valid =
            if case let .message(.frame(got)) = decoded { got.sequence == sequence && got.sourceIndex == 0 } else {
                false
            }
        let received = MonotonicClock.nanoseconds()
        slot.wipe()
        guard valid else {
            failures += 1
            return
        }
        sendNanoseconds.append(written - started)
        receiveNanoseconds.append(received - written)
    }
}
