import Foundation
import OmoteCapture
import OmoteCore
import OmoteRig
import OmoteView
import Synchronization

/// Turns one decoded frame into the newest view state (detect or track → mesh → blendshapes and head pose → rig).
public protocol FrameProcessor: AnyObject {
    /// Processes `frame`: updates `result` in place (weights, pose, tracking state, stage timings) and deforms `rig`
    /// (this frame's slot, when the processor drives a rig).
    func process(
        _ frame: borrowing VideoFrame,
        delivery: FrameDelivery,
        into result: inout FaceFrameResult,
        rig: inout RigState?
    )
    /// Forgets the face and any per-face state (a new clip, a camera restart).
    func reset()
    /// Starts the guided calibration (`c`), when the processor has one.
    func startCalibration()
    /// The rig the processor deforms (one `RigState` per result slot is made from it), if any.
    var rigModel: RigModel? { get }
}

/// One processed frame handed to the drawing thread: the session's view state, the frame's result in private memory
/// (its weights and head pose are expression data) and the deformed avatar.
public final class FrameResult {
    /// The view state without the frame's expression data (`model.frame` is `face.value.withoutExpression`).
    public var model = LiveViewModel()
    public let face: RigidPrivateBuffer<FaceFrameResult>
    public var rig: RigState?
    /// When the frame was captured or due (`FrameDelivery.capturedAtMonotonicNanoseconds`): the sensor sends it, so
    /// the presenter can time capture → its own rig.
    public var capturedAtNanoseconds: UInt64?

    public init(rig: RigState?) throws(OmoteError) {
        self.rig = rig
        face = try RigidPrivateBuffer(repeating: FaceFrameResult())
    }

    /// The whole view state to draw: the session's, with this frame's full result.
    public var viewModel: LiveViewModel {
        var whole = model
        whole.frame = face.value
        return whole
    }
}

/// The newest value published by one thread for another: the reader always gets the latest state and never waits for
/// the writer's work, only for a copy of a small value.
public final class LatestValue<Value: Sendable>: Sendable {
    private let storage: Mutex<(value: Value, version: UInt64)>
    public init(_ initial: Value) { storage = Mutex((initial, 0)) }
    public func publish(_ value: Value) {
        storage.withLock { $0 = ($0.version == .max ? (value, 1) : (value, $0.version + 1)) }
    }
    public func read() -> (value: Value, version: UInt64) { storage.withLock { $0 } }
}

/// What the live view draws from: the newest frame result with its deformed rig, the session's status and how it
/// ended. A `PipelineRunner` in one process, or the presenter's `SensorFeed` of records from the sensor process.
public protocol LiveFeed: AnyObject {
    var results: TripleBuffer<FrameResult> { get }
    /// The newest session state for status lines (its `statusNote` is shown between frames).
    var latest: LatestValue<LiveViewModel> { get }
    var isFinished: Bool { get }
    var failureDescription: String? { get }
    var failureCode: OmoteError.Code? { get }
    /// Asks processing to stop (it may take a moment; wait for `isFinished`).
    func requestStop()
    /// Forgets the face (the view's reset key).
    func requestReset()
    /// Starts the guided calibration (the view's `c`).
    func requestCalibration()
    /// Called by the view once, when the first processed frame is on the screen (start-up time).
    func firstFrameDrawn()
}

extension LiveFeed {
    public func firstFrameDrawn() {}
}

extension FrameProcessor {
    /// A processor without a calibration ignores the request.
    public func startCalibration() {}
}

