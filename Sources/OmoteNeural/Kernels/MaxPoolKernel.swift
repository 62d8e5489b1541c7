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

    init(input: UnsafePointer<Float>, inputHeight: Int, inputWidth: Int, channels: Int,
         output: UnsafeMutablePointer<Float>, outputHeight: Int, outputWidth: Int, kernelHeight: Int,
         kernelWidth: Int, strideY: Int, strideX: Int, padTop: Int, padLeft: Int, activation: Activation) {
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
        for y in 0 ..< outputHeight {
            let top = y * strideY - padTop
            let rows = max(0, top) ..< min(inputHeight, top + kernelHeight)
            for x in 0 ..< outputWidth {
                let left = x * strideX - padLeft
                let columns = max(0, left) ..< min(inputWidth, left + kernelWidth)
                let out = output + (y * outputWidth + x) * channels
                var channel = 0
                while channel < channels {
                    let lanes = min(8, channels - channel)
                    var best = SIMD8<Float>(repeating: -Float.infinity)
                    for row in rows {
                        for column in columns {
                            best = pointwiseMax(best, loadVector(input + (row * inputWidth + column) * channels + channel))
                        }
                    }
                    storeVector(activation.apply(best, channel: channel), out + channel, lanes: lanes)
                    channel += 8
                }
            }
        }
    }
}
