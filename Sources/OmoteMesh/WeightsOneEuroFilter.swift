/// The One Euro filter on all 64 lanes of a weights vector (`BlendshapeWeights.values`), each lane with its own
/// settings. SIMD64 in and out, run as four SIMD16 chunks of `OneEuroLanes`: the same arithmetic on one SIMD64 is not
/// kept in registers (measured 22 µs a frame, against 2 µs in chunks).
/// All-zero state restarts the filter.
public struct WeightsOneEuroFilter: BitwiseCopyable {
    public typealias Chunk = OneEuroLanes

    public struct Parameters: Sendable, Equatable {
        var low0: Chunk.Parameters
        var low1: Chunk.Parameters
        var high0: Chunk.Parameters
        var high1: Chunk.Parameters

        /// Per lane, as for `OneEuroLanes.Parameters`.
        public init(minimumCutoff: SIMD64<Float>, beta: SIMD64<Float>, derivativeCutoff: SIMD64<Float>) {
            func chunk(_ pick: (SIMD64<Float>) -> SIMD16<Float>) -> Chunk.Parameters {
                Chunk.Parameters(
                    minimumCutoff: pick(minimumCutoff), beta: pick(beta), derivativeCutoff: pick(derivativeCutoff))
            }
            low0 = chunk { $0.lowHalf.lowHalf }
            low1 = chunk { $0.lowHalf.highHalf }
            high0 = chunk { $0.highHalf.lowHalf }
            high1 = chunk { $0.highHalf.highHalf }
        }
    }

    private var low0 = Chunk()
    private var low1 = Chunk()
    private var high0 = Chunk()
    private var high1 = Chunk()

    public init() {}

    /// Whether a sample has started the filter.
    public var isStarted: Bool { low0.isStarted }

    /// Filters `x`, taken at `nanoseconds` (stream time).
    public mutating func filter(_ x: SIMD64<Float>, at nanoseconds: UInt64, _ parameters: Parameters) -> SIMD64<Float> {
        let low = SIMD32(
            lowHalf: low0.filter(x.lowHalf.lowHalf, at: nanoseconds, parameters.low0),
            highHalf: low1.filter(x.lowHalf.highHalf, at: nanoseconds, parameters.low1))
        let high = SIMD32(
            lowHalf: high0.filter(x.highHalf.lowHalf, at: nanoseconds, parameters.high0),
            highHalf: high1.filter(x.highHalf.highHalf, at: nanoseconds, parameters.high1))
        return SIMD64(lowHalf: low, highHalf: high)
    }
}
