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
/// All coefficient tables and line buffers are kept and only regrow, so resizing allocates nothing in steady state.
struct LinearResize: ~Copyable {
    private var xOffsets = ScratchBuffer<Int32>()
    private var xWeights = ScratchBuffer<UInt16>()  // c₁ per column
    private var yOffsets = ScratchBuffer<Int32>()
    private var yWeights = ScratchBuffer<UInt16>()
    private var lines = ScratchBuffer<UInt16>()  // two horizontal-pass rows

    /// Room for every level of a `width`×`height` image, so a smaller search region never grows a table.
    mutating func reserve(width: Int, height: Int) {
        xOffsets.reserve(width)
        xWeights.reserve(width)
        yOffsets.reserve(height)
        yWeights.reserve(height)
        lines.reserve(2 * width)
    }

    /// Resizes `source` to `width`×`height` into `destination` (row stride `width`).
    mutating func resize(_ source: LumaImage, width: Int, height: Int, into destination: UnsafeMutablePointer<UInt8>) {
        if width == source.width && height == source.height {
            for y in 0 ..< height {
                (destination + y * width).update(from: source.pixels + y * source.rowStride, count: width)
            }
            return
        }
        let (xMin, xMax) = Self.coefficients(source: source.width, destination: width, offsets: &xOffsets, weights: &xWeights)
        let (yMin, yMax) = Self.coefficients(source: source.height, destination: height, offsets: &yOffsets, weights: &yWeights)
        lines.reserve(2 * width)
        let line0 = lines.pointer, line1 = lines.pointer + width
        var row0 = -1, row1 = -1  // source rows held by line0 and line1
        let xo = xOffsets.pointer, xw = xWeights.pointer, yo = yOffsets.pointer, yw = yWeights.pointer
        let lastRow = source.height - 1

        func horizontal(_ row: Int, into line: UnsafeMutablePointer<UInt16>) {
            let src = source.pixels + row * source.rowStride
            let first = UInt16(src[0]) << 8, last = UInt16(src[source.width - 1]) << 8
            var x = 0
            while x < xMin { line[x] = first; x += 1 }
            while x < xMax {
                let o = Int(xo[x]), c1 = UInt32(xw[x])
                line[x] = UInt16(truncatingIfNeeded: (256 - c1) &* UInt32(src[o]) &+ c1 &* UInt32(src[o + 1]))
                x += 1
            }
            while x < width { line[x] = last; x += 1 }
        }

        for y in 0 ..< height {
            let dst = destination + y * width
            if y < yMin || y >= yMax {
                // Edge rows: the first (or last) source row alone.
                let row = y < yMin ? 0 : lastRow
                horizontal(row, into: line0)
                row0 = row
                for x in 0 ..< width { dst[x] = UInt8(truncatingIfNeeded: (UInt32(line0[x]) + 128) >> 8) }
                continue
            }
            let top = Int(yo[y])
            // Make line0 hold `top` and line1 hold `top + 1`, reusing rows already computed.
            if row0 != top {
                if row1 == top { line0.update(from: line1, count: width) } else { horizontal(top, into: line0) }
                row0 = top
                if row1 == top { row1 = -1 }
            }
            if row1 != top + 1 { horizontal(top + 1, into: line1); row1 = top + 1 }
            let c1 = UInt32(yw[y]), c0 = 256 - c1
            for x in 0 ..< width {
                let v = c0 &* UInt32(line0[x]) &+ c1 &* UInt32(line1[x])
                dst[x] = UInt8(truncatingIfNeeded: (v &+ 32768) >> 16)
            }
        }
    }

    /// Fills offsets and right-hand weights; returns the interior range [min, max) of destination indices.
    private static func coefficients(source: Int, destination: Int, offsets: inout ScratchBuffer<Int32>,
                                     weights: inout ScratchBuffer<UInt16>) -> (Int, Int) {
        offsets.reserve(destination)
        weights.reserve(destination)
        let scale = 1.0 / (Double(destination) / Double(source))
        var minIndex = 0, maxIndex = destination
        for d in 0 ..< destination {
            let f = scale * (Double(d) + 0.5) - 0.5
            let i = Int(f.rounded(.down))
            offsets.pointer[d] = 0
            weights.pointer[d] = 0
            if i >= 0 && source > 1 {
                if i < source - 1 {
                    offsets.pointer[d] = Int32(i)
                    let w = ((f - Double(i)) * 256).rounded(.toNearestOrEven)
                    weights.pointer[d] = UInt16(max(0, min(256, w)))
                } else {
                    offsets.pointer[d] = Int32(source - 1)
                    maxIndex = min(maxIndex, d)
                }
            } else {
                minIndex = max(minIndex, d + 1)
            }
        }
        return (minIndex, maxIndex)
    }
}

/// A growable raw buffer that never shrinks (scratch reused from call to call).
struct ScratchBuffer<Element>: ~Copyable {
    private(set) var pointer: UnsafeMutablePointer<Element>
    private(set) var capacity: Int

    init() {
        capacity = 0
        pointer = UnsafeMutablePointer<Element>.allocate(capacity: 1)
    }

    /// Ensures room for `count` elements; contents are not preserved when it grows.
    mutating func reserve(_ count: Int) {
        guard count > capacity else { return }
        pointer.deallocate()
        let grown = max(count, capacity + capacity / 2)
        pointer = UnsafeMutablePointer<Element>.allocate(capacity: grown)
        capacity = grown
    }

    deinit { pointer.deallocate() }
}
