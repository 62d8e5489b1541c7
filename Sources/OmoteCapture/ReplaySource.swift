import Foundation
import OmoteCore

/// Replays a recorded clip (a `SampleFrames/` folder: JPEG files + `manifest.tsv`) through the same libjpeg-turbo RGB
/// decode a camera's MJPEG goes through. The compressed clip is read into memory once at open, so replay touches no
/// file per frame and allocates nothing per frame.
public final class ReplaySource: FrameSource {
    public enum Pacing: Sendable, Equatable {
        /// Deliver each frame at its nominal time divided by `speed` (1 = real time).
        case nominal(speed: Double)
        /// Deliver frames back to back (tests, benchmarks).
        case asFastAsPossible
    }

    public let name: String
    public let pacing: Pacing
    public let loop: Bool
    public private(set) var stats = FrameSourceStats()
    /// The counts of the current pass only (since the last `rewind`): a headless replay reports each pass.
    public private(set) var passStats = FrameSourceStats()
    /// Nominal timestamp (µs from clip start) of each frame, in manifest order.
    public let timestampsMicroseconds: [UInt64]
    public var frameCount: Int { timestampsMicroseconds.count }

    private let jpegBytes: [UInt8]
    private let frameRanges: [Range<Int>]
    private let frameNames: [String]
    private let decoder: JPEGDecoder
    private var position = 0
    private var lap: UInt64 = 0
    private var startNanoseconds: UInt64 = 0

    /// Opens `clipDirectory`, which must contain `manifest.tsv` (index, timestamp_us, file) and the listed JPEGs.
    public convenience init(clipDirectory: String, pacing: Pacing = .asFastAsPossible, loop: Bool = false)
        throws(OmoteError)
    {
        let manifestPath = (clipDirectory as NSString).appendingPathComponent("manifest.tsv")
        guard let manifest = try? String(contentsOfFile: manifestPath, encoding: .utf8) else {
            throw .replay(clipDirectory, "no readable manifest.tsv in it; is this a SampleFrames clip folder?")
        }
        var timestamps: [UInt64] = []
        var names: [String] = []
        for (lineNumber, line) in manifest.split(separator: "\n").enumerated() where lineNumber > 0 {
            let fields = line.split(separator: "\t")
            guard fields.count == 3, let index = Int(fields[0]), index == names.count, let micros = UInt64(fields[1])
            else {
                throw .replay(
                    clipDirectory,
                    "manifest.tsv line \(lineNumber + 1) is malformed (want: index, timestamp_us, file in order)")
            }
            if let last = timestamps.last, micros < last {
                throw .replay(clipDirectory, "manifest.tsv line \(lineNumber + 1): timestamps go backwards")
            }
            timestamps.append(micros)
            names.append(String(fields[2]))
        }
        guard !names.isEmpty else { throw .replay(clipDirectory, "manifest.tsv lists no frames") }

        var bytes: [UInt8] = []
        var ranges: [Range<Int>] = []
        for name in names {
            let path = (clipDirectory as NSString).appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: path) else {
                throw .replay(clipDirectory, "frame file \(name) listed in manifest.tsv is missing or unreadable")
            }
            ranges.append(bytes.count ..< bytes.count + data.count)
            bytes.append(contentsOf: data)
        }
        try self.init(
            name: clipDirectory, jpegBytes: bytes, frameRanges: ranges, frameNames: names, timestamps: timestamps,
            pacing: pacing, loop: loop)
    }

    /// A clip held in memory (tests: damaged frames made on the fly, never written to disk), one frame every
    /// `frameIntervalMicroseconds`.
    package convenience init(
        name: String, frames: [[UInt8]], frameIntervalMicroseconds: UInt64 = 33_333,
        pacing: Pacing = .asFastAsPossible, loop: Bool = false
    ) throws(OmoteError) {
        var bytes: [UInt8] = []
        var ranges: [Range<Int>] = []
        for frame in frames {
            ranges.append(bytes.count ..< bytes.count + frame.count)
            bytes += frame
        }
        try self.init(
            name: name, jpegBytes: bytes, frameRanges: ranges, frameNames: frames.indices.map { "frame \($0)" },
            timestamps: frames.indices.map { UInt64($0) * frameIntervalMicroseconds }, pacing: pacing,
            loop: loop)
    }

    private init(
        name: String, jpegBytes: [UInt8], frameRanges: [Range<Int>], frameNames: [String], timestamps: [UInt64],
        pacing: Pacing, loop: Bool
    ) throws(OmoteError) {
        decoder = try JPEGDecoder()
        self.name = name
        self.pacing = pacing
        self.loop = loop
        self.timestampsMicroseconds = timestamps
        self.jpegBytes = jpegBytes
        self.frameRanges = frameRanges
        self.frameNames = frameNames
    }

    /// The compressed bytes of frame `index` (for benchmarks that time bare decode on the same frames).
    public func withJPEG<R, E: Error>(at index: Int, _ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        // `Array.withUnsafeBytes` rethrows untyped: carry the typed error out in a `Result`.
        try jpegBytes.withUnsafeBytes { all in
            Result { () throws(E) in try body(UnsafeRawBufferPointer(rebasing: all[frameRanges[index]])) }
        }.get()
    }

    public func fileName(at index: Int) -> String { frameNames[index] }

    /// Starts over from the first frame (a new pass, with counts of its own in `passStats`). With nominal pacing,
    /// `pacedFrom` is when the first frame is due (a playlist continues the previous clip's clock); nil: at once.
    public func rewind(pacedFrom: UInt64? = nil) {
        passStats = FrameSourceStats()
        position = 0
        lap = 0
        startNanoseconds = pacedFrom ?? 0
    }

    /// One pass's nominal length: the last frame's time plus one frame interval.
    private var clipDurationMicroseconds: UInt64 {
        (timestampsMicroseconds.last ?? 0)
            + (timestampsMicroseconds.count > 1 ? timestampsMicroseconds[1] - timestampsMicroseconds[0] : 33_333)
    }

    /// With nominal pacing, when the pass that is playing ends (one frame interval after its last frame is due);
    /// nil before it started or when playing as fast as possible.
    public var pacedEndNanoseconds: UInt64? {
        guard case let .nominal(speed) = pacing, startNanoseconds != 0 else { return nil }
        return startNanoseconds + UInt64(Double(clipDurationMicroseconds * (lap + 1)) * 1000 / speed)
    }

    public func next(into frame: inout VideoFrame) throws(OmoteError) -> FrameDelivery? {
        var dropped = 0
        while true {
            if position == frameRanges.count {
                guard loop else { return nil }
                position = 0
                lap += 1
            }
            let index = position
            position += 1
            let nominalMicros = timestampsMicroseconds[index] + lap * clipDurationMicroseconds
            var due: UInt64?
            if case let .nominal(speed) = pacing {
                if startNanoseconds == 0 { startNanoseconds = MonotonicClock.nanoseconds() }
                due = startNanoseconds + UInt64(Double(nominalMicros) * 1000 / speed)
                MonotonicClock.sleep(untilNanoseconds: due!)
            }
            let started = MonotonicClock.nanoseconds()
            let damage = try withJPEG(at: index) { (jpeg) throws(OmoteError) in
                try decoder.decodeFrame(jpeg, into: &frame)
            }
            if let damage {
                // Only this frame is lost: the decoder starts the next one afresh.
                stats.countCorrupt(damage)
                stats.dropped += 1
                passStats.countCorrupt(damage)
                passStats.dropped += 1
                dropped += 1
                continue
            }
            frame.sequence = UInt64(index) + lap * UInt64(frameRanges.count)
            frame.timestampNanoseconds = nominalMicros * 1000
            stats.delivered += 1
            passStats.delivered += 1
            return FrameDelivery(
                decodeNanoseconds: MonotonicClock.nanoseconds() - started, droppedSincePrevious: dropped,
                capturedAtMonotonicNanoseconds: due)
        }
    }
}

