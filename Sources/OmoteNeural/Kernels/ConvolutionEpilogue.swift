/// What happens to a convolution's accumulator (which starts at the bias) before it is stored: activation, an optional residual tensor
/// added (a following ADD fused in, possibly of a tensor with fewer channels whose zero channel-padding is implied),
/// and an activation after the residual.
struct ConvolutionEpilogue {
    /// One bias per output channel, padded with zeros to a multiple of 16.
    let bias: UnsafePointer<Float>
    let activation: Activation
    let residual: UnsafePointer<Float>?
    /// Floats per pixel in the residual tensor, and how many of its channels are real (the rest are implied zeros).
    let residualChannels: Int
    let activationAfterResidual: Activation

    /// Finishes one vector of output channels `channel ..< channel + lanes` of pixel `pixel` and stores it.
    @inline(__always)
    func finish(_ accumulator: SIMD8<Float>, pixel: Int, channel: Int, lanes: Int, output: UnsafeMutablePointer<Float>) {
        var value = activation.apply(accumulator, channel: channel)
        if let residual {
            let residualLanes = min(8, residualChannels - channel)
            let source = residual + pixel * residualChannels + channel
            if residualLanes == 8 {
                value += loadVector(source)
            } else if residualLanes > 0 {
                for lane in 0 ..< residualLanes {
                    value[lane] += source[lane]
                }
            }
            value = activationAfterResidual.apply(value, channel: channel)
        }
        storeVector(value, output, lanes: lanes)
    }
}
