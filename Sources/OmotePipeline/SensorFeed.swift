import Foundation
import OmoteCore
import OmoteRig
import OmoteView
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The presenter's side of a split session: a thread reads the sensor's records, validates each (`SensorRecord`),
/// drives the rig with the weights and head pose, and publishes the result exactly as a `PipelineRunner` does, so the
/// live view draws it unchanged. Per frame it allocates nothing: the record is read into a private page and decoded
/// into the slot's private `FaceFrameResult`. Anything malformed — or records faster than `maximumFrameRate` a second
/// on average, a sequence number that does not grow, a source index the presenter did not name — ends the session
/// with the violation as its failure.
public final class SensorFeed: LiveFeed, @unchecked Sendable {
    /// Frame records a second the sensor may send (it spaces them; the presenter refuses a faster average).
    public static let maximumFrameRate: Double = 60
    /// Records the presenter accepts in a burst above the average (scheduling jitter, notes).
    static let burst: Double = 120
    /// Frame records a sensor sends in a burst above the average (a late frame and the one right after it).
    public static let sensorBurst: Double = 4
    /// Notes a second on average (a burst of 10): the only sensor text shown verbatim, so the tightest budget.
    public static let maximumNoteRate: Double = 2
    static let noteBurst: Double = 10
    /// Source summaries a second on average (a burst of 10): a headless replay prints each, one line per clip.
    public static let maximumSummaryRate: Double = 5
    static let summaryBurst: Double = 10
    /// The oldest capture time a frame record may carry, before the moment it is read.
    static let maximumLatencyNanoseconds: UInt64 = 60_000_000_000

    public let sensor: SensorProcess.Handle
    public let results: TripleBuffer<FrameResult>
    public let latest = LatestValue(LiveViewModel())
    private let reader: SensorRecordReader
    private let sourceNames: [String]
    private let baseModel: LiveViewModel
    private let stopRequested = Atomic<Bool>(false)
    /// The record pipe closed without an `ended` record (the sensor crashed, was killed or exited on its own).
    private let endedSilently = Atomic<Bool>(false)
    private let finished = Atomic<Bool>(false)
    private let failure = Mutex<(description: String, code: OmoteError.Code?)?>(nil)
    private let history: Mutex<TimingHistory>
    private let counts = Mutex(SensorRecord.Counts())
    /// What the frame records may carry: a headless presenter refuses any expression data.
    private let content: SensorProcess.RecordContent
    private let summaries = Mutex<[SensorRecord.SourceSummary]>([])
    /// When the first frame record arrived (for the start-up time).
    private let firstFrame = Atomic<UInt64>(0)
    /// How the sensor's guard engaged (its `engaged` record), once `awaitEngaged` succeeded.
    public private(set) var sensorGuard: (allowedSyscalls: Int, closedDescriptors: Int)?
    /// What a camera generation's sensor said the camera streams (nil for replay).
    public private(set) var cameraFormat: SensorRecord.CameraFormat?

    /// `sourceNames` are the names a frame record's source index may pick (the clips of a playlist; one for a
    /// camera). `engagement` is the presenter's own guard (only `PrivacyGuard.engage` makes one), as for
    /// `PipelineRunner`. With `.timingsOnly` content (headless), frame records must carry no expression data and
    /// source summaries are accepted (see `takeSummaries`). Throws when private memory for the slots and the record is
    /// refused.
    public init(
        sensor: SensorProcess.Handle, rigModel: RigModel?, sourceNames: [String], engagement: GuardEngagement,
        content: SensorProcess.RecordContent = .expression, historyCapacity: Int = 18_000
    ) throws(OmoteError) {
        self.sensor = sensor
        self.content = content
        self.sourceNames = sourceNames.isEmpty ? [""] : sourceNames
        reader = try SensorRecordReader(descriptor: sensor.records)
        results = try TripleBuffer { () throws(OmoteError) in
            try FrameResult(rig: rigModel.map(RigState.init(model:)))
        }
        var model = LiveViewModel()
        model.guardSummary = engagement.summary
        model.processes = sensor.description
        model.sourceName = self.sourceNames[0]
        baseModel = model
        latest.publish(model)
        history = Mutex(TimingHistory(capacity: historyCapacity))
    }

    public var isFinished: Bool { finished.load(ordering: .acquiring) }
    public var failureDescription: String? { failure.withLock { $0?.description } }
    public var failureCode: OmoteError.Code? { failure.withLock { $0?.code } }

