import OmoteCore

/// Where frames come from: a V4L2 camera or a recorded clip. A source decodes each frame into the caller's reusable
/// `VideoFrame`, so the pipeline never sees who produced it.
public protocol FrameSource: AnyObject {
    /// A human-readable name for messages ("/dev/video0", "SampleFrames/single_face").
    var name: String { get }
    /// Blocks until the newest frame is decoded into `frame`. Returns nil at the end of a finite source.
    /// Frames that fail to decode are skipped and counted in `stats`, not thrown: a camera keeps streaming.
    func next(into frame: inout VideoFrame) throws(OmoteError) -> FrameDelivery?
    var stats: FrameSourceStats { get }
    /// The largest frame this source can legitimately deliver, in pixels; a frame claiming more is corrupt.
    var maximumFramePixels: Int { get }
}

extension FrameSource {
    /// Sources without a negotiated size (replay) use the sane default bound.
    public var maximumFramePixels: Int { VideoFrame.defaultMaximumPixelCount }
}

/// Facts about one delivered frame.
public struct FrameDelivery: Sendable, Equatable {
    /// Time spent turning the source's bytes into RGB, in nanoseconds (the decode stage of the pipeline).
    public var decodeNanoseconds: UInt64
    /// Frames the source skipped since the previous delivery (newest-frame policy, or corrupt frames).
    public var droppedSincePrevious: Int
    /// When the camera captured the frame (CLOCK_MONOTONIC), for capture → rig latency. A clip replayed at its nominal
    /// pace gives the time the frame was due (when a camera would have delivered it: its frame timestamp is clip
    /// time, not a capture time); nil for a clip replayed as fast as possible, which has no such time.
    public var capturedAtMonotonicNanoseconds: UInt64?

    public init(decodeNanoseconds: UInt64, droppedSincePrevious: Int, capturedAtMonotonicNanoseconds: UInt64? = nil) {
        self.decodeNanoseconds = decodeNanoseconds
        self.droppedSincePrevious = droppedSincePrevious
        self.capturedAtMonotonicNanoseconds = capturedAtMonotonicNanoseconds
    }
}

public struct FrameSourceStats: Sendable, Equatable {
    public var delivered = 0
    public var dropped = 0
    /// Frames skipped as damaged (each also counts as dropped).
    public var corrupt = 0
    /// Why the first damaged frame was skipped, for the summary and the status line.
    public var firstDamage: FrameDamage?
    public init() {}

    /// Counts one skipped damaged frame (no allocation); the source counts it as dropped as it counts drops.
    public mutating func countCorrupt(_ damage: FrameDamage) {
        corrupt += 1
        if firstDamage == nil { firstDamage = damage }
    }

    /// These counts followed by `later`'s (a playlist's clips in order).
    public func adding(_ later: FrameSourceStats) -> FrameSourceStats {
        var total = self
        total.delivered += later.delivered
        total.dropped += later.dropped
        total.corrupt += later.corrupt
        total.firstDamage = firstDamage ?? later.firstDamage
        return total
    }
}
