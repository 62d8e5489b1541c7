import OmoteCore

/// The integral planes of one pyramid level, (w+1)×(h+1) at one stride for every level (OpenCV's shared `sbuf`):
/// the sum plane, and for Haar cascades the squared sums (modulo 2³² like OpenCV's CV_32S) and, when the cascade has
/// tilted features, the 45° plane stored after the sum plane in `sums`.
///
/// Step-2 levels of stump cascades are stored de-interleaved: each row holds its even columns, then (from
/// (stride + 1) / 2) its odd ones, so eight windows x = 2m … 2m + 14 read eight consecutive values.
struct IntegralImages: ~Copyable {
    private(set) var sums = AlignedBuffer<Int32>(zeroedCount: 0)
    private(set) var squares = AlignedBuffer<UInt32>(zeroedCount: 0)
    private let hasSquares: Bool
    private let hasTilted: Bool
    /// The 45° plane's running sums: row prefix sums and two rows each of the diagonal sums F and G.
    private var tiltRows = AlignedBuffer<Int32>(zeroedCount: 0)
    /// One row, while it is de-interleaved.
    private var sumRow = AlignedBuffer<Int32>(zeroedCount: 0)
    private var squareRow = AlignedBuffer<UInt32>(zeroedCount: 0)

    init(hasSquares: Bool, hasTilted: Bool) {
        self.hasSquares = hasSquares
        self.hasTilted = hasTilted
    }

    /// Room for every level of a `width`×`height` image. The 8-window loads of a row's last positions read up to 16
    /// values past the window: 64 values of padding.
    mutating func reserve(width: Int, height: Int) {
        let planeSize = (width + 1) * (height + 1)
        sums.reserve((hasTilted ? 2 * planeSize : planeSize) + 64, filling: 0)
        if hasSquares { squares.reserve(planeSize + 64, filling: 0) }
        if hasTilted { tiltRows.reserve(5 * (width + 1), filling: 0) }
        sumRow.reserve(width + 1, filling: 0)
        if hasSquares { squareRow.reserve(width + 1, filling: 0) }
    }

    /// Integrates a `width`×`height` level into planes of `stride`, de-interleaved when `split`.
    func integrate(
        _ source: UnsafePointer<UInt8>, rowStride: Int, width: Int, height: Int, stride: Int,
        tiltedOffset: Int, split: Bool
    ) {
        integrateSums(source, rowStride: rowStride, width: width, height: height, stride: stride)
        if hasSquares { integrateSquares(source, rowStride: rowStride, width: width, height: height, stride: stride) }
        if hasTilted {
            integrateTilted(
                source, rowStride: rowStride, width: width, height: height, stride: stride,
                at: tiltedOffset)
        }
        guard split else { return }
        Self.deinterleave(sums.view, from: 0, scratch: sumRow.view, width: width, height: height, stride: stride)
        if hasSquares {
            Self.deinterleave(
                squares.view, from: 0, scratch: squareRow.view, width: width, height: height, stride: stride)
        }
        if hasTilted {
            Self.deinterleave(
                sums.view, from: tiltedOffset, scratch: sumRow.view, width: width, height: height, stride: stride)
        }
    }

    private func integrateSums(_ source: UnsafePointer<UInt8>, rowStride: Int, width: Int, height: Int, stride: Int) {
        let sums = self.sums.view  // a local view: the loop's stores cannot be taken to move the buffer
        for x in 0 ... width { sums[x] = 0 }
        for y in 0 ..< height {
            let pixels = source + y * rowStride
            // Pointers checked once per row: index arithmetic in the loop would carry overflow checks.
            assert((y + 2) * stride <= sums.count && width < stride)
            let above = sums.baseAddress + y * stride
            let row = above + stride
            row[0] = 0
            var total: Int32 = 0
            for x in 0 ..< width {
                total &+= Int32(pixels[x])
                row[x + 1] = above[x + 1] &+ total
            }
        }
    }

