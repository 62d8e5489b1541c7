import OmoteCore
import OmoteRig

/// A span's per-lane material parameters (see `SpanShading`): 1 or 0 for whether the material has a base and a
/// shade texture.
struct SpanMaterialLanes {
    var lambertMix = Lanes()
    var shift = Lanes()
    var low = Lanes()
    var scale = Lanes()
    var isStep = Lanes()
    var tintRed = Lanes()
    var tintGreen = Lanes()
    var tintBlue = Lanes()
    var shadeRed = Lanes()
    var shadeGreen = Lanes()
    var shadeBlue = Lanes()
    var hasBase = Lanes()
    var hasShade = Lanes()

    /// Gives the lanes in `mask` the parameters of `s`.
    @inline(__always)
    mutating func take(_ s: SpanShading, where mask: SIMDMask<SIMD8<Int32>>) {
        lambertMix.replace(with: s.lambertMix, where: mask)
        shift.replace(with: s.shift, where: mask)
        low.replace(with: s.low, where: mask)
        scale.replace(with: s.scale, where: mask)
        isStep.replace(with: s.isStep ? 1 : 0, where: mask)
        tintRed.replace(with: s.tint.x, where: mask)
        tintGreen.replace(with: s.tint.y, where: mask)
        tintBlue.replace(with: s.tint.z, where: mask)
        shadeRed.replace(with: s.shadeColor.x, where: mask)
        shadeGreen.replace(with: s.shadeColor.y, where: mask)
        shadeBlue.replace(with: s.shadeColor.z, where: mask)
        hasBase.replace(with: s.baseTexture >= 0 ? 1 : 0, where: mask)
        hasShade.replace(with: s.shadeTexture >= 0 ? 1 : 0, where: mask)
    }
}

/// A span's per-lane texture level of one sample set: its size (1×1 for lanes without the texture), the texel
/// pointers in the scratch.
struct SpanLevelLanes {
    var width = Lanes(repeating: 1)
    var height = Lanes(repeating: 1)
    /// The texels of the level the last run chose (nil before the first run).
    var current: UnsafePointer<UInt32>?

    /// Gives lanes `from` … 7 (`mask`) level `level` of `texture` (or the 1×1 `fallback` for no texture), unless
    /// they already have it.
    @inline(__always)
    mutating func take(
        _ texture: Int32, level levelIndex: Int, textures: MemoryView<TextureView>, fallback: UnsafePointer<UInt32>,
        set: Int, from: Int, where mask: SIMDMask<SIMD8<Int32>>, scratch: SpanScratch
    ) {
        var texels = fallback
        var levelWidth: Float = 1
        var levelHeight: Float = 1
        if texture >= 0 {
            let level = textures[Int(texture)].levels[levelIndex]
            texels = level.texels
            levelWidth = level.widthF
            levelHeight = level.heightF
        }
        guard texels != current else { return }
        current = texels
        width.replace(with: levelWidth, where: mask)
        height.replace(with: levelHeight, where: mask)
        for lane in from ..< 8 { scratch.setPointer(set, lane, texels) }
    }
}
