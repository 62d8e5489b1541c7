/// 2-D max pooling of an NHWC tensor, eight channels per vector; taps outside the input (SAME padding) are skipped.
final class MaxPoolStep: PlanStep {
    let input: UnsafePointer<Float>
    let inputHeight: Int
    let inputWidth: Int
    let channels: Int
    let output: UnsafeMutablePointer<Float>
    let outputHeight: Int
    let outputWidth: Int
    let kernelHeight: Int
    let kernelWidth: Int
    let strideY: Int
    let strideX: Int
    let padTop: Int
    let padLeft: Int
    let activation: Activation

    init(
        input: UnsafePointer<Float>, inputHeight: Int, inputWidth: Int, channels: Int,
        output: UnsafeMutablePointer<Float>, outputHeight: Int, outputWidth: Int, kernelHeight: Int,
        kernelWidth: Int, strideY: Int, strideX: Int, padTop: Int, padLeft: Int, activation: Activation
    ) {
        self.input = input
        self.inputHeight = inputHeight
        self.inputWidth = inputWidth
        self.channels = channels
        self.output = output
        self.outputHeight = outputHeight
        self.outputWidth = outputWidth
        self.kernelHeight = kernelHeight
        self.kernelWidth = kernelWidth
        self.strideY = strideY
        self.strideX = strideX
        self.padTop = padTop
        self.padLeft = padLeft
        self.activation = activation
    }

    func run() {
        if kernelHeight == 2, kernelWidth == 2, strideY == 2, strideX == 2, padTop == 0, padLeft == 0,
            outputHeight * 2 <= inputHeight, outputWidth * 2 <= inputWidth
        {
            runTwoByTwo()
            return
        }
        for y in 0 ..< outputHeight {
            let top = y * strideY - padTop
            let firstRow = max(0, top)
            let endRow = min(inputHeight, top + kernelHeight)
            for x in 0 ..< outputWidth {
                let left = x * strideX - padLeft
                let firstColumn = max(0, left)
                let endColumn = min(inputWidth, left + kernelWidth)
                let out = output + (y * outputWidth + x) * channels
                var channel = 0
                while channel < channels {
                    let lanes = min(8, channels - channel)
                    var best = SIMD8<Float>(repeating: -Float.infinity)
                    var row = firstRow
                    while row < endRow {
                        var column = firstColumn
                        while column < endColumn {
                            best = maximum(best, loadVector(input + (row * inputWidth + column) * channels + channel))
                            column += 1
                        }
                        row += 1
                    }
                    storeVector(activation.apply(best, channel: channel), out + channel, lanes: lanes)
                    channel += 8
                }
            }
        }
    }

    /// The only pooling these networks use: 2×2, stride 2, no padding.
    private func runTwoByTwo() {
        let rowStride = inputWidth * channels
        for y in 0 ..< outputHeight {
            let top = input + 2 * y * rowStride
            let out = output + y * outputWidth * channels
            for x in 0 ..< outputWidth {
                let source = top + 2 * x * channels
                let target = out + x * channels
                var channel = 0
                while channel < channels {
                    let lanes = min(8, channels - channel)
                    let upper = maximum(loadVector(source + channel), loadVector(source + channels + channel))
                    let lower = maximum(
                        loadVector(source + rowStride + channel),
                        loadVector(source + rowStride + channels + channel))
                    storeVector(
                        activation.apply(maximum(upper, lower), channel: channel), target + channel,
                        lanes: lanes)
                    channel += 8
                }
            }
        }
    }
}

/// Lane-wise maximum as one compare-and-blend (`pointwiseMax` also orders NaNs, which costs extra instructions).
@inline(__always)
func maximum(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
    a.replacing(with: b, where: b .> a)
}
