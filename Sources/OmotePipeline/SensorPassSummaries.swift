import OmoteCapture
import OmoteCore

/// A headless replay's per-clip report, made in the sensor: the stage times of every frame of the current pass (not
/// only the frames whose records went out, which `--fast` thins to `SensorFeed.maximumFrameRate` a second) and, when
/// the playlist says the pass ended, one `sourceSummary` record with its counts and quantiles. Used on the processing
/// thread only; per frame it appends to a ring and allocates nothing.
public final class SensorPassSummaries {
    private var history: TimingHistory
    private var frameSize = SIMD2<Int>(0, 0)
    private let writer: SensorRecordWriter

    /// `descriptor` is the record pipe's write end; records of at most `SensorRecord.size` bytes are written whole,
    /// so this writer and the frame writer may share it.
    public init(descriptor: Int32, capacity: Int = 18_000) throws(OmoteError) {
        writer = try SensorRecordWriter(descriptor: descriptor)
        history = TimingHistory(capacity: capacity)
    }

    /// One processed frame of the current pass.
    public func record(_ timings: StageTimings, frameSize: SIMD2<Int>) {
        history.append(timings)
        self.frameSize = frameSize
    }

    /// The pass of source `index` ended with `stats`: sends its summary and starts the next pass. Returns false when
    /// the presenter is gone.
    @discardableResult
    public func passEnded(index: Int, stats: FrameSourceStats) -> Bool {
        var summary = SensorRecord.SourceSummary()
        summary.sourceIndex = index
        summary.framesDelivered = stats.delivered
        summary.framesCorrupt = stats.corrupt
        summary.firstDamage = stats.firstDamage
        if history.total > 0 {
            summary.width = frameSize.x
            summary.height = frameSize.y
            for stage in SensorRecord.stages {
                summary.median[stage] = history.quantile(0.5, of: stage)
                summary.percentile99[stage] = history.quantile(0.99, of: stage)
            }
        }
        history.removeAll()
        frameSize = .zero
        return writer.send(.sourceSummary(summary))
    }
}