/// Runs a frame source through a processor on a dedicated processing thread while the calling thread draws (or
/// reports). Capture and processing never wait for drawing: the drawer reads the newest published state.
public final class PipelineRunner: LiveFeed, @unchecked Sendable {
    public let source: FrameSource
    public let processor: FrameProcessor
    /// The newest session state for status lines: counts, rates and timings, never the frame's expression data.
    public let latest = LatestValue(LiveViewModel())
    /// Shown in the view's status: the engaged guard's summary.
    public let guardSummary: String
    /// Run once on the processing thread right after the first result is published (set before `start`): where a
    /// sensor narrows its guard to the steady state (`PrivacyGuard.narrowForSteadyState`). A throw ends processing
    /// with that failure.
    public var afterFirstResult: (() throws(OmoteError) -> Void)?
    /// Called on the processing thread with each frame's slot just before it is published (set before `start`): the
    /// sensor process sends the frame to the presenter from here.
    public var frameHandler: ((FrameResult) -> Void)?
    /// The newest frame result with its deformed rig, for the drawing thread.
    public let results: TripleBuffer<FrameResult>
    private let stopRequested = Atomic<Bool>(false)
    private let resetRequested = Atomic<Bool>(false)
    private let calibrationRequested = Atomic<Bool>(false)
    private let finished = Atomic<Bool>(false)
    private let failure = Mutex<(description: String, code: OmoteError.Code?)?>(nil)
    /// Stage times of the last 18,000 frames (10 minutes at 30 fps) for the closing summary (made up front; the ring
    /// overwrites the oldest).
    private let history: Mutex<TimingHistory>

    /// `engagement` proves the privacy guard is engaged (only `PrivacyGuard.engage` makes one): the processing
    /// thread inherits its restrictions. Throws when the private memory for the three result slots (their frame
    /// results and rig states) is refused (a locked-memory limit).
    public init(
        source: FrameSource, processor: FrameProcessor, engagement: GuardEngagement, historyCapacity: Int = 18_000
    ) throws(OmoteError) {
        guardSummary = engagement.summary
        self.source = source
        self.processor = processor
        let rigModel = processor.rigModel
        results = try TripleBuffer { () throws(OmoteError) in
            try FrameResult(rig: rigModel.map(RigState.init(model:)))
        }
        history = Mutex(TimingHistory(capacity: historyCapacity))
    }

    public func requestStop() { stopRequested.store(true, ordering: .relaxed) }
    public func requestReset() { resetRequested.store(true, ordering: .relaxed) }
    public func requestCalibration() { calibrationRequested.store(true, ordering: .relaxed) }
    public var isFinished: Bool { finished.load(ordering: .acquiring) }
    /// Why processing stopped early (camera unplugged, …), if it did.
    public var failureDescription: String? { failure.withLock { $0?.description } }
    /// Its code when it was an `OmoteError` (`.captureDisconnected` for an unplugged camera).
    public var failureCode: OmoteError.Code? { failure.withLock { $0?.code } }
    public func timingHistory() -> TimingHistory { history.withLock { $0 } }