    /// The failure with how the sensor ended once `close` has waited for it: a sensor that ended without saying why
    /// is described by its exit status or signal, the only thing it left.
    public func failureDescription(after ending: SensorProcess.Ending) -> String? {
        guard let description = failureDescription, endedSilently.load(ordering: .relaxed) else {
            return failureDescription
        }
        switch ending {
        case let .exited(status): return description + " (it exited with status \(status))"
        case let .signalled(signal): return description + " (it was killed by signal \(signal))"
        }
    }
    public func timingHistory() -> TimingHistory { history.withLock { $0 } }
    /// The newest frame's counts (frames, drops, damage).
    public var latestCounts: SensorRecord.Counts { counts.withLock { $0 } }
    /// Nanoseconds from forking the sensor to the first frame record; nil before one arrived.
    public var firstFrameNanoseconds: UInt64? {
        let first = firstFrame.load(ordering: .relaxed)
        return first == 0 ? nil : first - min(first, sensor.startedNanoseconds)
    }
    private let firstDraw = Atomic<UInt64>(0)
    /// Nanoseconds from forking the sensor to the first frame on the screen; nil before the view drew one.
    public var firstDrawNanoseconds: UInt64? {
        let first = firstDraw.load(ordering: .relaxed)
        return first == 0 ? nil : first - min(first, sensor.startedNanoseconds)
    }

    /// The source summaries received since the last call, oldest first (headless replay).
    public func takeSummaries() -> [SensorRecord.SourceSummary] {
        summaries.withLock { taken in
            defer { taken.removeAll() }
            return taken
        }
    }

    public func firstFrameDrawn() { firstDraw.store(MonotonicClock.nanoseconds(), ordering: .relaxed) }

    public func requestStop() {
        stopRequested.store(true, ordering: .relaxed)
        SensorCommand.quit.send(to: sensor.commands)
    }

    public func requestReset() { SensorCommand.reset.send(to: sensor.commands) }

    public func requestCalibration() { SensorCommand.calibrate.send(to: sensor.commands) }

    /// Blocks until the sensor's first record: true when its guard engaged; otherwise the session is over and
    /// `failureDescription` says why (the sensor could not open its source or engage, or sent something invalid).
    public func awaitEngaged() -> Bool {
        var face = FaceFrameResult()
        switch reader.next(timeoutMilliseconds: -1) {
        case .record: break
        case .timeout, .end:
            end("the sensor ended before engaging its guard", code: .pipelineSensorEnded)
            return false
        case .truncated:
            end("the sensor sent a truncated record", code: .pipelineSensorViolation)
            return false
        }
        switch SensorRecord.decode(reader.bytes, face: &face) {
        case let .message(.engaged(allowed, closed, camera)):
            sensorGuard = (allowed, closed)
            cameraFormat = camera
            return true
        case let .message(.ended(_, text)):
            // An empty text is a camera generation's quiet retry (see `SensorProcess.camera`).
            end(text, code: .pipelineSensorEnded)
        case .message:
            end("the sensor sent a record before its guard record", code: .pipelineSensorViolation)
        case let .violation(problem):
            end("the sensor sent \(problem)", code: .pipelineSensorViolation)
        }
        return false
    }

    /// Starts the reading thread (after `awaitEngaged`, with the presenter's guard engaged: the thread inherits it).
    public func start() {
        let thread = Thread { [self] in self.readLoop() }
        thread.name = "omote-presenter"
        thread.start()
    }

    private func end(_ description: String?, code: OmoteError.Code?) {
        if let description { failure.withLock { $0 = $0 ?? (description, code) } }
        reader.wipe()
        finished.store(true, ordering: .releasing)
    }

