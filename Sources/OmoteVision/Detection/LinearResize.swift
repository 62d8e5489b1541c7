import OmoteCore

/// OpenCV 4's bit-exact bilinear resize of 8-bit images (`cv::resize(..., INTER_LINEAR_EXACT)`, which the cascade
/// detector uses for its pyramid), in integers:
///
/// - per destination column (and row) d: f = s·(d + 0.5) − 0.5 in double, with s = 1 / (dst/src); the source index
///   is ⌊f⌋ and the right-hand weight c₁ = round-half-even((f − ⌊f⌋)·256), the left one 256 − c₁ (8-bit fixed point);
///   positions left of 0 or right of the last pair take the edge pixel with weight 256;
/// - a horizontal pass gives 16-bit values c₀·p₀ + c₁·p₁ per source row;
/// - the vertical pass gives (c₀·h₀ + c₁·h₁ + 2¹⁵) >> 16; rows outside the interior take (h + 128) >> 8;
/// - equal sizes are a plain copy.
///
/// All coefficient tables and line buffers are sized once by `reserve` (the detector's largest image), so resizing
/// allocates nothing.
struct LinearResize: ~Copyable {
    private var xOffsets = AlignedBuffer<Int32>(zeroedCount: 0)
    /// c₁ per destination column.
    private var xWeights = AlignedBuffer<UInt16>(zeroedCount: 0)
    private var yOffsets = AlignedBuffer<Int32>(zeroedCount: 0)
    private var yWeights = AlignedBuffer<UInt16>(zeroedCount: 0)
    /// Two horizontal-pass rows: `line0` at 0, `line1` at `width`.
    private var lines = AlignedBuffer<UInt16>(zeroedCount: 0)

    /// Room for every level of a `width`×`height` image, so a smaller search region never grows a table.
    mutating func reserve(width: Int, height: Int) {
        xOffsets.reserve(width, filling: 0)
        xWeights.reserve(width, filling: 0)
        yOffsets.reserve(height, filling: 0)
        yWeights.reserve(height, filling: 0)
        lines.reserve(2 * width, filling: 0)
    }

    /// Resizes `source` to `width`×`height` (at most the reserved size) into `destination` (row stride `width`).
    func resize(_ source: LumaImage, width: Int, height: Int, into destination: borrowing AlignedBuffer<UInt8>) {
        assert(width * height <= destination.count && 2 * width <= lines.count, "resize beyond the reserved size")
        if width == source.width && height == source.height {
            for y in 0 ..< height {
                (destination.baseAddress + y * width).update(from: source.pixels + y * source.rowStride, count: width)
            }
            return
        }
        let (xMin, xMax) = Self.coefficients(source: source.width, destination: width, xOffsets.view, xWeights.view)
        let (yMin, yMax) = Self.coefficients(source: source.height, destination: height, yOffsets.view, yWeights.view)
        let line0 = 0
        let line1 = width
        var row0 = -1  // the source rows held by line0 and line1
        var row1 = -1
        let lastRow = source.height - 1
        // Local views: the loops' stores cannot be taken to move the tables.
        let lines = self.lines.view
        let xOffsets = self.xOffsets.view
        let xWeights = self.xWeights.view
        let yOffsets = self.yOffsets.view
        let yWeights = self.yWeights.view
        let destination = destination.view

        // Rows are addressed through pointers checked once per row: index arithmetic inside the loops carries
        // overflow checks that keep LLVM from vectorising them.
        func horizontal(_ row: Int, into line: Int) {
            assert(line >= 0 && line + width <= lines.count)
            let src = source.pixels + row * source.rowStride
            let out = lines.baseAddress + line
            let offsets = xOffsets.baseAddress
            let weights = xWeights.baseAddress
            let first = UInt16(src[0]) << 8
            let last = UInt16(src[source.width - 1]) << 8
            var x = 0
            while x < xMin {
                out[x] = first
                x += 1
            }
            while x < xMax {
                let o = Int(offsets[x])
                let c1 = UInt32(weights[x])
                out[x] = UInt16(truncatingIfNeeded: (256 - c1) &* UInt32(src[o]) &+ c1 &* UInt32(src[o + 1]))
                x += 1
            }
            while x < width {
                out[x] = last
                x += 1
            }
        }

        for y in 0 ..< height {
            let dst = y * width
            if y < yMin || y >= yMax {
                // Edge rows: the first (or last) source row alone.
                let row = y < yMin ? 0 : lastRow
                horizontal(row, into: line0)
                row0 = row
                assert(dst + width <= destination.count)
                let out = destination.baseAddress + dst
                let edge = lines.baseAddress + line0
                for x in 0 ..< width { out[x] = UInt8(truncatingIfNeeded: (UInt32(edge[x]) + 128) >> 8) }
                continue
            }
            let top = Int(yOffsets[y])
            // Make line0 hold `top` and line1 hold `top + 1`, reusing rows already computed.
            if row0 != top {
                if row1 == top {
                    (lines.baseAddress + line0).update(from: lines.baseAddress + line1, count: width)
                } else {
                    horizontal(top, into: line0)
                }
                row0 = top
                if row1 == top { row1 = -1 }
            }
            if row1 != top + 1 {
                horizontal(top + 1, into: line1)
                row1 = top + 1
            }
            let c1 = UInt32(yWeights[y])
            let c0 = 256 - c1
            assert(dst + width <= destination.count)
            let out = destination.baseAddress + dst
            let upper = lines.baseAddress + line0
            let lower = lines.baseAddress + line1
            for x in 0 ..< width {
                let v = c0 &* UInt32(upper[x]) &+ c1 &* UInt32(lower[x])
                out[x] = UInt8(truncatingIfNeeded: (v &+ 32768) >> 16)
            }
        }
    }

    /// Fills offsets and right-hand weights; returns the interior range [min, max) of destination indices.
    private static func coefficients(
        source: Int, destination: Int, _ offsets: AlignedView<Int32>,
        _ weights: AlignedView<UInt16>
    ) -> (Int, Int) {
        assert(destination <= offsets.count && destination <= weights.count, "coefficients beyond the reserved size")
        let scale = 1.0 / (Double(destination) / Double(source))
        var minIndex = 0
        var maxIndex = destination
        for d in 0 ..< destination {
            let f = scale * (Double(d) + 0.5) - 0.5
            let i = Int(f.rounded(.down))
            offsets[d] = 0
            weights[d] = 0
            if i >= 0 && source > 1 {
                if i < source - 1 {
                    offsets[d] = Int32(i)
                    let w = ((f - Double(i)) * 256).rounded(.toNearestOrEven)
                    weights[d] = UInt16(max(0, min(256, w)))
                } else {
                    offsets[d] = Int32(source - 1)
                    maxIndex = min(maxIndex, d)
                }
            } else {
                minIndex = max(minIndex, d + 1)
            }
        }
        return (minIndex, maxIndex)
    }
}
