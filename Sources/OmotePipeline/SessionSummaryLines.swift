import Foundation
import OmoteCapture
import OmoteCore

/// The text a session prints about itself: counts, damage and stage timings only, never expression values.
public enum SessionSummaryLines {
    /// "0 corrupt", or "3 corrupt (first: bogus marker length)".
    public static func corrupt(_ count: Int, first: FrameDamage?) -> String {
        guard count > 0 else { return "0 corrupt" }
        return "\(count) corrupt (first: \(first?.description ?? "unknown"))"
    }

    /// Per-stage p50/p99 in µs of the stages the sensor times (`stages`, default all but drawing).
    public static func stages(_ history: TimingHistory, _ stages: [PipelineStage] = SensorRecord.stages) -> String {
        stages.map { stage in
            String(
                format: "%@ p50 %.0f µs, p99 %.0f µs", stage.label, Double(history.quantile(0.5, of: stage)) / 1000,
                Double(history.quantile(0.99, of: stage)) / 1000)
        }.joined(separator: "; ")
    }

    /// "single_face: 72 frames 640×360, 0 corrupt; decode p50 … µs, p99 … µs; …": one clip's pass (headless replay).
    /// The rig stage is left out: the presenter drives no rig without a view.
    public static func clip(_ name: String, _ summary: SensorRecord.SourceSummary) -> String {
        let timings = SensorRecord.stages.filter { $0 != .rig }.map { stage in
            String(
                format: "%@ p50 %.0f µs, p99 %.0f µs", stage.label, Double(summary.median[stage]) / 1000,
                Double(summary.percentile99[stage]) / 1000)
        }
        return "\(name): \(summary.framesDelivered) frames \(summary.width)×\(summary.height), "
            + corrupt(summary.framesCorrupt, first: summary.firstDamage) + "; " + timings.joined(separator: "; ")
    }

    /// "1234 frames, 29.9 fps, 3 dropped, 0 corrupt; decode p50 … µs; …": a camera session so far (headless live).
    public static func progress(_ counts: SensorRecord.Counts, _ history: TimingHistory) -> String {
        let timings = SensorRecord.stages.filter { $0 != .rig }.map { stage in
            String(format: "%@ p50 %.0f µs", stage.label, Double(history.quantile(0.5, of: stage)) / 1000)
        }
        return String(
            format: "%d frames, %.1f fps, %d dropped, ", counts.framesProcessed, counts.framesPerSecond,
            counts.framesDropped)
            + corrupt(counts.framesCorrupt, first: counts.firstDamage) + "; " + timings.joined(separator: "; ")
    }
}