    /// Starts the processing thread (it inherits the engaged guard's restrictions).
    public func start(frameCapacity: Int = 1280 * 720) {
        let thread = Thread { [self] in
            do throws(OmoteError) {
                let bound = self.source.maximumFramePixels
                var frame = try VideoFrame(capacity: min(frameCapacity, bound), maximumPixelCount: bound)
                let current = try RigidPrivateBuffer(repeating: FaceFrameResult())
                self.processLoop(frame: &frame, current: current)
            } catch {
                self.failure.withLock { $0 = ("\(error)", error.code) }
                self.finished.store(true, ordering: .releasing)
            }
        }
        thread.name = "omote-processing"
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// `current` is the newest frame's result, in private memory, carried from frame to frame.
    private func processLoop(frame: inout VideoFrame, current: borrowing RigidPrivateBuffer<FaceFrameResult>) {
        var model = LiveViewModel()
        model.guardSummary = guardSummary
        var frameTimes = RateMeter()
        var firstResultPending = afterFirstResult != nil
        defer {
            frame.wipe()
            current.wipe()
            finished.store(true, ordering: .releasing)
        }
        while !stopRequested.load(ordering: .relaxed) {
            let delivery: FrameDelivery
            do {
                guard let next = try source.next(into: &frame) else { return }
                delivery = next
            } catch  where error.code == .captureStalled || error.code == .captureFramesDamaged {
                // A stalled camera stays open (a closed privacy shutter, a long exposure), and so does one whose every
                // frame arrives damaged (a failing cable): say so and keep waiting.
                model.statusNote = "\(error.reason): waiting for the camera"
                model.noteSourceCounts(source.stats)
                latest.publish(model)
                continue
            } catch {
                failure.withLock { $0 = ("\(error)", error.code) }
                return
            }
            if resetRequested.exchange(false, ordering: .relaxed) {
                processor.reset()
                current.value = FaceFrameResult()
            }
            if calibrationRequested.exchange(false, ordering: .relaxed) { processor.startCalibration() }
            model.statusNote = ""
            model.sourceName = source.name
            let slot = results.back
            // Each frame continues from the previous one's result (e.g. weights relaxing once the face is lost).
            var face = current.value
            face.timings[.decode] = delivery.decodeNanoseconds
            processor.process(frame, delivery: delivery, into: &face, rig: &slot.rig)
            face.frameSize = SIMD2(frame.width, frame.height)
            current.value = face
            slot.face.value = face
            model.frame = face.withoutExpression
            // After `process`, which deformed the rig (a sensor's processor has none: its presenter times its own).
            let now = MonotonicClock.nanoseconds()
            slot.capturedAtNanoseconds = delivery.capturedAtMonotonicNanoseconds
            model.latencyNanoseconds = delivery.capturedAtMonotonicNanoseconds.map { now - min(now, $0) }
            model.framesProcessed += 1
            model.noteSourceCounts(source.stats)
            model.framesPerSecond = frameTimes.tick(now)
            let timings = model.frame.timings
            history.withLock { $0.append(timings) }
            slot.model = model
            frameHandler?(slot)
            results.publish()
            latest.publish(model)
            if firstResultPending, let afterFirstResult {
                firstResultPending = false
                do throws(OmoteError) { try afterFirstResult() } catch {
                    failure.withLock { $0 = ("\(error)", error.code) }
                    return
                }
            }
        }
    }
}

extension LiveViewModel {
    /// The source's drop and damage counts (no allocation: the damage text is a catalogue literal).
    mutating func noteSourceCounts(_ stats: FrameSourceStats) {
        framesDropped = stats.dropped
        framesCorrupt = stats.corrupt
        firstCorruptReason = stats.firstDamage?.description ?? ""
    }
}

/// Frames per second over a sliding window of recent frame times.
struct RateMeter {
    private var times = SIMD32<UInt64>(repeating: 0)
    private var count = 0
    mutating func tick(_ now: UInt64) -> Double {
        times[count % 32] = now
        count += 1
        guard count > 1 else { return 0 }
        let span = min(count, 32)
        let oldest = times[(count - span) % 32]
        return now > oldest ? Double(span - 1) * 1e9 / Double(now - oldest) : 0
    }
}

/// Stage timings of the most recent processed frames (a ring), for p50/p99 summaries. Timings are not expression data.
/// The ring is filled with zeros when made, so its memory is all there from the first frame: a long session's
/// resident memory stays flat instead of creeping up as the ring fills (`Benchmarks/soak.sh`).
public struct TimingHistory: Sendable {
    private var ring: [StageTimings]
    private var next = 0
    /// Frames recorded so far (the ring keeps the newest `capacity`).
    public private(set) var total = 0

    public init(capacity: Int) {
        ring = Array(repeating: StageTimings(), count: max(capacity, 1))
    }

    /// The recorded timings (at most `capacity`, oldest overwritten first).
    public var samples: [StageTimings] { total < ring.count ? Array(ring.prefix(total)) : ring }

    public mutating func append(_ timings: StageTimings) {
        ring[next] = timings
        next = (next + 1) % ring.count
        total += 1
    }

    /// Forgets every frame (a new pass of a source), keeping the storage.
    public mutating func removeAll() {
        next = 0
        total = 0
    }

    /// The q-quantile (0…1) of a stage, in nanoseconds.
    public func quantile(_ q: Double, of stage: PipelineStage) -> UInt64 {
        quantile(q) { $0[stage] }
    }

    /// The q-quantile of any per-frame quantity derived from the stage timings.
    public func quantile(_ q: Double, _ value: (StageTimings) -> UInt64) -> UInt64 {
        guard total > 0 else { return 0 }
        let sorted = ring.prefix(total).map(value).sorted()
        return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * q).rounded()))]
    }
}