    private func integrateSquares(
        _ source: UnsafePointer<UInt8>, rowStride: Int, width: Int, height: Int,
        stride: Int
    ) {
        let squares = self.squares.view
        for x in 0 ... width { squares[x] = 0 }
        for y in 0 ..< height {
            let pixels = source + y * rowStride
            assert((y + 2) * stride <= squares.count && width < stride)
            let above = squares.baseAddress + y * stride
            let row = above + stride
            row[0] = 0
            var total: UInt32 = 0
            for x in 0 ..< width {
                let v = UInt32(pixels[x])
                total &+= v &* v
                row[x + 1] = above[x + 1] &+ total
            }
        }
    }

    /// The 45° integral T(X, Y) = Σ image(x, y) over y < Y, |x − X + 1| ≤ Y − 1 − y (pixels outside the image are 0),
    /// as the difference of two running diagonal sums of row prefix sums R_y(x) = Σ_{x' < x} image(x', y):
    /// F(X, Y) = F(X + 1, Y − 1) + R_{Y−1}(min(X, w)) and G(X, Y) = G(X − 1, Y − 1) + R_{Y−1}(max(X − 1, 0)),
    /// with F(w + 1, Y) = the sum of rows < Y and G(−1, Y) = 0; T = F − G.
    private func integrateTilted(
        _ source: UnsafePointer<UInt8>, rowStride: Int, width: Int, height: Int, stride: Int,
        at tilted: Int
    ) {
        let n = width + 1
        let prefix = 0
        var fPrevious = n
        var fCurrent = 2 * n
        var gPrevious = 3 * n
        var gCurrent = 4 * n
        let tiltRows = self.tiltRows.view
        let sums = self.sums.view
        for x in 0 ..< n {
            tiltRows[fPrevious + x] = 0
            tiltRows[gPrevious + x] = 0
            sums[tilted + x] = 0
        }
        var rowsTotal: Int32 = 0  // sum of rows < Y − 1
        for y in 1 ... max(1, height) where height > 0 {
            let pixels = source + (y - 1) * rowStride
            tiltRows[prefix] = 0
            for x in 0 ..< width { tiltRows[prefix + x + 1] = tiltRows[prefix + x] &+ Int32(pixels[x]) }
            for x in 0 ..< n {
                let fNext = x + 1 <= width ? tiltRows[fPrevious + x + 1] : rowsTotal
                tiltRows[fCurrent + x] = fNext &+ tiltRows[prefix + x]
                let gBefore = x >= 1 ? tiltRows[gPrevious + x - 1] : 0
                tiltRows[gCurrent + x] = gBefore &+ tiltRows[prefix + max(x - 1, 0)]
                sums[tilted + y * stride + x] = tiltRows[fCurrent + x] &- tiltRows[gCurrent + x]
            }
            rowsTotal &+= tiltRows[prefix + width]
            swap(&fPrevious, &fCurrent)
            swap(&gPrevious, &gCurrent)
        }
    }

    /// Rows 0…height of the plane at `start`: columns 0…width rearranged as even columns at 0…, odd ones from
    /// (stride + 1) / 2.
    private static func deinterleave<Element>(
        _ planes: AlignedView<Element>, from start: Int,
        scratch: AlignedView<Element>,
        width: Int, height: Int, stride: Int
    ) {
        let half = (stride + 1) / 2
        let line = scratch.baseAddress
        assert(width < scratch.count)
        for y in 0 ... height {
            assert(start + y * stride + half + width / 2 < planes.count)
            let row = planes.baseAddress + start + y * stride
            line.update(from: row, count: width + 1)
            let odd = row + half
            var c = 0
            while c + 1 <= width {
                row[c / 2] = line[c]
                odd[c / 2] = line[c + 1]
                c += 2
            }
            if c == width { row[c / 2] = line[c] }
        }
    }
}
