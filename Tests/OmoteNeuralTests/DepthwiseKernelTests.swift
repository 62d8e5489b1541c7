import Testing

@testable import OmoteNeural

/// `DepthwiseStep` against a direct scalar depthwise convolution: the eight-pixel 3-wide path, the four-pixel path, the
/// border pixels, kernels wider than the input, channel counts off the vector width, strides 1 and 2, every activation.
@Suite struct DepthwiseKernelTests {
    typealias Case = WindowCase<SlopeActivation>

    static let cases: [Case] = [
        // 21 columns of a 3-wide kernel: eight-pixel runs, then four, then border pixels.
        Case(height: 9, width: 21, channels: 13, kernel: 3, stride: 1, same: true, activation: .none),
        Case(height: 10, width: 17, channels: 8, kernel: 3, stride: 2, same: true, activation: .relu),
        Case(height: 7, width: 15, channels: 19, kernel: 5, stride: 1, same: true, activation: .prelu),
        Case(height: 12, width: 11, channels: 3, kernel: 5, stride: 2, same: true, activation: .relu),
        Case(height: 9, width: 9, channels: 24, kernel: 3, stride: 1, same: false, activation: .prelu),
        Case(height: 7, width: 13, channels: 5, kernel: 3, stride: 2, same: false, activation: .none),
        // The kernel wider than the input: no interior column, every pixel a border pixel.
        Case(height: 2, width: 2, channels: 11, kernel: 5, stride: 1, same: true, activation: .prelu),
    ]

    @Test("equals a scalar depthwise convolution", arguments: cases)
    func matchesReference(_ c: Case) {
        var random = SeededGenerator(seed: UInt64(c.width * 100 + c.channels * 7 + c.kernel))
        let (padTop, outputHeight) = ConvolutionKernelTests.axis(
            c.height, kernel: c.kernel, stride: c.stride, same: c.same)
        let (padLeft, outputWidth) = ConvolutionKernelTests.axis(
            c.width, kernel: c.kernel, stride: c.stride, same: c.same)
        let input = random.floats(c.height * c.width * c.channels)
        // TFLite's depthwise filter: [1][kh][kw][channels].
        let filter = random.floats(c.kernel * c.kernel * c.channels)
        let bias = random.floats(c.channels)
        let slopes = c.activation.slopes(c.channels, &random)
        let paddedChannels = (c.channels + 15) / 16 * 16
        // The planner's layout: [tap][channels padded to 16].
        let weights = KernelBuffer(count: c.kernel * c.kernel * paddedChannels)
        for tap in 0 ..< c.kernel * c.kernel {
            for channel in 0 ..< c.channels {
                weights.pointer[tap * paddedChannels + channel] = filter[tap * c.channels + channel]
            }
        }
        let inputBuffer = KernelBuffer(input)
        let biasBuffer = KernelBuffer(bias + Array(repeating: 0, count: paddedChannels - c.channels))
        let slopeBuffer = KernelBuffer(slopes)
        let output = KernelBuffer(count: outputHeight * outputWidth * c.channels)
        let step = DepthwiseStep(
            input: inputBuffer.pointer, output: output.pointer,
            geometry: DepthwiseStep.Geometry(
                inputHeight: c.height, inputWidth: c.width, channels: c.channels, outputHeight: outputHeight,
                outputWidth: outputWidth, kernelHeight: c.kernel, kernelWidth: c.kernel, strideY: c.stride,
                strideX: c.stride, padTop: padTop, padLeft: padLeft),
            weights: weights.pointer, paddedChannels: paddedChannels, bias: biasBuffer.pointer,
            slopes: slopeBuffer.pointer)
        step.run()

        let (expected, scale) = referenceOutput(height: outputHeight, width: outputWidth, channels: c.channels) {
            y, x, channel in
            var sum = Double(bias[channel])
            var magnitude = abs(sum)
            for (ky, kx, sy, sx) in c.taps(y: y, x: x, padTop: padTop, padLeft: padLeft) {
                let term =
                    Double(input[(sy * c.width + sx) * c.channels + channel])
                    * Double(filter[(ky * c.kernel + kx) * c.channels + channel])
                sum += term
                magnitude += abs(term)
            }
            return (leakyReference(sum, slope: slopes[channel]), magnitude)
        }
        expectClose(output.values, expected, scale: scale, c.testDescription)
        #expect(output.slackUntouched, "stored past the output")
    }
}
