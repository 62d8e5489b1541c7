import Testing

@testable import OmoteNeural

/// `ConvolutionStep` against a direct scalar convolution: every register tile (8, 16 and 24 channels, the single-pixel
/// path), channel counts off the vector width, SAME and VALID padding, strides 1 and 2, several pixel blocks, and the
/// epilogue's activations and residuals.
@Suite struct ConvolutionKernelTests {
    struct Case: CustomTestStringConvertible {
        var height: Int
        var width: Int
        var inputChannels: Int
        var outputChannels: Int
        var kernel: Int
        var stride: Int
        var same: Bool
        var activation: SlopeActivation = .none
        /// Channels of a residual added after the activation (nil: none); fewer than `outputChannels` means the
        /// rest are implied zeros, as when a PAD of zero channels was fused away.
        var residualChannels: Int? = nil
        var activationAfterResidual: SlopeActivation = .none

        var testDescription: String {
            "\(height)×\(width)×\(inputChannels) → \(outputChannels), \(kernel)×\(kernel)/\(stride) "
                + "\(same ? "SAME" : "VALID") \(activation) res \(residualChannels.map(String.init) ?? "-") "
                + "\(activationAfterResidual)"
        }
    }

    static let cases: [Case] = [
        // 1×1 stride 1: the contiguous path; 13 channels take the 16-wide tile with a 5-lane tail.
        Case(height: 7, width: 9, inputChannels: 5, outputChannels: 13, kernel: 1, stride: 1, same: true),
        // 17…24 channels: the 24-wide tile.
        Case(
            height: 5, width: 5, inputChannels: 19, outputChannels: 21, kernel: 1, stride: 1, same: true,
            activation: .relu),
        // Fewer than 9 channels: the 8-wide tile; 182 pixels of depth 27 span two pixel blocks.
        Case(
            height: 13, width: 14, inputChannels: 3, outputChannels: 5, kernel: 3, stride: 1, same: true,
            activation: .prelu),
        Case(
            height: 11, width: 10, inputChannels: 6, outputChannels: 37, kernel: 3, stride: 2, same: true,
            activation: .relu, residualChannels: 37),
        Case(
            height: 13, width: 12, inputChannels: 4, outputChannels: 40, kernel: 5, stride: 2, same: false,
            residualChannels: 29, activationAfterResidual: .relu),
        Case(
            height: 8, width: 8, inputChannels: 8, outputChannels: 16, kernel: 2, stride: 2, same: false,
            activation: .prelu, residualChannels: 16, activationAfterResidual: .prelu),
        Case(
            height: 6, width: 7, inputChannels: 9, outputChannels: 3, kernel: 3, stride: 2, same: false,
            activation: .none, residualChannels: 3, activationAfterResidual: .prelu),
        // One output pixel: the single-pixel path, an odd depth (its pairs leave one over).
        Case(
            height: 1, width: 1, inputChannels: 11, outputChannels: 26, kernel: 1, stride: 1, same: true,
            activation: .prelu, residualChannels: 26, activationAfterResidual: .relu),
        Case(height: 3, width: 3, inputChannels: 7, outputChannels: 9, kernel: 3, stride: 1, same: false),
        // 1×1 with K = 8 (the mesh network's 128×128 blocks): the two-vector epilogue with a residual that ends
        // inside the first 16 channels, so the second vector of a row adds none of it and the third panel none.
        Case(
            height: 9, width: 7, inputChannels: 8, outputChannels: 40, kernel: 1, stride: 1, same: true,
            activation: .prelu, residualChannels: 12, activationAfterResidual: .prelu),
    ]

    /// Padding before and the output size along one axis, as TFLite defines SAME and VALID.
    static func axis(_ input: Int, kernel: Int, stride: Int, same: Bool) -> (before: Int, output: Int) {
        if same {
            let output = (input + stride - 1) / stride
            return (max(0, (output - 1) * stride + kernel - input) / 2, output)
        }
        return (0, (input - kernel) / stride + 1)
    }

