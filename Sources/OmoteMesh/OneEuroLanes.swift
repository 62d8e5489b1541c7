/// The One Euro filter (Casiez, Roussel and Vogel, CHI 2012) on 16 lanes at once, each lane with its own parameters:
/// a low-pass whose cutoff rises with the lane's smoothed speed, so a value held still is smoothed hard and a fast move
/// (a blink) passes with little lag. The arithmetic is MediaPipe's (one_euro_filter.cc): the frequency
/// comes from each pair of timestamps, the first sample starts the filter, a timestamp not after the previous one
/// passes the value through untouched. All-zero state is a filter that has seen nothing, so a wiped state restarts.
/// SIMD16 lanes: wide enough for the weights in four chunks (`WeightsOneEuroFilter`) and the head's translation in one.
public struct OneEuroLanes: BitwiseCopyable {
    public typealias Lanes = SIMD16<Float>

    /// Per lane: the cutoff in Hz at rest, how much the cutoff rises per unit of speed (per value unit per second),
    /// and the cutoff in Hz of the speed's own low-pass.
    public struct Parameters: Sendable, Equatable {
        public var minimumCutoff: Lanes
        public var beta: Lanes
        public var derivativeCutoff: Lanes

        public init(minimumCutoff: Lanes, beta: Lanes, derivativeCutoff: Lanes) {
            self.minimumCutoff = minimumCutoff
            self.beta = beta
            self.derivativeCutoff = derivativeCutoff
        }
    }

    /// The last output, the last input and the smoothed speed (expression data in the smoothers that hold them).
    private var value = Lanes()
    private var raw = Lanes()
    private var speed = Lanes()
    private var lastNanoseconds: UInt64 = 0
    private var initialised = false

    public init() {}

    /// Whether a sample has started the filter.
    public var isStarted: Bool { initialised }

    /// Filters `x`, taken at `nanoseconds` (stream time).
    @inline(__always)
    public mutating func filter(_ x: Lanes, at nanoseconds: UInt64, _ parameters: Parameters) -> Lanes {
        guard initialised else {
            value = x
            raw = x
            speed = Lanes()
            lastNanoseconds = nanoseconds
            initialised = true
            return x
        }
        guard nanoseconds > lastNanoseconds else { return x }
        let interval = Float(Double(nanoseconds - lastNanoseconds) * 1e-9)
        lastNanoseconds = nanoseconds
        let rawSpeed = (x - raw) / interval
        raw = x
        speed += Self.alpha(parameters.derivativeCutoff, interval) * (rawSpeed - speed)
        let cutoff = parameters.minimumCutoff + parameters.beta * pointwiseMax(speed, -speed)
        value += Self.alpha(cutoff, interval) * (x - value)
        return value
    }

    /// The low-pass weight of a new sample: 1 / (1 + τ / Tₑ) with τ = 1 / (2π·cutoff), written without dividing by the
    /// cutoff so a cutoff of 0 (padding lanes) gives 0 rather than a NaN.
    @inline(__always)
    static func alpha(_ cutoff: Lanes, _ interval: Float) -> Lanes {
        let x = cutoff * (2 * Float.pi * interval)
        return x / (x + 1)
    }
}
