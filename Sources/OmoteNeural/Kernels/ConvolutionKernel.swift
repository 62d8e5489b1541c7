/// Convolution of NHWC float tensors as a blocked GEMM: output pixels are rows, output channels are columns, and the
/// reduction runs over kernel taps × input channels. A 1×1 convolution is the same loop with one tap.
/// Register tiles: 6 pixels × 16 channels, or 12 pixels × 8 channels for a narrow tail (12 eight-lane accumulators).
/// The input is already padded (padding is its own step), so every tap reads inside the input.
/// Long because each register tile is written out in full, so the compiler keeps its accumulators in registers.
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
    /// Offsets (in floats) of each kernel row from the pixel's top-left input element; a kernel row's taps are
    /// contiguous in NHWC (kernel width × input channels floats), so each row is one run of `tapDepth` products.
    let tapOffsets: [Int]
    let tapDepth: Int
    /// Weights as panels of 16 output channels: [channel block][tap][input channel][16], zero-padded.
    let weights: UnsafePointer<Float>
    /// One bias per output channel, padded with zeros to a multiple of 16; the accumulators start from it.
    let bias: UnsafePointer<Float>
    let epilogue: ConvolutionEpilogue
    let flops: Int
    /// A 1×1, stride-1 convolution reads pixel p at p × channels: no row arithmetic (and no divisions) per tile.
    /// Stored, not computed: it is read per tile.
    let isContiguousPointwise: Bool

    init(
        input: UnsafePointer<Float>, inputWidth: Int, inputChannels: Int, output: UnsafeMutablePointer<Float>,
        outputHeight: Int, outputWidth: Int, outputChannels: Int, strideY: Int, strideX: Int, tapOffsets: [Int],
        tapDepth: Int,
        weights: UnsafePointer<Float>, bias: UnsafePointer<Float>, epilogue: ConvolutionEpilogue
    ) {
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
        self.tapDepth = tapDepth
        self.weights = weights
        self.epilogue = epilogue
        self.flops = 2 * pixelCount * outputChannels * tapOffsets.count * tapDepth
        isContiguousPointwise =
            tapOffsets.count == 1 && tapDepth == inputChannels && strideX == 1 && strideY == 1
            && inputWidth == outputWidth
    }

    /// Input position of output pixel `pixel`'s top-left tap.
    @inline(__always)
    private func source(_ pixel: Int) -> UnsafePointer<Float> {
        if isContiguousPointwise {
            return input + pixel * inputChannels
        }
        let y = pixel / outputWidth
        let x = pixel - y * outputWidth
        return input + ((y * strideY) * inputWidth + x * strideX) * inputChannels
    }

    /// Pixels per cache block: about 16 KB of input rows, a multiple of the 12-row narrow tile.
    private var pixelBlock: Int {
        let depth = max(1, tapOffsets.count * tapDepth)
        return max(12, (4096 / depth) / 12 * 12)
    }

    func run() {
        if pixelCount == 1 {
            runSinglePixel()
            return
        }
        tapOffsets.withUnsafeBufferPointer { taps in
            // Blocked: a block of input pixels stays in L1 while each 16-channel weight panel passes over it.
            let block = pixelBlock
            var blockStart = 0
            while blockStart < pixelCount {
                let blockEnd = min(pixelCount, blockStart + block)
                var channel = 0
                var panel = weights
                while channel < outputChannels {
                    var pixel = blockStart
                    let remaining = outputChannels - channel
                    if remaining > 16, remaining <= 24 {
                        // 17–24 channels left (24 is a common detector width): both panels at once, each input read once.
                        while pixel < blockEnd {
                            let rows = min(4, blockEnd - pixel)
                            tile24(rows: rows, pixel: pixel, channel: channel, panel: panel, taps: taps)
                            pixel += rows
                        }
                        channel += 16
                        panel += 16 * taps.count * tapDepth
                    } else if remaining > 8 {
                        while pixel < blockEnd {
                            let rows = min(6, blockEnd - pixel)
                            tile16(rows: rows, pixel: pixel, channel: channel, panel: panel, taps: taps)
                            pixel += rows
                        }
                    } else {
                        while pixel < blockEnd {
                            let rows = min(12, blockEnd - pixel)
                            tile8(rows: rows, pixel: pixel, channel: channel, panel: panel, taps: taps)
                            pixel += rows
                        }
                    }
                    channel += 16
                    panel += 16 * taps.count * tapDepth
                }
                blockStart = blockEnd
            }
        }
    }

    @inline(__always)
    private func tile16(
        rows: Int, pixel: Int, channel: Int, panel: UnsafePointer<Float>,
        taps: UnsafeBufferPointer<Int>
    ) {
        // Rows past the end repeat the last pixel: computed, never stored.
        let a0 = source(pixel)
        let a1 = source(pixel + min(1, rows - 1))
        let a2 = source(pixel + min(2, rows - 1))
        let a3 = source(pixel + min(3, rows - 1))
        let a4 = source(pixel + min(4, rows - 1))
        let a5 = source(pixel + min(5, rows - 1))
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
        let depth = tapDepth
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
                c00.accumulate(x0, b0)
                c01.accumulate(x0, b1)
                let x1 = SIMD8<Float>(repeating: p1[k])
                c10.accumulate(x1, b0)
                c11.accumulate(x1, b1)
                let x2 = SIMD8<Float>(repeating: p2[k])
                c20.accumulate(x2, b0)
                c21.accumulate(x2, b1)
                let x3 = SIMD8<Float>(repeating: p3[k])
                c30.accumulate(x3, b0)
                c31.accumulate(x3, b1)
                let x4 = SIMD8<Float>(repeating: p4[k])
                c40.accumulate(x4, b0)
                c41.accumulate(x4, b1)
                let x5 = SIMD8<Float>(repeating: p5[k])
                c50.accumulate(x5, b0)
                c51.accumulate(x5, b1)
            }
        }
        let lanes = min(8, outputChannels - channel - 8)
        let stride = outputChannels
        // Unrolled row by row on purpose (each row its own registers); the repeats are deliberate (`duplicates`).
        var out = output + pixel * stride + channel
        epilogue.finish(c00, c01, pixel: pixel, channel: channel, highLanes: lanes, output: out)
        guard rows > 1 else { return }
        out += stride
        epilogue.finish(c10, c11, pixel: pixel + 1, channel: channel, highLanes: lanes, output: out)
        guard rows > 2 else { return }
        out += stride
        epilogue.finish(c20, c21, pixel: pixel + 2, channel: channel, highLanes: lanes, output: out)
        guard rows > 3 else { return }
        out += stride
        epilogue.finish(c30, c31, pixel: pixel + 3, channel: channel, highLanes: lanes, output: out)
        guard rows > 4 else { return }
        out += stride
        epilogue.finish(c40, c41, pixel: pixel + 4, channel: channel, highLanes: lanes, output: out)
        guard rows > 5 else { return }
        out += stride
        epilogue.finish(c50, c51, pixel: pixel + 5, channel: channel, highLanes: lanes, output: out)
    }

    /// 4 pixels × 24 channels (two panels: 16 + the next panel's first 8), 12 accumulators: 3 loads and 4 broadcasts
    /// per 12 FMAs, where a 6 × 16 pass plus a 12 × 8 pass over the same pixels read every input twice.
    @inline(__always)
    private func tile24(
        rows: Int, pixel: Int, channel: Int, panel: UnsafePointer<Float>,
        taps: UnsafeBufferPointer<Int>
    ) {
        let last = rows - 1
        let a0 = source(pixel)
        let a1 = source(pixel + min(1, last))
        let a2 = source(pixel + min(2, last))
        let a3 = source(pixel + min(3, last))
        let bias0 = loadVector(bias + channel)
        let bias1 = loadVector(bias + channel + 8)
        let bias2 = loadVector(bias + channel + 16)
        var c00 = bias0
        var c01 = bias1
        var c02 = bias2
        var c10 = bias0
        var c11 = bias1
        var c12 = bias2
        var c20 = bias0
        var c21 = bias1
        var c22 = bias2
        var c30 = bias0
        var c31 = bias1
        var c32 = bias2
        var b = panel
        var next = panel + 16 * taps.count * tapDepth
        let depth = tapDepth
        for tap in taps {
            for k in tap ..< tap + depth {
                let b0 = loadVector(b)
                let b1 = loadVector(b + 8)
                let b2 = loadVector(next)
                b += 16
                next += 16
                let x0 = SIMD8<Float>(repeating: a0[k])
                c00.accumulate(x0, b0)
                c01.accumulate(x0, b1)
                c02.accumulate(x0, b2)
                let x1 = SIMD8<Float>(repeating: a1[k])
                c10.accumulate(x1, b0)
                c11.accumulate(x1, b1)
                c12.accumulate(x1, b2)
                let x2 = SIMD8<Float>(repeating: a2[k])
                c20.accumulate(x2, b0)
                c21.accumulate(x2, b1)
                c22.accumulate(x2, b2)
                let x3 = SIMD8<Float>(repeating: a3[k])
                c30.accumulate(x3, b0)
                c31.accumulate(x3, b1)
                c32.accumulate(x3, b2)
            }
        }
        let lanes = outputChannels - channel - 16
        let stride = outputChannels
        var out = output + pixel * stride + channel
        epilogue.finish(c00, c01, pixel: pixel, channel: channel, highLanes: 8, output: out)
        epilogue.finish(c02, pixel: pixel, channel: channel + 16, lanes: lanes, output: out + 16)
        guard rows > 1 else { return }
        out += stride
        epilogue.finish(c10, c11, pixel: pixel + 1, channel: channel, highLanes: 8, output: out)
        epilogue.finish(c12, pixel: pixel + 1, channel: channel + 16, lanes: lanes, output: out + 16)
        guard rows > 2 else { return }
        out += stride
        epilogue.finish(c20, c21, pixel: pixel + 2, channel: channel, highLanes: 8, output: out)
        epilogue.finish(c22, pixel: pixel + 2, channel: channel + 16, lanes: lanes, output: out + 16)
        guard rows > 3 else { return }
        out += stride
        epilogue.finish(c30, c31, pixel: pixel + 3, channel: channel, highLanes: 8, output: out)
        epilogue.finish(c32, pixel: pixel + 3, channel: channel + 16, lanes: lanes, output: out + 16)
    }

    /// One output pixel (the landmark network's final 2×2 convolutions): a matrix-vector product, two channel panels
    /// at a time with the reduction split over two accumulator sets, instead of a 6-row tile that is 5/6 waste.
    private func runSinglePixel() {
        tapOffsets.withUnsafeBufferPointer { taps in
            let depth = taps.count * tapDepth
            var channel = 0
            var panel = weights
            while channel < outputChannels {
                var even0 = loadVector(bias + channel)
                var even1 = loadVector(bias + channel + 8)
                var odd0 = SIMD8<Float>()
                var odd1 = SIMD8<Float>()
                var b = panel
                for tap in taps {
                    let pixel = input + tap
                    var k = 0
                    while k + 2 <= tapDepth {
                        let x0 = SIMD8<Float>(repeating: pixel[k])
                        let x1 = SIMD8<Float>(repeating: pixel[k + 1])
                        even0.accumulate(x0, loadVector(b))
                        even1.accumulate(x0, loadVector(b + 8))
                        odd0.accumulate(x1, loadVector(b + 16))
                        odd1.accumulate(x1, loadVector(b + 24))
                        b += 32
                        k += 2
                    }
                    if k < tapDepth {
                        let x0 = SIMD8<Float>(repeating: pixel[k])
                        even0.accumulate(x0, loadVector(b))
                        even1.accumulate(x0, loadVector(b + 8))
                        b += 16
                    }
                }
                let remaining = outputChannels - channel
                epilogue.finish(
                    even0 + odd0, pixel: 0, channel: channel, lanes: min(8, remaining),
                    output: output + channel)
                if remaining > 8 {
                    epilogue.finish(
                        even1 + odd1, pixel: 0, channel: channel + 8, lanes: min(8, remaining - 8),
                        output: output + channel + 8)
                }
                channel += 16
                panel += 16 * depth
            }
        }
    }

    /// Up to 12 pixels × 8 channels: twelve accumulators, as many independent FMA chains as the 6 × 16 tile.
    @inline(__always)
    private func tile8(
        rows: Int, pixel: Int, channel: Int, panel: UnsafePointer<Float>,
        taps: UnsafeBufferPointer<Int>
    ) {
        let last = rows - 1
        let a0 = source(pixel)
        let a1 = source(pixel + min(1, last))
        let a2 = source(pixel + min(2, last))
        let a3 = source(pixel + min(3, last))
        let a4 = source(pixel + min(4, last))
        let a5 = source(pixel + min(5, last))
        let a6 = source(pixel + min(6, last))
        let a7 = source(pixel + min(7, last))
        let a8 = source(pixel + min(8, last))
        let a9 = source(pixel + min(9, last))
        let a10 = source(pixel + min(10, last))
        let a11 = source(pixel + min(11, last))
        let bias0 = loadVector(bias + channel)
        var c0 = bias0
        var c1 = bias0
        var c2 = bias0
        var c3 = bias0
        var c4 = bias0
        var c5 = bias0
        var c6 = bias0
        var c7 = bias0
        var c8 = bias0
        var c9 = bias0
        var c10 = bias0
        var c11 = bias0
        var b = panel
        let depth = tapDepth
        for tap in taps {
            for k in tap ..< tap + depth {
                let b0 = loadVector(b)
                b += 16
                c0.accumulate(SIMD8<Float>(repeating: a0[k]), b0)
                c1.accumulate(SIMD8<Float>(repeating: a1[k]), b0)
                c2.accumulate(SIMD8<Float>(repeating: a2[k]), b0)
                c3.accumulate(SIMD8<Float>(repeating: a3[k]), b0)
                c4.accumulate(SIMD8<Float>(repeating: a4[k]), b0)
                c5.accumulate(SIMD8<Float>(repeating: a5[k]), b0)
                c6.accumulate(SIMD8<Float>(repeating: a6[k]), b0)
                c7.accumulate(SIMD8<Float>(repeating: a7[k]), b0)
                c8.accumulate(SIMD8<Float>(repeating: a8[k]), b0)
                c9.accumulate(SIMD8<Float>(repeating: a9[k]), b0)
                c10.accumulate(SIMD8<Float>(repeating: a10[k]), b0)
                c11.accumulate(SIMD8<Float>(repeating: a11[k]), b0)
            }
        }
        let lanes = outputChannels - channel
        let stride = outputChannels
        let out = output + pixel * stride + channel
        epilogue.finish(c0, pixel: pixel, channel: channel, lanes: lanes, output: out)
        if rows > 1 { epilogue.finish(c1, pixel: pixel + 1, channel: channel, lanes: lanes, output: out + stride) }
        if rows > 2 { epilogue.finish(c2, pixel: pixel + 2, channel: channel, lanes: lanes, output: out + 2 * stride) }
        if rows > 3 { epilogue.finish(c3, pixel: pixel + 3, channel: channel, lanes: lanes, output: out + 3 * stride) }
        if rows > 4 { epilogue.finish(c4, pixel: pixel + 4, channel: channel, lanes: lanes, output: out + 4 * stride) }
        if rows > 5 { epilogue.finish(c5, pixel: pixel + 5, channel: channel, lanes: lanes, output: out + 5 * stride) }
        if rows > 6 { epilogue.finish(c6, pixel: pixel + 6, channel: channel, lanes: lanes, output: out + 6 * stride) }
        if rows > 7 { epilogue.finish(c7, pixel: pixel + 7, channel: channel, lanes: lanes, output: out + 7 * stride) }
        if rows > 8 { epilogue.finish(c8, pixel: pixel + 8, channel: channel, lanes: lanes, output: out + 8 * stride) }
        if rows > 9 { epilogue.finish(c9, pixel: pixel + 9, channel: channel, lanes: lanes, output: out + 9 * stride) }
        if rows > 10 {
            epilogue.finish(
                c10, pixel: pixel + 10, channel: channel, lanes: lanes,
                output: out + 10 * stride)
        }
        if rows > 11 {
            epilogue.finish(
                c11, pixel: pixel + 11, channel: channel, lanes: lanes,
                output: out + 11 * stride)
        }
    }
}
