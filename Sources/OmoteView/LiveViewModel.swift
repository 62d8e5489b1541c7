import OmoteCore

/// Everything the live view shows: the newest frame's result plus the session around it (source, rates, guard).
/// A plain value: the processing thread publishes it, the drawing thread copies it. Redacted in logs.
public struct LiveViewModel: Sendable, CustomStringConvertible {
    /// The per-frame core's result for the newest processed frame.
    public var frame = FaceFrameResult()
    public var sourceName = ""
    public var framesPerSecond: Double = 0
    public var framesProcessed = 0
    public var framesDropped = 0
    /// Frames skipped as damaged (also counted in `framesDropped`), and why the first one was.
    public var framesCorrupt = 0
    public var firstCorruptReason = ""
    public var guardSummary = "guard: not engaged"
    /// How the session is split between processes ("sensor: pid 123, writes only records; presenter: terminal").
    public var processes = ""
    /// A one-line note from the session (end of clip, camera unplugged).
    public var statusNote = ""
    /// Capture → rig updated for the newest frame in nanoseconds (a replay at nominal pace counts from when the frame
    /// was due); nil for a replay as fast as possible.
    public var latencyNanoseconds: UInt64?

    public init() {}
    public var description: String { "LiveViewModel(redacted)" }
}