    @Test("equals a scalar convolution", arguments: cases)
    func matchesReference(_ c: Case) {
        var random = SeededGenerator(seed: UInt64(c.height * 1000 + c.outputChannels * 10 + c.kernel))
        let (padTop, outputHeight) = Self.axis(c.height, kernel: c.kernel, stride: c.stride, same: c.same)
        let (padLeft, outputWidth) = Self.axis(c.width, kernel: c.kernel, stride: c.stride, same: c.same)
        let input = random.floats(c.height * c.width * c.inputChannels)
        // TFLite's filter layout: [out][kh][kw][in].
        let filter = random.floats(c.outputChannels * c.kernel * c.kernel * c.inputChannels)
        let bias = random.floats(c.outputChannels)
        let slopes = c.activation.slopes(c.outputChannels, &random)
        let slopesAfter = c.activationAfterResidual.slopes(c.outputChannels, &random)
        let residual = c.residualChannels.map { random.floats(outputHeight * outputWidth * $0) }

        // The planner's input: zero borders copied around the tensor (the original when no border is needed).
        let paddedHeight = max(c.height + 2 * padTop, (outputHeight - 1) * c.stride + c.kernel)
        let paddedWidth = max(c.width + 2 * padLeft, (outputWidth - 1) * c.stride + c.kernel)
        let padded = KernelBuffer(count: paddedHeight * paddedWidth * c.inputChannels)
        for y in 0 ..< c.height {
            for x in 0 ..< c.width {
                for channel in 0 ..< c.inputChannels {
                    padded.pointer[((y + padTop) * paddedWidth + x + padLeft) * c.inputChannels + channel] =
                        input[(y * c.width + x) * c.inputChannels + channel]
                }
            }
        }
        // The planner's weight panels: [block of 16 channels][tap][input channel][16 lanes].
        let taps = c.kernel * c.kernel
        let blocks = (c.outputChannels + 15) / 16
        let packed = KernelBuffer(count: blocks * taps * c.inputChannels * 16)
        for channel in 0 ..< c.outputChannels {
            for tap in 0 ..< taps {
                for inputChannel in 0 ..< c.inputChannels {
                    packed.pointer[((channel / 16 * taps + tap) * c.inputChannels + inputChannel) * 16 + channel % 16] =
                        filter[(channel * taps + tap) * c.inputChannels + inputChannel]
                }
            }
        }
        let biasBuffer = KernelBuffer(bias + Array(repeating: 0, count: blocks * 16 - c.outputChannels))
        let slopeBuffer = KernelBuffer(slopes)
        let slopeAfterBuffer = KernelBuffer(slopesAfter)
        let residualBuffer = residual.map { KernelBuffer($0) }
        let output = KernelBuffer(count: outputHeight * outputWidth * c.outputChannels)
        let step = ConvolutionStep(
            input: padded.pointer, inputWidth: paddedWidth, inputChannels: c.inputChannels, output: output.pointer,
            outputHeight: outputHeight, outputWidth: outputWidth, outputChannels: c.outputChannels,
            strideY: c.stride, strideX: c.stride,
            tapOffsets: (0 ..< c.kernel).map { $0 * paddedWidth * c.inputChannels },
            tapDepth: c.kernel * c.inputChannels, weights: packed.pointer, bias: biasBuffer.pointer,
            epilogue: ConvolutionEpilogue(
                slopes: slopeBuffer.pointer, residual: residualBuffer.map { UnsafePointer($0.pointer) },
                residualChannels: c.residualChannels ?? 0, slopesAfterResidual: slopeAfterBuffer.pointer,
                channels: c.outputChannels))
        step.run()

        let (expected, scale) = referenceOutput(height: outputHeight, width: outputWidth, channels: c.outputChannels) {
            y, x, channel in
            var sum = Double(bias[channel])
            var magnitude = abs(sum)
            for (ky, kx, sy, sx) in windowTaps(
                y: y, x: x, kernel: c.kernel, stride: c.stride, padTop: padTop, padLeft: padLeft,
                height: c.height, width: c.width)
            {
                for inputChannel in 0 ..< c.inputChannels {
                    let term =
                        Double(input[(sy * c.width + sx) * c.inputChannels + inputChannel])
                        * Double(
                            filter[((channel * c.kernel + ky) * c.kernel + kx) * c.inputChannels + inputChannel]
                        )
                    sum += term
                    magnitude += abs(term)
                }
            }
            var value = leakyReference(sum, slope: slopes[channel])
            if let residual, let residualChannels = c.residualChannels {
                if channel < residualChannels {
                    let added = Double(residual[(y * outputWidth + x) * residualChannels + channel])
                    value += added
                    magnitude += abs(added)
                }
                value = leakyReference(value, slope: slopesAfter[channel])
            }
            return (value, magnitude)
        }
        expectClose(output.values, expected, scale: scale, "\(c.testDescription)")
        #expect(output.slackUntouched, "stored past the output")
    }
}
