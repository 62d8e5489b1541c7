/// Convolution of NHWC float tensors as a blocked GEMM: output pixels are rows, output channels are columns, and the
/// reduction runs over kernel taps × input channels. A 1×1 convolution is the same loop with one tap.
/// Register tile: 6 pixels × 16 channels (12 eight-lane accumulators), with a 6 × 8 tile for a narrow channel tail.
/// The input is already padded (padding is its own step), so every tap reads inside the input.
final class ConvolutionStep: PlanStep {
    let input: UnsafePointer<Float>
    let inputWidth: Int
    let inputChannels: Int
    let output: UnsafeMutablePointer<Float>
    let outputWidth: Int
    let outputChannels: Int
    let pixelCount: Int
    let strideY: Int
    let strideX: Int
    /// Offsets (in floats) of each kernel tap from the pixel's top-left input element.
    let tapOffsets: [Int]
    /// Weights as panels of 16 output channels: [channel block][tap][input channel][16], zero-padded.
    let weights: UnsafePointer<Float>
    /// One bias per output channel, padded with zeros to a multiple of 16; the accumulators start from it.
    let bias: UnsafePointer<Float>
    let epilogue: ConvolutionEpilogue
    let flops: Int

    init(input: UnsafePointer<Float>, inputWidth: Int, inputChannels: Int, output: UnsafeMutablePointer<Float>,
         outputHeight: Int, outputWidth: Int, outputChannels: Int, strideY: Int, strideX: Int, tapOffsets: [Int],
         weights: UnsafePointer<Float>, bias: UnsafePointer<Float>, epilogue: ConvolutionEpilogue) {
        self.bias = bias
        self.input = input
        self.inputWidth = inputWidth
        self.inputChannels = inputChannels
        self.output = output
        self.outputWidth = outputWidth
        self.outputChannels = outputChannels
        self.pixelCount = outputHeight * outputWidth
        self.strideY = strideY
        self.strideX = strideX
        self.tapOffsets = tapOffsets
        self.weights = weights
        self.epilogue = epilogue
        self.flops = 2 * pixelCount * outputChannels * tapOffsets.count * inputChannels
    }

    /// Input position of output pixel `pixel`'s top-left tap.
    @inline(__always)
    private func source(_ pixel: Int) -> UnsafePointer<Float> {
        if contiguous {
            return input + pixel * inputChannels
        }
        let y = pixel / outputWidth
        let x = pixel - y * outputWidth
        return input + ((y * strideY) * inputWidth + x * strideX) * inputChannels
    }

    /// A 1×1, stride-1 convolution reads pixel p at p × channels: no row arithmetic (and no divisions) per tile.
    private var contiguous: Bool { tapOffsets.count == 1 && strideX == 1 && strideY == 1 && inputWidth == outputWidth }

    func run() {
        tapOffsets.withUnsafeBufferPointer { taps in
            // Channel panels outer: one panel of weights (taps × input channels × 16 floats) stays in L1 while every
            // pixel tile streams past it.
            var channel = 0
            var panel = weights
            while channel < outputChannels {
                let wide = outputChannels - channel > 8
                var pixel = 0
                while pixel < pixelCount {
                    let rows = min(6, pixelCount - pixel)
                    // Rows past the end repeat the last pixel: computed, never stored.
                    let a0 = source(pixel)
                    let a1 = source(pixel + min(1, rows - 1))
                    let a2 = source(pixel + min(2, rows - 1))
                    let a3 = source(pixel + min(3, rows - 1))
                    let a4 = source(pixel + min(4, rows - 1))
                    let a5 = source(pixel + min(5, rows - 1))
                    if wide {
                        tile16(a0, a1, a2, a3, a4, a5, rows: rows, pixel: pixel, channel: channel, panel: panel, taps: taps)
                    } else {
                        tile8(a0, a1, a2, a3, a4, a5, rows: rows, pixel: pixel, channel: channel, panel: panel, taps: taps)
                    }
                    pixel += rows
                }
                channel += 16
                panel += 16 * taps.count * inputChannels
            }
        }
    }

