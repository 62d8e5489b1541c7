import Testing

@testable import OmoteNeural

/// `MaxPoolStep` against a scalar maximum over the taps inside the input: the 2×2 stride-2 fast path and the general
/// path, SAME and VALID padding, channel counts off the vector width, every activation.
@Suite struct MaxPoolKernelTests {
    typealias Case = WindowCase<String>

    static let cases: [Case] = [
        Case(height: 8, width: 10, channels: 13, kernel: 2, stride: 2, same: false, activation: "none"),
        // Odd sizes: the fast path drops the last row and column, as VALID does.
        Case(height: 7, width: 9, channels: 5, kernel: 2, stride: 2, same: false, activation: "relu"),
        Case(height: 9, width: 7, channels: 19, kernel: 3, stride: 2, same: true, activation: "relu6"),
        Case(height: 5, width: 6, channels: 8, kernel: 3, stride: 1, same: true, activation: "prelu"),
        Case(height: 7, width: 7, channels: 3, kernel: 2, stride: 2, same: true, activation: "none"),
        Case(height: 6, width: 5, channels: 21, kernel: 3, stride: 1, same: false, activation: "relu"),
    ]

    @Test("equals a scalar max pool", arguments: cases)
    func matchesReference(_ c: Case) {
        var random = SeededGenerator(seed: UInt64(c.height * 31 + c.channels))
        let (padTop, outputHeight) = ConvolutionKernelTests.axis(
            c.height, kernel: c.kernel, stride: c.stride, same: c.same)
        let (padLeft, outputWidth) = ConvolutionKernelTests.axis(
            c.width, kernel: c.kernel, stride: c.stride, same: c.same)
        // Mostly negative, so the activations have something to do; ×8 so RELU6 clips some.
        let input = random.floats(c.height * c.width * c.channels, in: -8 ... 7)
        let slopes = random.floats((c.channels + 15) / 16 * 16, in: 0.05 ... 0.5)
        let slopeBuffer = KernelBuffer(slopes)
        let activation: Activation
        switch c.activation {
        case "relu": activation = .relu
        case "relu6": activation = .relu6
        case "prelu": activation = .prelu(UnsafePointer(slopeBuffer.pointer))
        default: activation = .none
        }
        let inputBuffer = KernelBuffer(input)
        let output = KernelBuffer(count: outputHeight * outputWidth * c.channels)
        MaxPoolStep(
            input: inputBuffer.pointer, inputHeight: c.height, inputWidth: c.width, channels: c.channels,
            output: output.pointer, outputHeight: outputHeight, outputWidth: outputWidth, kernelHeight: c.kernel,
            kernelWidth: c.kernel, strideY: c.stride, strideX: c.stride, padTop: padTop, padLeft: padLeft,
            activation: activation
        ).run()

        var expected: [Double] = []
        for y in 0 ..< outputHeight {
            for x in 0 ..< outputWidth {
                for channel in 0 ..< c.channels {
                    var best = -Double.infinity
                    for (_, _, sy, sx) in c.taps(y: y, x: x, padTop: padTop, padLeft: padLeft) {
                        best = max(best, Double(input[(sy * c.width + sx) * c.channels + channel]))
                    }
                    switch c.activation {
                    case "relu": best = max(best, 0)
                    case "relu6": best = min(max(best, 0), 6)
                    case "prelu": best = leakyReference(best, slope: slopes[channel])
                    default: break
                    }
                    expected.append(best)
                }
            }
        }
        expectClose(output.values, expected, tolerance: 1e-6, c.testDescription)
        #expect(output.slackUntouched, "stored past the output")
    }
}
