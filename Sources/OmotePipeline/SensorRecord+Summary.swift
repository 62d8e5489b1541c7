import OmoteCapture
import OmoteCore

/// The headless records: a summary per finished pass of a source (what `omote replay` prints per clip when stdout is
/// not a terminal), and the check that a frame record carries no expression data (a headless sensor sends none).
///
/// Summary layout: 8 frames delivered (u64) · 16 frames corrupt (u64) · 32 p99 stage times (5 × u64) · 288 p50 stage
/// times (5 × u64, where a frame record has its stage times) · 352 frame width, height (2 × u32) · 380 first damage
/// (u32) · 384 source index (u32); every other byte zero.
extension SensorRecord {
    /// One pass of one source: its counts, the size of its frames and per-stage medians and 99th percentiles.
    public struct SourceSummary: Sendable, Equatable {
        public var sourceIndex = 0
        public var framesDelivered = 0
        public var framesCorrupt = 0
        public var firstDamage: FrameDamage?
        public var width = 0
        public var height = 0
        public var median = StageTimings()
        public var percentile99 = StageTimings()
        public init() {}
    }

    static func encodeSummary(_ summary: SourceSummary, into bytes: UnsafeMutableRawBufferPointer) {
        start(.sourceSummary, in: bytes)
        put(UInt64(max(summary.framesDelivered, 0)), 8, bytes)
        put(UInt64(max(summary.framesCorrupt, 0)), 16, bytes)
        for (index, stage) in stages.enumerated() {
            put(summary.percentile99[stage], 32 + 8 * index, bytes)
            put(summary.median[stage], 288 + 8 * index, bytes)
        }
        put(UInt32(clamping: summary.width), 352, bytes)
        put(UInt32(clamping: summary.height), 356, bytes)
        put(UInt32(summary.firstDamage?.rawValue ?? 0), 380, bytes)
        put(UInt32(clamping: summary.sourceIndex), 384, bytes)
    }

    static func decodeSummary(_ bytes: UnsafeRawBufferPointer) -> Decoded {
        guard zero(24 ..< 32, bytes), zero(72 ..< 288, bytes), zero(328 ..< 352, bytes), zero(360 ..< 380, bytes),
            zero(388 ..< size, bytes)
        else { return .violation("a source summary with data in unused fields") }
        var summary = SourceSummary()
        let delivered: UInt64 = get(8, bytes)
        let corrupt: UInt64 = get(16, bytes)
        guard delivered <= maximumCount, corrupt <= maximumCount else {
            return .violation("a source summary with impossible counts (\(delivered) frames, \(corrupt) corrupt)")
        }
        for (index, stage) in stages.enumerated() {
            let median: UInt64 = get(288 + 8 * index, bytes)
            let high: UInt64 = get(32 + 8 * index, bytes)
            guard high <= maximumStageNanoseconds, median <= high else {
                return .violation(
                    "a source summary whose \(stage.label) times are impossible (p50 \(median) ns, p99 \(high) ns)")
            }
            summary.median[stage] = median
            summary.percentile99[stage] = high
        }
        let width: UInt32 = get(352, bytes)
        let height: UInt32 = get(356, bytes)
        guard width <= maximumSide, height <= maximumSide else {
            return .violation("a source summary with a frame size of \(width)×\(height)")
        }
        let damage: UInt32 = get(380, bytes)
        if damage != 0 {
            guard damage <= UInt32(UInt8.max), let first = FrameDamage(rawValue: UInt8(damage)) else {
                return .violation("a damage number (\(damage)) outside the catalogue")
            }
            summary.firstDamage = first
        }
        // A first damage exactly when some frame was damaged.
        guard (corrupt > 0) == (damage != 0) else {
            return .violation("a source summary with \(corrupt) corrupt frames and damage number \(damage)")
        }
        summary.framesDelivered = Int(delivered)
        summary.framesCorrupt = Int(corrupt)
        summary.width = Int(width)
        summary.height = Int(height)
        summary.sourceIndex = Int(get(384, bytes) as UInt32)
        return .message(.sourceSummary(summary))
    }

    /// Whether a decoded frame carries expression data: any weight, tracked shape or head pose other than the
    /// neutral ones `FaceFrameResult.withoutExpression` leaves. A headless presenter refuses such a frame.
    public static func carriesExpression(_ face: FaceFrameResult) -> Bool {
        face.weights != BlendshapeWeights() || face.headPose != HeadPose()
    }
}
