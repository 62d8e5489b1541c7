import OmoteCore

/// Where each node's feature reads the integral planes, relative to the window's origin (OpenCV's CV_SUM_OFS and
/// CV_TILTED_OFS): 12 per Haar node (three rectangles' corners), 16 per LBP node (the 4×4 corners of its 3×3 blocks),
/// plus the normalisation rectangle's four. They depend on the plane stride, so they are compiled per image width,
/// for the plain plane layout and for the de-interleaved one of step-2 levels (see `IntegralImages`).
struct FeatureOffsets: ~Copyable {
    private(set) var plain: AlignedBuffer<Int32>
    private(set) var split: AlignedBuffer<Int32>
    private(set) var plainNorm = SIMD4<Int>.zero
    private(set) var splitNorm = SIMD4<Int>.zero
    private var compiledStride = -1
    private var compiledTiltedOffset = -1

    init(_ cascade: CascadeClassifier) {
        let count = cascade.nodes.count * (cascade.featureType == .haar ? 12 : 16)
        plain = AlignedBuffer(zeroedCount: count)
        split = AlignedBuffer(zeroedCount: count)
    }

    /// The offsets for planes of `stride` with the tilted plane at `tiltedOffset` (a no-op when already compiled).
    mutating func compile(_ cascade: CascadeClassifier, stride: Int, tiltedOffset: Int) {
        guard stride != compiledStride || tiltedOffset != compiledTiltedOffset else { return }
        compiledStride = stride
        compiledTiltedOffset = tiltedOffset
        let half = Int32((stride + 1) / 2)
        plainNorm = Self.compile(cascade, stride: stride, tiltedOffset: tiltedOffset, into: plain) { $0 }
        splitNorm = Self.compile(cascade, stride: stride, tiltedOffset: tiltedOffset, into: split) {
            $0 & 1 == 0 ? $0 / 2 : half + ($0 - 1) / 2
        }
    }

    /// Offsets of every node's integral points, with `column` mapping a column offset (≥ 0) to its place in the row;
    /// returns the normalisation rectangle's offsets.
    private static func compile(
        _ cascade: CascadeClassifier,
        stride: Int,
        tiltedOffset: Int,
        into out: borrowing AlignedBuffer<Int32>,
        column: (Int32) -> Int32
    ) -> SIMD4<Int> {
        let s = Int32(stride)
        @inline(__always) func at(_ x: Int32, _ y: Int32) -> Int32 { column(x) + s * y }
        let isHaar = cascade.featureType == .haar
        for (n, node) in cascade.nodes.enumerated() {
            if isHaar {
                let feature = cascade.haarFeatures[node.feature]
                for r in 0 ..< 3 {
                    let rect = feature.rects[r]
                    let (x, y, w, h) = (rect.x, rect.y, rect.z, rect.w)
                    let o = n * 12 + r * 4
                    if feature.tilted {
                        let t = Int32(tiltedOffset)
                        out[o] = t + at(x, y)
                        out[o + 1] = t + at(x - h, y + h)
                        out[o + 2] = t + at(x + w, y + w)
                        out[o + 3] = t + at(x + w - h, y + w + h)
                    } else {
                        out[o] = at(x, y)
                        out[o + 1] = at(x + w, y)
                        out[o + 2] = at(x, y + h)
                        out[o + 3] = at(x + w, y + h)
                    }
                }
            } else {
                let rect = cascade.lbpFeatures[node.feature]
                for j in 0 ..< 4 {
                    for i in 0 ..< 4 {
                        out[n * 16 + j * 4 + i] = at(rect.x + Int32(i) * rect.z, rect.y + Int32(j) * rect.w)
                    }
                }
            }
        }
        // normrect = (1, 1, w − 2, h − 2)
        let w = Int32(cascade.windowWidth)
        let h = Int32(cascade.windowHeight)
        return SIMD4(Int(at(1, 1)), Int(at(w - 1, 1)), Int(at(1, h - 1)), Int(at(w - 1, h - 1)))
    }
}
