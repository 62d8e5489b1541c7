/// What happens to a convolution's accumulator (which starts at the bias) before it is stored: an activation, an
/// optional residual tensor added (a following ADD fused in, possibly of a tensor with fewer channels whose zero
/// channel-padding is implied), and an activation after the residual.
/// Both activations are per-channel slopes for negative values — 1 for none, 0 for ReLU, α for PReLU — applied as one
/// branch-free compare/multiply/blend; an identity (every slope 1) is skipped, which is the common case before a
/// fused residual.
struct ConvolutionEpilogue {
    /// One slope per output channel, padded to a multiple of 16.
    let slopes: UnsafePointer<Float>
    let residual: UnsafePointer<Float>?
    /// Floats per pixel in the residual tensor (its real channels; the rest are implied zeros).
    let residualChannels: Int
    let slopesAfterResidual: UnsafePointer<Float>
    let firstIsIdentity: Bool
    let secondIsIdentity: Bool

    init(
        slopes: UnsafePointer<Float>, residual: UnsafePointer<Float>?, residualChannels: Int,
        slopesAfterResidual: UnsafePointer<Float>, channels: Int
    ) {
        self.slopes = slopes
        self.residual = residual
        self.residualChannels = residualChannels
        self.slopesAfterResidual = slopesAfterResidual
        firstIsIdentity = (0 ..< channels).allSatisfy { slopes[$0] == 1 }
        secondIsIdentity = (0 ..< channels).allSatisfy { slopesAfterResidual[$0] == 1 }
    }

    @inline(__always)
    private static func leaky(_ value: SIMD8<Float>, _ slopes: UnsafePointer<Float>) -> SIMD8<Float> {
        value.replacing(with: value * loadVector(slopes), where: value .< 0)
    }

    /// Finishes one vector of output channels `channel ..< channel + lanes` of pixel `pixel` and stores it.
    /// Transparent (always inlined): with `@inline(__always)` the 6 × 16 tile still called it once per vector, passing
    /// the accumulator as two 128-bit halves; that call cost 15 % of the mesh network.
    @_transparent
    func finish(
        _ accumulator: SIMD8<Float>, pixel: Int, channel: Int, lanes: Int,
        output: UnsafeMutablePointer<Float>
    ) {
        var value = firstIsIdentity ? accumulator : Self.leaky(accumulator, slopes + channel)
        if let residual {
            Self.add(residual + (pixel &* residualChannels &+ channel), lanes: residualChannels &- channel, to: &value)
            if !secondIsIdentity {
                value = Self.leaky(value, slopesAfterResidual + channel)
            }
        }
        storeVector(value, output, lanes: lanes)
    }

    /// `finish` for two vectors of one pixel, channels `channel ..< channel + 8 + highLanes`: the residual's address
    /// and the branches once for both. With K = 8 or 16 (the mesh network's 128×128 blocks) this bookkeeping, done per
    /// vector in scalar code, cost about as much as the tile's multiply-adds.
    @_transparent
    func finish(
        _ low: SIMD8<Float>, _ high: SIMD8<Float>, pixel: Int, channel: Int, highLanes: Int,
        output: UnsafeMutablePointer<Float>
    ) {
        var first = low
        var second = high
        if !firstIsIdentity {
            first = Self.leaky(first, slopes + channel)
            second = Self.leaky(second, slopes + channel + 8)
        }
        if let residual {
            let source = residual + (pixel &* residualChannels &+ channel)
            let residualLanes = residualChannels &- channel
            if residualLanes >= 16 {
                first += loadVector(source)
                second += loadVector(source + 8)
            } else {
                Self.add(source, lanes: residualLanes, to: &first)
                Self.add(source + 8, lanes: residualLanes &- 8, to: &second)
            }
            if !secondIsIdentity {
                first = Self.leaky(first, slopesAfterResidual + channel)
                second = Self.leaky(second, slopesAfterResidual + channel + 8)
            }
        }
        storeVector(first, output)
        storeVector(second, output + 8, lanes: highLanes)
    }

    /// Adds the residual's first `lanes` values (all 8 when there are more; none when `lanes` ≤ 0: the residual's
    /// implied zero channels).
    @inline(__always)
    private static func add(_ source: UnsafePointer<Float>, lanes: Int, to value: inout SIMD8<Float>) {
        if lanes >= 8 {
            value += loadVector(source)
        } else if lanes > 0 {
            for lane in 0 ..< lanes {
                value[lane] += source[lane]
            }
        }
    }
}