    private func readLoop() {
        var model = baseModel
        var tokens = Self.burst
        var noteTokens = Self.noteBurst
        var summaryTokens = Self.summaryBurst
        var lastRefill = MonotonicClock.nanoseconds()
        var lastSequence: UInt64 = 0
        var stopDeadline: UInt64?
        while true {
            let now = MonotonicClock.nanoseconds()
            if stopRequested.load(ordering: .relaxed) {
                // After a quit, wait a moment for the sensor's `ended`, then stop reading regardless.
                if stopDeadline == nil { stopDeadline = now + 1_000_000_000 }
                if now >= stopDeadline! { return end(nil, code: nil) }
            }
            switch reader.next(timeoutMilliseconds: 50) {
            case .record: break
            case .timeout: continue
            case .end:
                // After a quit the sensor may be gone before its `ended` arrives; otherwise it must say why it ended.
                guard stopDeadline == nil else { return end(nil, code: nil) }
                endedSilently.store(true, ordering: .relaxed)
                return end("the sensor ended without saying why", code: .pipelineSensorEnded)
            case .truncated: return end("the sensor sent a truncated record", code: .pipelineSensorViolation)
            }
            tokens = min(Self.burst, tokens + Double(now - lastRefill) * Self.maximumFrameRate * 1.05 / 1e9)
            noteTokens = min(Self.noteBurst, noteTokens + Double(now - lastRefill) * Self.maximumNoteRate / 1e9)
            summaryTokens = min(
                Self.summaryBurst, summaryTokens + Double(now - lastRefill) * Self.maximumSummaryRate / 1e9)
            lastRefill = now
            tokens -= 1
            guard tokens >= 0 else {
                return end(
                    "the sensor sent records faster than \(Int(Self.maximumFrameRate)) a second",
                    code: .pipelineSensorViolation)
            }
            let slot = results.back
            let decoded = SensorRecord.decode(reader.bytes, face: &slot.face.value)
            reader.wipe()
            switch decoded {
            case let .violation(problem):
                return end("the sensor sent \(problem)", code: .pipelineSensorViolation)
            case .message(.engaged):
                return end("the sensor sent a second guard record", code: .pipelineSensorViolation)
            case let .message(.note(text)):
                noteTokens -= 1
                guard noteTokens >= 0 else {
                    return end(
                        "the sensor sent notes faster than \(Int(Self.maximumNoteRate)) a second",
                        code: .pipelineSensorViolation)
                }
                model.statusNote = text
                latest.publish(model)
            case let .message(.sourceSummary(summary)):
                guard content == .timingsOnly else {
                    return end("the sensor sent a source summary to a live view", code: .pipelineSensorViolation)
                }
                guard summary.sourceIndex < sourceNames.count else {
                    return end(
                        "the sensor sent a summary of source \(summary.sourceIndex) (there are \(sourceNames.count))",
                        code: .pipelineSensorViolation)
                }
                summaryTokens -= 1
                guard summaryTokens >= 0 else {
                    return end(
                        "the sensor sent source summaries faster than \(Int(Self.maximumSummaryRate)) a second",
                        code: .pipelineSensorViolation)
                }
                summaries.withLock { $0.append(summary) }
            case let .message(.ended(ending, text)):
                switch ending {
                case .endOfInput, .stopped: return end(nil, code: nil)
                case .failure: return end(text, code: .pipelineSensorEnded)
                case .disconnected: return end(text, code: .captureDisconnected)
                }
            case let .message(.frame(frameCounts)):
                guard frameCounts.sequence > lastSequence else {
                    return end(
                        "the sensor sent frame \(frameCounts.sequence) after frame \(lastSequence)",
                        code: .pipelineSensorViolation)
                }
                guard frameCounts.sourceIndex < sourceNames.count else {
                    return end(
                        "the sensor sent a frame of source \(frameCounts.sourceIndex) (there are \(sourceNames.count))",
                        code: .pipelineSensorViolation)
                }
                if content == .timingsOnly, SensorRecord.carriesExpression(slot.face.value) {
                    slot.face.value = FaceFrameResult()
                    return end(
                        "the sensor sent expression data to a presenter that shows timings only",
                        code: .pipelineSensorViolation)
                }
                // Both processes read the one CLOCK_MONOTONIC: a capture time can only lie in the past, and a frame
                // a minute old is not live (the bound also keeps the field's bandwidth that of a latency).
                let received = MonotonicClock.nanoseconds()
                if let captured = frameCounts.capturedAtNanoseconds,
                    captured > received || received - captured > Self.maximumLatencyNanoseconds
                {
                    return end(
                        "the sensor sent a capture time in the future or more than a minute ago",
                        code: .pipelineSensorViolation)
                }
                if lastSequence == 0 { firstFrame.store(received, ordering: .relaxed) }
                lastSequence = frameCounts.sequence
                present(frameCounts, slot: slot, model: &model)
            }
        }
    }

    /// Drives the rig from the validated frame, then publishes it for the view.
    private func present(_ frameCounts: SensorRecord.Counts, slot: FrameResult, model: inout LiveViewModel) {
        if slot.rig != nil {
            let rigStart = MonotonicClock.nanoseconds()
            let face = slot.face.value
            slot.rig!.apply(weights: face.weights, headPose: face.headPose)
            slot.face.value.timings[.rig] = MonotonicClock.nanoseconds() - rigStart
        }
        // Capture → this process's rig: the live view's latency, and `omote bench`'s split latency.
        let rigUpdated = MonotonicClock.nanoseconds()
        model.latencyNanoseconds = frameCounts.capturedAtNanoseconds.map { rigUpdated - min(rigUpdated, $0) }
        slot.capturedAtNanoseconds = frameCounts.capturedAtNanoseconds
        model.statusNote = ""
        model.sourceName = sourceNames[frameCounts.sourceIndex]
        model.frame = slot.face.value.withoutExpression
        model.framesProcessed = frameCounts.framesProcessed
        model.framesDropped = frameCounts.framesDropped
        model.framesCorrupt = frameCounts.framesCorrupt
        model.firstCorruptReason = frameCounts.firstDamage?.description ?? ""
        model.framesPerSecond = frameCounts.framesPerSecond
        let timings = model.frame.timings
        history.withLock { $0.append(timings) }
        counts.withLock { $0 = frameCounts }
        slot.model = model
        results.publish()
        latest.publish(model)
    }

    /// Closes the presenter's ends (a sensor still writing gets EPIPE and stops) and waits for the sensor.
    public func close() -> SensorProcess.Ending {
        SensorCommand.quit.send(to: sensor.commands)
        Glibc.close(sensor.commands)
        Glibc.close(sensor.records)
        return SensorProcess.wait(sensor.pid)
    }
}

extension OmoteError.Code {
    /// The sensor process sent something that is not a valid record (or too many); the session ends.
    public static let pipelineSensorViolation = Self("pipeline.sensorViolation")
    /// The sensor process stopped (its source failed, or it ended without saying why).
    public static let pipelineSensorEnded = Self("pipeline.sensorEnded")
}
