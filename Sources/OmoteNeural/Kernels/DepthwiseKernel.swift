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
    /// The activation as per-channel slopes for negative values (padded to 16): none 1, ReLU 0, PReLU α.
    let slopes: UnsafePointer<Float>
    let flops: Int
    /// Output columns whose taps all lie inside the input.
    private let interior: Range<Int>

    init(
        input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, geometry: Geometry,
        weights: UnsafePointer<Float>, paddedChannels: Int, bias: UnsafePointer<Float>, slopes: UnsafePointer<Float>
    ) {
        self.input = input
        self.output = output
        self.geometry = geometry
        self.weights = weights
        self.paddedChannels = paddedChannels
        self.bias = bias
        self.slopes = slopes
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
                let slope = loadVector(slopes + channel)
                for x in 0 ..< interior.lowerBound {
                    border(
                        x: x, top: top, taps: firstTap ..< endTap, channel: channel, lanes: lanes, bias: biasVector,
                        slope: slope, outputRow: outputRow)
                }
                var x = interior.lowerBound
                if g.kernelWidth == 3 {
                    while x + 8 <= interior.upperBound {
                        eightPixels3Wide(
                            x: x, top: top, taps: firstTap ..< endTap, channel: channel, lanes: lanes,
                            bias: biasVector, slope: slope, outputRow: outputRow)
                        x += 8
                    }
                }
                while x + 4 <= interior.upperBound {
                    var s0 = biasVector
                    var s1 = biasVector
                    var s2 = biasVector
                    var s3 = biasVector
                    let base = input + (x * g.strideX - g.padLeft) * channels + channel
                    var ky = firstTap
                    while ky < endTap {
                        // Pointers stepped, not indices multiplied: no overflow checks in the tap loop.
                        var pixel = base + (top + ky) * rowStride
                        var tap = weights + ky * g.kernelWidth * paddedChannels + channel
                        let pixel1 = pixelStep
                        let pixel2 = 2 * pixelStep
                        let pixel3 = 3 * pixelStep
                        for _ in 0 ..< g.kernelWidth {
                            let w = loadVector(tap)
                            s0.accumulate(loadVector(pixel), w)
                            s1.accumulate(loadVector(pixel + pixel1), w)
                            s2.accumulate(loadVector(pixel + pixel2), w)
                            s3.accumulate(loadVector(pixel + pixel3), w)
                            tap += paddedChannels
                            pixel += channels
                        }
                        ky += 1
                    }
                    let out = outputRow + x * channels + channel
                    storeVector(leaky(s0, slope), out, lanes: lanes)
                    storeVector(leaky(s1, slope), out + channels, lanes: lanes)
                    storeVector(leaky(s2, slope), out + 2 * channels, lanes: lanes)
                    storeVector(leaky(s3, slope), out + 3 * channels, lanes: lanes)
                    x += 4
                }
                while x < g.outputWidth {
                    border(
                        x: x, top: top, taps: firstTap ..< endTap, channel: channel, lanes: lanes, bias: biasVector,
                        slope: slope, outputRow: outputRow)
                    x += 1
                }
                channel += 8
            }
        }
    }

    /// Eight interior output pixels of a 3-wide kernel: eight independent accumulators keep both FMA pipes busy
    /// (four would wait on FMA latency), the three weights of a kernel row stay in registers.
    @inline(__always)
    private func eightPixels3Wide(
        x: Int, top: Int, taps: Range<Int>, channel: Int, lanes: Int, bias: SIMD8<Float>,
        slope: SIMD8<Float>, outputRow: UnsafeMutablePointer<Float>
    ) {
        let g = geometry
        let channels = g.channels
        let step = g.strideX * channels
        var s0 = bias
        var s1 = bias
        var s2 = bias
        var s3 = bias
        var s4 = bias
        var s5 = bias
        var s6 = bias
        var s7 = bias
        let base = input + (x * g.strideX - g.padLeft) * channels + channel
        for ky in taps {
            let tap = weights + ky * 3 * paddedChannels + channel
            let row = base + (top + ky) * g.inputWidth * channels
            // Column by column: eight independent FMAs per weight vector.
            for column in 0 ..< 3 {
                let w = loadVector(tap + column * paddedChannels)
                let p = row + column * channels
                s0.accumulate(loadVector(p), w)
                s1.accumulate(loadVector(p + step), w)
                s2.accumulate(loadVector(p + 2 * step), w)
                s3.accumulate(loadVector(p + 3 * step), w)
                s4.accumulate(loadVector(p + 4 * step), w)
                s5.accumulate(loadVector(p + 5 * step), w)
                s6.accumulate(loadVector(p + 6 * step), w)
                s7.accumulate(loadVector(p + 7 * step), w)
            }
        }
        let out = outputRow + x * channels + channel
        storeVector(leaky(s0, slope), out, lanes: lanes)
        storeVector(leaky(s1, slope), out + channels, lanes: lanes)
        storeVector(leaky(s2, slope), out + 2 * channels, lanes: lanes)
        storeVector(leaky(s3, slope), out + 3 * channels, lanes: lanes)
        storeVector(leaky(s4, slope), out + 4 * channels, lanes: lanes)
        storeVector(leaky(s5, slope), out + 5 * channels, lanes: lanes)
        storeVector(leaky(s6, slope), out + 6 * channels, lanes: lanes)
        storeVector(leaky(s7, slope), out + 7 * channels, lanes: lanes)
    }

    /// One output pixel with column checks (left/right border, or the interior's last few pixels).
    @inline(__always)
    private func border(
        x: Int, top: Int, taps: Range<Int>, channel: Int, lanes: Int, bias: SIMD8<Float>,
        slope: SIMD8<Float>, outputRow: UnsafeMutablePointer<Float>
    ) {
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
                sum.accumulate(loadVector(row + kx * g.channels), w)
                kx += 1
            }
        }
        storeVector(leaky(sum, slope), outputRow + x * g.channels + channel, lanes: lanes)
    }
}

@inline(__always)
func leaky(_ value: SIMD8<Float>, _ slope: SIMD8<Float>) -> SIMD8<Float> {
    value.replacing(with: value * slope, where: value .< 0)
}
