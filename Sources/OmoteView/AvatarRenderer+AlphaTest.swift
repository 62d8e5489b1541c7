import OmoteCore
import OmoteRig

/// A cut-out triangle's alpha test, set up once per triangle: UV and vertex alpha times 1/depth as planes over screen
/// coordinates (perspective-correct when divided by the pixel's 1/depth), and its base texture's level.
struct CutOutTest {
    var u: SIMD3<Float>
    var v: SIMD3<Float>
    var alpha: SIMD3<Float>
    var cutoff: Float
    var isTextured: Bool
    var level: TextureLevel

    /// The test of triangle `ia`, `ib`, `ic` as `setup` scans it (`w`: vertex 1/depths), sampling at `density`; nil
    /// when every pixel of it passes (see `passesEverywhere`).
    @inline(__always)
    init?(
        _ setup: TriangleSetup, _ ia: Int, _ ib: Int, _ ic: Int, w: MemoryView<Float>, density: Float,
        material: ShadingMaterial, _ frame: FrameContext
    ) {
        let uvA = frame.uvs[ia]
        let uvB = frame.uvs[ib]
        let uvC = frame.uvs[ic]
        let alphaA = frame.colors[ia].w
        let alphaB = frame.colors[ib].w
        let alphaC = frame.colors[ic].w
        cutoff = material.cutoff
        isTextured = material.baseTexture >= 0
        if isTextured {
            let texture = frame.textures[Int(material.baseTexture)]
            level = texture.levels[texture.level(density: density)]
        } else {
            level = TextureLevel(texels: frame.fallbackTexel, width: 1, height: 1)
        }
        if Self.passesEverywhere(
            uvs: (uvA, uvB, uvC), alphas: SIMD3(alphaA, alphaB, alphaC), level: isTextured ? level : nil,
            cutoff: cutoff)
        {
            return nil
        }
        let planeA = setup.weightA * w[ia]
        let planeB = setup.weightB * w[ib]
        let planeC = setup.weightC * w[ic]
        u = planeA * uvA.x + planeB * uvB.x + planeC * uvC.x
        v = planeA * uvA.y + planeB * uvB.y + planeC * uvC.y
        alpha = planeA * alphaA + planeB * alphaB + planeC * alphaC
    }

    /// Whether every pixel of a triangle with vertex UVs `uvs` and vertex alphas `alphas` passes the test against
    /// `cutoff`, `level` being its base texture's level (nil: untextured): the least vertex alpha times the least
    /// texel alpha its UVs' bilinear footprints can reach (from the level's block minima) clears the cutoff. A pixel
    /// inside the triangle interpolates its UV and alpha between the vertices' (perspective-correct interpolation is
    /// still a weighted mean), so the bounds hold with a margin for rounding; UV ranges that wrap around the texture
    /// or reach its edge are left to the per-pixel test.
    static func passesEverywhere(
        uvs: (SIMD2<Float>, SIMD2<Float>, SIMD2<Float>), alphas: SIMD3<Float>, level: TextureLevel?, cutoff: Float
    ) -> Bool {
        let margin: Float = 1e-3
        let leastVertexAlpha = alphas.min()
        guard leastVertexAlpha >= cutoff + margin else { return false }
        guard let level else { return true }
        let low = pointwiseMin(pointwiseMin(uvs.0, uvs.1), uvs.2)
        let high = pointwiseMax(pointwiseMax(uvs.0, uvs.1), uvs.2)
        let whole = low.rounded(.down)
        // Inside one repeat of the texture, clear of its borders by the margin (where rounding could wrap a lane).
        guard all(low - whole .>= margin), all(whole + 1 - high .>= margin) else { return false }
        let size = SIMD2(level.widthF, level.heightF)
        // Bilinear footprints: texel x − 0.5 rounded down, and the one after it.
        let first = ((low - whole) * size - 0.5 - margin).rounded(.down)
        let last = ((high - whole) * size - 0.5 + margin).rounded(.down) + 1
        guard all(first .>= 0), all(last .< size) else { return false }
        guard
            let leastTexel = level.leastAlpha(
                columns: Int(first.x) ... Int(last.x), rows: Int(first.y) ... Int(last.y))
        else { return false }
        return leastVertexAlpha * (Float(leastTexel) * (1 / 255)) >= cutoff + margin
    }

    /// `covered` without the lanes whose alpha (vertex alpha × base texture) is below the cutoff, for the span at
    /// screen x `px`, row `py`, with 1/depth `z`.
    @inline(__always)
    func passing(
        _ covered: SIMDMask<SIMD8<Int32>>, px: Lanes, py: Float, z: Lanes, scratch: SpanScratch
    ) -> SIMDMask<SIMD8<Int32>> {
        @inline(__always) func at(_ plane: SIMD3<Float>) -> Lanes {
            Lanes(repeating: plane.y * py + plane.z).addingProduct(px, Lanes(repeating: plane.x))
        }
        let perspective = 1 / z
        var value = at(alpha) * perspective
        if isTextured {
            // Lanes outside the triangle sample at 0 (their 1/depth may be anything).
            let u = (at(self.u) * perspective).replacing(with: 0, where: .!covered)
            let v = (at(self.v) * perspective).replacing(with: 0, where: .!covered)
            value *= level.alphaSpan(u: u, v: v, scratch: scratch)
        }
        return covered .& (value .>= cutoff)
    }
}

extension TextureLevel {
    /// Eight bilinear alpha samples with repeat wrapping at finite `u`, `v`: what `TextureView.sample(_:density:).w`
    /// computes per lane at this level. Only the 32 texel loads are per lane.
    @inline(__always)
    func alphaSpan(u: Lanes, v: Lanes, scratch: SpanScratch) -> Lanes {
        let width = Lanes(repeating: widthF)
        let height = Lanes(repeating: heightF)
        let footprint = BilinearFootprint(u: u, v: v, width: width, height: height)
        let (fx, fy) = (footprint.fx, footprint.fy)
        scratch.storeTexelOffsets(
            x0: footprint.x0, x1: footprint.x1, y0: footprint.y0, y1: footprint.y1, width: width, height: height)
        for lane in 0 ..< 8 {
            for k in 0 ..< 4 {
                scratch.setWord(SpanSlot.texels + k, lane, texels[Int(scratch.word(SpanSlot.offsets + k, lane))])
            }
        }
        @inline(__always) func alpha(_ k: Int) -> Lanes {
            // The top byte as a float 0…255 (2²³ + v has v in its low mantissa bits), then 0…1.
            (unsafeBitCast(scratch.loadWords(SpanSlot.texels + k) &>> 24 | 0x4B00_0000, to: Lanes.self) - 8_388_608)
                * (1 / 255)
        }
        let top = alpha(0) + (alpha(1) - alpha(0)) * fx
        let bottom = alpha(2) + (alpha(3) - alpha(2)) * fx
        return top + (bottom - top) * fy
    }
}
