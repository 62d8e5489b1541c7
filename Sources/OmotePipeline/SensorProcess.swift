import OmoteCapture
import OmoteCore
import OmotePrivacy

#if canImport(Glibc)
import Glibc
#endif

/// Every session runs as two processes. The *sensor* (forked before either side engages its guard) opens the source,
/// decodes, runs the networks and is the only process that ever holds a frame; it engages its guard with the record
/// pipe's write end as its only writable descriptor (stdin, stdout and stderr become /dev/null) and the command pipe's
/// read end as its only input, and sends fixed-size `SensorRecord`s. The *presenter* (the parent, see `SensorFeed`
/// and `Presenter`) holds the terminal or stdout, the record pipe's read end and the command pipe's write end; it
/// never maps a camera buffer or runs the JPEG decoder. Without a terminal the sensor sends no expression data at all
/// (`RecordContent.timingsOnly`) and the presenter prints timings only (`Presenter.runHeadless`).
public enum SensorProcess {
    /// The sensor's two descriptors: where it writes records and where it reads commands.
    public struct Ends: Sendable {
        public let records: Int32
        public let commands: Int32
    }

    /// The presenter's view of a started sensor.
    public struct Handle: Sendable {
        public let pid: pid_t
        /// Read end of the record pipe.
        public let records: Int32
        /// Write end of the command pipe.
        public let commands: Int32
        /// When the sensor was forked (start-up time is measured from here: it includes loading the networks).
        public var startedNanoseconds: UInt64 = MonotonicClock.nanoseconds()
        /// For the status line and `omote doctor`: who holds what.
        public var description: String { "sensor: pid \(pid), writes only records; presenter: \(presenterView)" }
        /// What the presenter draws on, for `description`.
        public var presenterView = "terminal"
    }

