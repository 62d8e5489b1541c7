import OmoteCore
import OmoteRig

extension FrameContext {
    /// The straight linear RGBA of triangle `triangle` at screen-linear weights `b`, `c` of its second and third
    /// vertices (`flags` from its G-buffer id): perspective-correct attributes, per-pixel normal, vertex colour ×
    /// base texture, then unlit / Lambert / MToon two-tone lighting, or the outline colour for an outline hull.
    @inline(__always)
    func shade(
        triangle t: Int, flags: UInt32, b screenB: Float, c screenC: Float, isBlendedPass: Bool = false
    ) -> SIMD4<Float> {
        let isOutline = flags & TriangleID.outline != 0
        let w = isOutline ? outlineInverseDepth : inverseDepth
        let ia = Int(indices[3 * t])
        let ib = Int(indices[3 * t + 1])
        let ic = Int(indices[3 * t + 2])
        // Screen-linear weights × 1/depth, renormalised: the perspective-correct weights.
        let pa = (1 - screenB - screenC) * w[ia]
        let pb = screenB * w[ib]
        let pc = screenC * w[ic]
        let scale = 1 / (pa + pb + pc)
        let a = pa * scale
        let b = pb * scale
        let c = pc * scale
        let material = materials[Int(triangleMaterials[t])]
        var n = normals[ia] * a + normals[ib] * b + normals[ic] * c
        let lengthSquared = (n * n).sum()
        n = lengthSquared > 0 ? n * (1 / lengthSquared.squareRoot()) : SIMD3(0, 0, 1)
        // A double-sided surface seen from behind is lit as its back; the outline hull keeps its outward normals.
        if flags & TriangleID.backFacing != 0, !isOutline { n = -n }
        let lightAmount = (n * light).sum()
        let lambert = ambient + (1 - ambient) * max(0, lightAmount)
        if isOutline {
            let tint = 1 + (lambert - 1) * material.outlineLightingMix
            return SIMD4(material.outlineColor * tint, 1)
        }
        var base = colors[ia] * a + colors[ib] * b + colors[ic] * c
        let uv = uvs[ia] * a + uvs[ib] * b + uvs[ic] * c
        let density = textureDensity[t]
        switch material.lighting {
        case .unlit:
            if material.baseTexture >= 0 { base *= textures[Int(material.baseTexture)].sample(uv, density: density) }
            return base
        case .lambert:
            if material.baseTexture >= 0 { base *= textures[Int(material.baseTexture)].sample(uv, density: density) }
            return SIMD4(SIMD3(base.x, base.y, base.z) * lambert, base.w)
        case .mtoon:
            // VRM 1.0 MToon: shading = N·L + shift; t = linearstep(−1 + toony, 1 − toony, shading);
            // colour = mix(shade colour × shade texture, lit colour, t) × light colour (white here).
            let shading = lightAmount + material.shadingShift
            let low = -1 + material.shadingToony
            let high = 1 - material.shadingToony
            let litShare: Float =
                high > low ? min(1, max(0, (shading - low) / (high - low))) : (shading >= low ? 1 : 0)
            // Sample only the textures that contribute (most pixels are fully lit or fully shaded); alpha comes
            // from the base texture, which only blended surfaces use.
            if material.baseTexture >= 0, litShare > 0 || isBlendedPass {
                base *= textures[Int(material.baseTexture)].sample(uv, density: density)
            }
            var shade = material.shadeColor
            if material.shadeTexture >= 0, litShare < 1 {
                let s = textures[Int(material.shadeTexture)].sample(uv, density: density)
                shade *= SIMD3(s.x, s.y, s.z)
            }
            let rgb = SIMD3(base.x, base.y, base.z)
            return SIMD4(shade + (rgb - shade) * litShare, base.w)
        }
    }
}

extension AvatarRenderer {
    /// The background as a premultiplied 0xAARRGGBB pixel.
    var premultipliedBackground: UInt32 {
        let a = background >> 24
        func channel(_ shift: UInt32) -> UInt32 { ((background >> shift & 0xFF) * a + 127) / 255 }
        return a << 24 | channel(16) << 16 | channel(8) << 8 | channel(0)
    }
}