    @inline(__always)
    private func tile16(_ a0: UnsafePointer<Float>, _ a1: UnsafePointer<Float>, _ a2: UnsafePointer<Float>,
                        _ a3: UnsafePointer<Float>, _ a4: UnsafePointer<Float>, _ a5: UnsafePointer<Float>,
                        rows: Int, pixel: Int, channel: Int, panel: UnsafePointer<Float>,
                        taps: UnsafeBufferPointer<Int>) {
        // Accumulators start at the bias (as XNNPACK's packed weights do), so sums round in the same order.
        let bias0 = loadVector(bias + channel)
        let bias1 = loadVector(bias + channel + 8)
        var c00 = bias0
        var c01 = bias1
        var c10 = bias0
        var c11 = bias1
        var c20 = bias0
        var c21 = bias1
        var c30 = bias0
        var c31 = bias1
        var c40 = bias0
        var c41 = bias1
        var c50 = bias0
        var c51 = bias1
        var b = panel
        let depth = inputChannels
        for tap in taps {
            let p0 = a0 + tap
            let p1 = a1 + tap
            let p2 = a2 + tap
            let p3 = a3 + tap
            let p4 = a4 + tap
            let p5 = a5 + tap
            for k in 0 ..< depth {
                let b0 = loadVector(b)
                let b1 = loadVector(b + 8)
                b += 16
                let x0 = SIMD8<Float>(repeating: p0[k])
                c00.addProduct(x0, b0)
                c01.addProduct(x0, b1)
                let x1 = SIMD8<Float>(repeating: p1[k])
                c10.addProduct(x1, b0)
                c11.addProduct(x1, b1)
                let x2 = SIMD8<Float>(repeating: p2[k])
                c20.addProduct(x2, b0)
                c21.addProduct(x2, b1)
                let x3 = SIMD8<Float>(repeating: p3[k])
                c30.addProduct(x3, b0)
                c31.addProduct(x3, b1)
                let x4 = SIMD8<Float>(repeating: p4[k])
                c40.addProduct(x4, b0)
                c41.addProduct(x4, b1)
                let x5 = SIMD8<Float>(repeating: p5[k])
                c50.addProduct(x5, b0)
                c51.addProduct(x5, b1)
            }
        }
        let lanes = min(8, outputChannels - channel - 8)
        let stride = outputChannels
        var out = output + pixel * stride + channel
        epilogue.finish(c00, pixel: pixel, channel: channel, lanes: 8, output: out)
        epilogue.finish(c01, pixel: pixel, channel: channel + 8, lanes: lanes, output: out + 8)
        guard rows > 1 else { return }
        out += stride
        epilogue.finish(c10, pixel: pixel + 1, channel: channel, lanes: 8, output: out)
        epilogue.finish(c11, pixel: pixel + 1, channel: channel + 8, lanes: lanes, output: out + 8)
        guard rows > 2 else { return }
        out += stride
        epilogue.finish(c20, pixel: pixel + 2, channel: channel, lanes: 8, output: out)
        epilogue.finish(c21, pixel: pixel + 2, channel: channel + 8, lanes: lanes, output: out + 8)
        guard rows > 3 else { return }
        out += stride
        epilogue.finish(c30, pixel: pixel + 3, channel: channel, lanes: 8, output: out)
        epilogue.finish(c31, pixel: pixel + 3, channel: channel + 8, lanes: lanes, output: out + 8)
        guard rows > 4 else { return }
        out += stride
        epilogue.finish(c40, pixel: pixel + 4, channel: channel, lanes: 8, output: out)
        epilogue.finish(c41, pixel: pixel + 4, channel: channel + 8, lanes: lanes, output: out + 8)
        guard rows > 5 else { return }
        out += stride
        epilogue.finish(c50, pixel: pixel + 5, channel: channel, lanes: 8, output: out)
        epilogue.finish(c51, pixel: pixel + 5, channel: channel + 8, lanes: lanes, output: out + 8)
    }

    @inline(__always)
    private func tile8(_ a0: UnsafePointer<Float>, _ a1: UnsafePointer<Float>, _ a2: UnsafePointer<Float>,
                       _ a3: UnsafePointer<Float>, _ a4: UnsafePointer<Float>, _ a5: UnsafePointer<Float>,
                       rows: Int, pixel: Int, channel: Int, panel: UnsafePointer<Float>,
                       taps: UnsafeBufferPointer<Int>) {
        let bias0 = loadVector(bias + channel)
        var c0 = bias0
        var c1 = bias0
        var c2 = bias0
        var c3 = bias0
        var c4 = bias0
        var c5 = bias0
        var b = panel
        let depth = inputChannels
        for tap in taps {
            let p0 = a0 + tap
            let p1 = a1 + tap
            let p2 = a2 + tap
            let p3 = a3 + tap
            let p4 = a4 + tap
            let p5 = a5 + tap
            for k in 0 ..< depth {
                let b0 = loadVector(b)
                b += 16
                c0.addProduct(SIMD8<Float>(repeating: p0[k]), b0)
                c1.addProduct(SIMD8<Float>(repeating: p1[k]), b0)
                c2.addProduct(SIMD8<Float>(repeating: p2[k]), b0)
                c3.addProduct(SIMD8<Float>(repeating: p3[k]), b0)
                c4.addProduct(SIMD8<Float>(repeating: p4[k]), b0)
                c5.addProduct(SIMD8<Float>(repeating: p5[k]), b0)
            }
        }
        let lanes = outputChannels - channel
        let stride = outputChannels
        let out = output + pixel * stride + channel
        let results = (c0, c1, c2, c3, c4, c5)
        epilogue.finish(results.0, pixel: pixel, channel: channel, lanes: lanes, output: out)
        if rows > 1 { epilogue.finish(results.1, pixel: pixel + 1, channel: channel, lanes: lanes, output: out + stride) }
        if rows > 2 { epilogue.finish(results.2, pixel: pixel + 2, channel: channel, lanes: lanes, output: out + 2 * stride) }
        if rows > 3 { epilogue.finish(results.3, pixel: pixel + 3, channel: channel, lanes: lanes, output: out + 3 * stride) }
        if rows > 4 { epilogue.finish(results.4, pixel: pixel + 4, channel: channel, lanes: lanes, output: out + 4 * stride) }
        if rows > 5 { epilogue.finish(results.5, pixel: pixel + 5, channel: channel, lanes: lanes, output: out + 5 * stride) }
    }
}
