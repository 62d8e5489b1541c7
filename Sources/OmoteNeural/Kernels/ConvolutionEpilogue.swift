/// What happens to a convolution's accumulator (which starts at the bias) before it is stored: an activation, an
/// optional residual tensor added (a following ADD fused in, possibly of a tensor with fewer channels whose zero
/// channel-padding is implied), and an activation after the residual.
/// Both activations are per-channel slopes for negative values — 1 for none, 0 for ReLU, α for PReLU — so the
/// epilogue is the same four branch-free instructions whatever the network asked for.
struct ConvolutionEpilogue {
    /// One slope per output channel, padded to a multiple of 16.
    let slopes: UnsafePointer<Float>
    let residual: UnsafePointer<Float>?
    /// Floats per pixel in the residual tensor (its real channels; the rest are implied zeros).
    let residualChannels: Int
    let slopesAfterResidual: UnsafePointer<Float>

    @inline(__always)
    private static func leaky(_ value: SIMD8<Float>, _ slopes: UnsafePointer<Float>) -> SIMD8<Float> {
        value.replacing(with: value * loadVector(slopes), where: value .< 0)
    }

    /// Finishes one vector of output channels `channel ..< channel + lanes` of pixel `pixel` and stores it.
    @inline(__always)
    func finish(_ accumulator: SIMD8<Float>, pixel: Int, channel: Int, lanes: Int,
        output: UnsafeMutablePointer<Float>) {
        var value = Self.leaky(accumulator, slopes + channel)
        if let residual {
            let source = residual + pixel * residualChannels + channel
            let residualLanes = residualChannels - channel
            if residualLanes >= 8 {
                value += loadVector(source)
            } else if residualLanes > 0 {
                for lane in 0 ..< residualLanes {
                    value[lane] += source[lane]
                }
            }
            value = Self.leaky(value, slopesAfterResidual + channel)
        }
        storeVector(value, output, lanes: lanes)
    }
}