    /// Forks the sensor, which runs `body` and exits with its result (never returns there). Call while the process
    /// is single-threaded and before engaging the guard.
    public static func start(_ body: (Ends) -> Int32) throws(OmoteError) -> Handle {
        var records: [Int32] = [-1, -1]
        var commands: [Int32] = [-1, -1]
        guard pipe(&records) == 0 else {
            throw .sensorUnavailable("pipe() for the sensor's records failed", errno: errno)
        }
        guard pipe(&commands) == 0 else {
            let code = errno
            records.forEach { _ = close($0) }
            throw .sensorUnavailable("pipe() for the sensor's commands failed", errno: code)
        }
        for end in records + commands { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        fflush(nil)  // the sensor must not flush the presenter's buffered output a second time
        let pid = fork()
        if pid < 0 {
            let code = errno
            (records + commands).forEach { _ = close($0) }
            throw .sensorUnavailable("fork() for the sensor failed", errno: code)
        }
        if pid == 0 {
            close(records[0])
            close(commands[1])
            // From its first instruction the sensor holds no terminal or output: 0–2 become /dev/null (read-only), as
            // its guard will make them, so not even the camera open before engaging can reach the terminal.
            let null = open("/dev/null", O_RDONLY | O_CLOEXEC)
            if null >= 0 {
                for standard in 0 ... 2 { _ = dup2(null, Int32(standard)) }
                close(null)
            }
            // Writing to a presenter that is gone must end the write with EPIPE, not kill the sensor mid-record.
            signal(SIGPIPE, SIG_IGN)
            _exit(body(Ends(records: records[1], commands: commands[0])))
        }
        close(records[1])
        close(commands[0])
        return Handle(pid: pid, records: records[0], commands: commands[1])
    }

    /// The sensor's guard: its record pipe is its only writable descriptor, the command pipe its only other one (and
    /// the camera's, for live). Sends `engaged`, or `ended` with the reason it could not engage. Returns the proof
    /// the pipeline runner asks for, or nil when the guard could not engage (the sensor must then stop).
    public static func engage(
        _ ends: Ends, cameraDevice: String?, camera: SensorRecord.CameraFormat? = nil, writer: SensorRecordWriter
    ) -> GuardEngagement? {
        do {
            let status = try PrivacyGuard.engage(
                cameraDevice: cameraDevice, keeping: [ends.commands], statusChannel: ends.records)
            writer.send(
                .engaged(
                    allowedSyscalls: status.allowedSyscalls, closedDescriptors: status.closedDescriptors,
                    camera: camera))
            return status.engagement
        } catch {
            writer.send(.ended(.failure, "\(error)"))
            return nil
        }
    }

    /// What a sensor's frame records carry: everything the avatar needs (a terminal view), or no expression data at
    /// all (headless: the presenter prints counts and timings only, so the weights and pose never leave the sensor).
    public enum RecordContent: Sendable {
        case expression
        case timingsOnly
    }

    /// Runs `source` through `processor` (no rig: the presenter drives it), sends a frame record per processed frame
    /// (at most `maximumFrameRate` a second; a faster source, `replay --fast`, sends its newest frames) and the notes
    /// in between, obeys commands, and sends `ended` last. Once the first result is out, the guard narrows to the
    /// steady state (when it is engaged: `SensorServeTests` runs this loop unguarded). `passes` sees every processed
    /// frame (a headless replay's per-clip summaries). Returns the runner, which says how processing ended.
    public static func serve(
        source: FrameSource, processor: FrameProcessor, ends: Ends, writer: SensorRecordWriter,
        engagement: GuardEngagement, content: RecordContent = .expression, passes: SensorPassSummaries? = nil,
        sourceIndex: @escaping () -> Int = { 0 }
    ) throws(OmoteError) -> PipelineRunner {
        let runner = try PipelineRunner(source: source, processor: processor, engagement: engagement)
        if PrivacyGuard.status != nil { runner.afterFirstResult = PrivacyGuard.narrowForSteadyState }
        let frames = try SensorRecordWriter(descriptor: ends.records)
        // A token bucket at the presenter's rate with a small burst: a frame that finishes late (a busy machine)
        // still goes out when the next one follows it closely, while `--fast` is thinned to the rate.
        var tokens = SensorFeed.sensorBurst
        var lastRefill = MonotonicClock.nanoseconds()
        var lastSequence = 0
        // One frame's record from its slot (the slot's face is in private memory; the counts are not expression data).
        let send = { (slot: FrameResult) -> Bool in
            var counts = SensorRecord.Counts()
            counts.sequence = UInt64(slot.model.framesProcessed)
            counts.framesProcessed = slot.model.framesProcessed
            counts.framesDropped = slot.model.framesDropped
            counts.framesCorrupt = slot.model.framesCorrupt
            counts.framesPerSecond = slot.model.framesPerSecond
            counts.firstDamage = source.stats.firstDamage
            counts.capturedAtNanoseconds = slot.capturedAtNanoseconds
            counts.sourceIndex = sourceIndex()
            lastSequence = slot.model.framesProcessed
            let face = slot.face.value
            return frames.sendFrame(content == .expression ? face : face.withoutExpression, counts: counts)
        }
        runner.frameHandler = { [unowned runner] slot in
            passes?.record(slot.face.value.timings, frameSize: slot.face.value.frameSize)
            let now = MonotonicClock.nanoseconds()
            tokens = min(
                SensorFeed.sensorBurst, tokens + Double(now - lastRefill) * SensorFeed.maximumFrameRate / 1e9)
            lastRefill = now
            guard tokens >= 1 else { return }
            tokens -= 1
            if !send(slot) { runner.requestStop() }
        }
        runner.start()
        var note = ""
        var stopped = false
        while !runner.isFinished {
            switch SensorCommand.receive(from: ends.commands, timeoutMilliseconds: 20) {
            case .command(.quit), .closed, .malformed:
                stopped = true
                runner.requestStop()
            case .command(.reset): runner.requestReset()
            case .command(.calibrate): runner.requestCalibration()
            case .none: break
            }
            let current = runner.latest.read().value.statusNote
            if current != note {
                note = current
                if !writer.send(.note(current)) { runner.requestStop() }
            }
        }
        // The processing thread has finished: the last frame goes out even if the rate skipped it (a clip's end).
        let (newest, _) = runner.results.acquireNewest()
        if newest.model.framesProcessed > lastSequence { _ = send(newest) }
        if let failure = runner.failureDescription {
            writer.send(.ended(runner.failureCode == .captureDisconnected ? .disconnected : .failure, failure))
        } else {
            writer.send(.ended(stopped ? .stopped : .endOfInput, ""))
        }
        return runner
    }
}
