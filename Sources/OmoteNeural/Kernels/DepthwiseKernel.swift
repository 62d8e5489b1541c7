/// Depthwise convolution (depth multiplier 1) of an NHWC tensor with SAME/VALID zero padding handled in place: taps
/// outside the input are skipped (rows by narrowing the tap range, border columns one pixel at a time with checks).
/// Eight channels per vector; in the interior four output pixels per pass, so each weight vector serves four pixels.
final class DepthwiseStep: PlanStep {
    struct Geometry {
        let inputHeight: Int
        let inputWidth: Int
        let channels: Int
        let outputHeight: Int
        let outputWidth: Int
        let kernelHeight: Int
        let kernelWidth: Int
        let strideY: Int
        let strideX: Int
        let padTop: Int
        let padLeft: Int
    }

    let input: UnsafePointer<Float>
    let output: UnsafeMutablePointer<Float>
    let geometry: Geometry
    /// [tap][channel], channels padded to a multiple of 16 with zeros.
    let weights: UnsafePointer<Float>
    let paddedChannels: Int
    let bias: UnsafePointer<Float>
    let activation: Activation
    let flops: Int
    /// Output columns whose taps all lie inside the input.
    private let interior: Range<Int>

    init(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, geometry: Geometry,
         weights: UnsafePointer<Float>, paddedChannels: Int, bias: UnsafePointer<Float>, activation: Activation) {
        self.input = input
        self.output = output
        self.geometry = geometry
        self.weights = weights
        self.paddedChannels = paddedChannels
        self.bias = bias
        self.activation = activation
        let g = geometry
        flops = 2 * g.outputHeight * g.outputWidth * g.channels * g.kernelHeight * g.kernelWidth
        let first = min(g.outputWidth, (g.padLeft + g.strideX - 1) / g.strideX)
        let lastInput = g.inputWidth - g.kernelWidth + g.padLeft
        let end = lastInput < 0 ? first : min(g.outputWidth, lastInput / g.strideX + 1)
        interior = first ..< max(first, end)
    }

    func run() {
        let g = geometry
        let channels = g.channels
        let rowStride = g.inputWidth * channels
        let pixelStep = g.strideX * channels
        for y in 0 ..< g.outputHeight {
            let top = y * g.strideY - g.padTop
            let firstTap = max(0, -top)
            let endTap = min(g.kernelHeight, g.inputHeight - top)
            let outputRow = output + y * g.outputWidth * channels
            var channel = 0
            while channel < channels {
                let lanes = min(8, channels - channel)
                let biasVector = loadVector(bias + channel)
                for x in 0 ..< interior.lowerBound {
                    border(x: x, top: top, taps: firstTap ..< endTap, channel: channel, lanes: lanes, bias: biasVector,
                           outputRow: outputRow)
                }
                var x = interior.lowerBound
                while x + 4 <= interior.upperBound {
                    var s0 = biasVector
                    var s1 = biasVector
                    var s2 = biasVector
                    var s3 = biasVector
                    let base = input + (x * g.strideX - g.padLeft) * channels + channel
                    var ky = firstTap
                    while ky < endTap {
                        let row = base + (top + ky) * rowStride
                        let tapRow = weights + ky * g.kernelWidth * paddedChannels + channel
                        for kx in 0 ..< g.kernelWidth {
                            let w = loadVector(tapRow + kx * paddedChannels)
                            let pixel = row + kx * channels
                            s0.addProduct(loadVector(pixel), w)
                            s1.addProduct(loadVector(pixel + pixelStep), w)
                            s2.addProduct(loadVector(pixel + 2 * pixelStep), w)
                            s3.addProduct(loadVector(pixel + 3 * pixelStep), w)
                        }
                        ky += 1
                    }
                    let out = outputRow + x * channels + channel
                    storeVector(activation.apply(s0, channel: channel), out, lanes: lanes)
                    storeVector(activation.apply(s1, channel: channel), out + channels, lanes: lanes)
                    storeVector(activation.apply(s2, channel: channel), out + 2 * channels, lanes: lanes)
                    storeVector(activation.apply(s3, channel: channel), out + 3 * channels, lanes: lanes)
                    x += 4
                }
                while x < g.outputWidth {
                    border(x: x, top: top, taps: firstTap ..< endTap, channel: channel, lanes: lanes, bias: biasVector,
                           outputRow: outputRow)
                    x += 1
                }
                channel += 8
            }
        }
    }

    /// One output pixel with column checks (left/right border, or the interior's last few pixels).
    @inline(__always)
    private func border(x: Int, top: Int, taps: Range<Int>, channel: Int, lanes: Int, bias: SIMD8<Float>,
                        outputRow: UnsafeMutablePointer<Float>) {
        let g = geometry
        let left = x * g.strideX - g.padLeft
        let firstColumn = max(0, -left)
        let endColumn = min(g.kernelWidth, g.inputWidth - left)
        var sum = bias
        for ky in taps {
            let row = input + ((top + ky) * g.inputWidth + left) * g.channels + channel
            var kx = firstColumn
            while kx < endColumn {
                let w = loadVector(weights + (ky * g.kernelWidth + kx) * paddedChannels + channel)
                sum.addProduct(loadVector(row + kx * g.channels), w)
                kx += 1
            }
        }
        storeVector(activation.apply(sum, channel: channel), outputRow + x * g.channels + channel, lanes: lanes)
    }
}