/// Several clips played one after another as one source (`omote replay` without a clip plays every sample clip).
public final class ReplayPlaylist: FrameSource {
    public let clips: [ReplaySource]
    public let loop: Bool
    private var current = 0
    private var sequenceOffset: UInt64 = 0
    private var timeOffsetNanoseconds: UInt64 = 0

    public init(clips: [ReplaySource], loop: Bool = false) {
        precondition(!clips.isEmpty)
        self.clips = clips
        self.loop = loop
    }

    /// Called on the thread that calls `next` when a clip's pass ends (after its last frame was processed), with the
    /// clip's index and the pass's counts; a quit mid-clip ends no pass.
    public var passEnded: ((Int, FrameSourceStats) -> Void)?

    public var name: String { clips[current].name }
    /// Which clip plays now (read on the thread that calls `next`).
    public var currentIndex: Int { current }

    public var stats: FrameSourceStats {
        clips.reduce(FrameSourceStats()) { $0.adding($1.stats) }
    }

    public func next(into frame: inout VideoFrame) throws(OmoteError) -> FrameDelivery? {
        while true {
            if let delivery = try clips[current].next(into: &frame) {
                frame.sequence += sequenceOffset
                frame.timestampNanoseconds += timeOffsetNanoseconds
                return delivery
            }
            // This clip ended: continue the sequence and the clock where it stopped.
            passEnded?(current, clips[current].passStats)
            sequenceOffset = frame.sequence + 1
            timeOffsetNanoseconds = frame.timestampNanoseconds + 33_333_333
            // At nominal pacing the next clip's first frame is due one frame interval after this clip's last.
            let resume = clips[current].pacedEndNanoseconds
            current += 1
            if current == clips.count {
                guard loop else {
                    current -= 1
                    return nil
                }
                current = 0
            }
            clips[current].rewind(pacedFrom: resume)
        }
    }
}
