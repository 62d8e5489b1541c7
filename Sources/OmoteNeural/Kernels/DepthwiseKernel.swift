/// Depthwise convolution (depth multiplier 1) of an NHWC tensor whose padding is already applied: eight channels per
/// vector, four output pixels of a row per pass so each weight vector is loaded once for four pixels.
final class DepthwiseStep: PlanStep {
    let input: UnsafePointer<Float>
    let inputWidth: Int
    let channels: Int
    let output: UnsafeMutablePointer<Float>
    let outputHeight: Int
    let outputWidth: Int
    let kernelHeight: Int
    let kernelWidth: Int
    let strideY: Int
    let strideX: Int
    /// [tap][channel], channels padded to a multiple of 16 with zeros.
    let weights: UnsafePointer<Float>
    let paddedChannels: Int
    let bias: UnsafePointer<Float>
    let activation: Activation
    let flops: Int

    init(input: UnsafePointer<Float>, inputWidth: Int, channels: Int, output: UnsafeMutablePointer<Float>,
         outputHeight: Int, outputWidth: Int, kernelHeight: Int, kernelWidth: Int, strideY: Int, strideX: Int,
         weights: UnsafePointer<Float>, paddedChannels: Int, bias: UnsafePointer<Float>, activation: Activation) {
        self.input = input
        self.inputWidth = inputWidth
        self.channels = channels
        self.output = output
        self.outputHeight = outputHeight
        self.outputWidth = outputWidth
        self.kernelHeight = kernelHeight
        self.kernelWidth = kernelWidth
        self.strideY = strideY
        self.strideX = strideX
        self.weights = weights
        self.paddedChannels = paddedChannels
        self.bias = bias
        self.activation = activation
        self.flops = 2 * outputHeight * outputWidth * channels * kernelHeight * kernelWidth
    }

    func run() {
        let rowStride = inputWidth * channels
        let pixelStep = strideX * channels
        for y in 0 ..< outputHeight {
            let inputRow = input + y * strideY * rowStride
            let outputRow = output + y * outputWidth * channels
            var channel = 0
            while channel < channels {
                let lanes = min(8, channels - channel)
                let biasVector = loadVector(bias + channel)
                var x = 0
                while x + 4 <= outputWidth {
                    var s0 = biasVector
                    var s1 = biasVector
                    var s2 = biasVector
                    var s3 = biasVector
                    let base = inputRow + x * pixelStep + channel
                    for ky in 0 ..< kernelHeight {
                        let row = base + ky * rowStride
                        let tapRow = weights + ky * kernelWidth * paddedChannels + channel
                        for kx in 0 ..< kernelWidth {
                            let w = loadVector(tapRow + kx * paddedChannels)
                            let pixel = row + kx * channels
                            s0.addProduct(loadVector(pixel), w)
                            s1.addProduct(loadVector(pixel + pixelStep), w)
                            s2.addProduct(loadVector(pixel + 2 * pixelStep), w)
                            s3.addProduct(loadVector(pixel + 3 * pixelStep), w)
                        }
                    }
                    let out = outputRow + x * channels + channel
                    storeVector(activation.apply(s0, channel: channel), out, lanes: lanes)
                    storeVector(activation.apply(s1, channel: channel), out + channels, lanes: lanes)
                    storeVector(activation.apply(s2, channel: channel), out + 2 * channels, lanes: lanes)
                    storeVector(activation.apply(s3, channel: channel), out + 3 * channels, lanes: lanes)
                    x += 4
                }
                while x < outputWidth {
                    var sum = biasVector
                    let base = inputRow + x * pixelStep + channel
                    for ky in 0 ..< kernelHeight {
                        for kx in 0 ..< kernelWidth {
                            let w = loadVector(weights + (ky * kernelWidth + kx) * paddedChannels + channel)
                            sum.addProduct(loadVector(base + ky * rowStride + kx * channels), w)
                        }
                    }
                    storeVector(activation.apply(sum, channel: channel), outputRow + x * channels + channel, lanes: lanes)
                    x += 1
                }
                channel += 8
            }
        }
    }
}
