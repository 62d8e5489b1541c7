import OmoteCore
import OmoteRig

/// Channel `shift` of eight stored texels as floats 0…255 (2²³ + v has v in its low mantissa bits).
@inline(__always)
private func channel(_ texels: SIMD8<UInt32>, _ shift: UInt32) -> Lanes {
    unsafeBitCast((texels &>> shift) & 0xFF | 0x4B00_0000, to: Lanes.self) - 8_388_608
}

extension FrameContext {
    /// Eight bilinear samples with repeat wrapping, filtered in linear light, of sample set `set` as its lanes'
    /// levels give them (see `SpanLevelLanes`), at the span's UVs (0 for lanes that sample nothing): what
    /// `TextureView.sample` computes per lane. Positions and weights are vector arithmetic; only the 32 texel
    /// loads are per lane.
    @inline(__always)
    func sampleSpan(set: Int, scratch: SpanScratch) -> (red: Lanes, green: Lanes, blue: Lanes, alpha: Lanes) {
        let width = scratch.load(SpanSlot.levelWidth + set)
        let height = scratch.load(SpanSlot.levelHeight + set)
        let off = scratch.load(SpanSlot.enabled + set) .<= 0
        let u = scratch.load(SpanSlot.u).replacing(with: 0, where: off)
        let v = scratch.load(SpanSlot.v).replacing(with: 0, where: off)
        let footprint = BilinearFootprint(u: u, v: v, width: width, height: height)
        let (fx, fy) = (footprint.fx, footprint.fy)
        scratch.storeTexelOffsets(
            x0: footprint.x0, x1: footprint.x1, y0: footprint.y0, y1: footprint.y1, width: width, height: height)
        for lane in 0 ..< 8 {
            let texels = scratch.pointer(set, lane)
            for k in 0 ..< 4 {
                scratch.setWord(SpanSlot.texels + k, lane, texels[Int(scratch.word(SpanSlot.offsets + k, lane))])
            }
        }
        @inline(__always) func filtered(_ shift: UInt32) -> Lanes {
            var c00 = channel(scratch.loadWords(SpanSlot.texels), shift) * (1 / 255)
            var c01 = channel(scratch.loadWords(SpanSlot.texels + 1), shift) * (1 / 255)
            var c10 = channel(scratch.loadWords(SpanSlot.texels + 2), shift) * (1 / 255)
            var c11 = channel(scratch.loadWords(SpanSlot.texels + 3), shift) * (1 / 255)
            if shift < 24 {
                // Colour is stored as √linear.
                c00 *= c00
                c01 *= c01
                c10 *= c10
                c11 *= c11
            }
            let top = c00 + (c01 - c00) * fx
            let bottom = c10 + (c11 - c10) * fx
            return top + (bottom - top) * fy
        }
        return (filtered(0), filtered(8), filtered(16), filtered(24))
    }
}

extension SpanScratch {
    /// Stores each lane's four bilinear texel offsets (rows `SpanSlot.offsets` … + 3, as words) for corner columns
    /// `x0`, `x1` and rows `y0`, `y1` (whole numbers inside levels `width` × `height`). In integer arithmetic, so the
    /// per-lane loads need no checked float conversions: 2²³ + v has a whole v < 2²³ in its low mantissa bits, and
    /// the minimum keeps even a NaN coordinate inside the level.
    @inline(__always)
    func storeTexelOffsets(x0: Lanes, x1: Lanes, y0: Lanes, y1: Lanes, width: Lanes, height: Lanes) {
        @inline(__always) func whole(_ v: Lanes) -> SIMD8<UInt32> {
            unsafeBitCast(v + 8_388_608, to: SIMD8<UInt32>.self) & 0x7F_FFFF
        }
        let columns = whole(width)
        let lastColumn = columns &- 1
        let lastRow = whole(height) &- 1
        // (A comparison and blend: the standard `pointwiseMin` is a generic call here.)
        @inline(__always) func least(_ a: SIMD8<UInt32>, _ b: SIMD8<UInt32>) -> SIMD8<UInt32> {
            a.replacing(with: b, where: b .< a)
        }
        let column0 = least(whole(x0), lastColumn)
        let column1 = least(whole(x1), lastColumn)
        let row0 = least(whole(y0), lastRow) &* columns
        let row1 = least(whole(y1), lastRow) &* columns
        storeWords(SpanSlot.offsets, row0 &+ column0)
        storeWords(SpanSlot.offsets + 1, row0 &+ column1)
        storeWords(SpanSlot.offsets + 2, row1 &+ column0)
        storeWords(SpanSlot.offsets + 3, row1 &+ column1)
    }
}
