import OmoteCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// sRGB ↔ linear conversions by table: 256 entries to decode a byte, 4096 to encode (fine enough that dark
/// gradients keep every output step).
final class ColorTables {
    static let encodeSteps = 4096

    let decode: AlignedBuffer<Float>
    let encode: AlignedBuffer<UInt8>

    init() {
        decode = AlignedBuffer(count: 256, repeating: 0)
        for i in 0 ..< 256 { decode[i] = Self.linear(fromSRGB: Float(i) / 255) }
        encode = AlignedBuffer(count: Self.encodeSteps, repeating: 0)
        for i in 0 ..< Self.encodeSteps {
            let srgb = Self.srgb(fromLinear: Float(i) / Float(Self.encodeSteps - 1))
            encode[i] = UInt8(min(255, max(0, (srgb * 255).rounded())))
        }
    }

    static func linear(fromSRGB c: Float) -> Float {
        c <= 0.04045 ? c / 12.92 : powf((c + 0.055) / 1.055, 2.4)
    }

    static func srgb(fromLinear c: Float) -> Float {
        c <= 0.0031308 ? c * 12.92 : 1.055 * powf(c, 1 / 2.4) - 0.055
    }

    var views: ColorTableViews { ColorTableViews(decode: decode.view, encode: encode.view) }
}

/// The tables as the hot loops take them.
struct ColorTableViews {
    let decode: MemoryView<Float>
    let encode: MemoryView<UInt8>

    /// A linear channel (clamped to 0…1) as an sRGB byte.
    @inline(__always)
    func encode(_ linear: Float) -> UInt32 {
        let clamped = linear > 0 ? (linear < 1 ? linear : 1) : 0
        return UInt32(encode[Int(clamped * Float(ColorTables.encodeSteps - 1) + 0.5)])
    }

    /// Linear RGB (alpha 1) as an opaque 0xFFRRGGBB pixel.
    @inline(__always)
    func opaquePixel(_ color: SIMD3<Float>) -> UInt32 {
        0xFF00_0000 | encode(color.x) << 16 | encode(color.y) << 8 | encode(color.z)
    }

    /// Linear straight RGBA as a premultiplied sRGB 0xAARRGGBB pixel.
    @inline(__always)
    func premultipliedPixel(_ color: SIMD4<Float>) -> UInt32 {
        let alpha = color.w > 0 ? (color.w < 1 ? color.w : 1) : 0
        let a = UInt32((alpha * 255).rounded())
        func channel(_ c: Float) -> UInt32 { (encode(c) * a + 127) / 255 }
        return a << 24 | channel(color.x) << 16 | channel(color.y) << 8 | channel(color.z)
    }

    /// A premultiplied sRGB 0xAARRGGBB pixel as linear straight RGBA.
    @inline(__always)
    func straightColor(premultiplied pixel: UInt32) -> SIMD4<Float> {
        let a = pixel >> 24
        guard a > 0 else { return .zero }
        func channel(_ shift: UInt32) -> Float { decode[Int(min(255, ((pixel >> shift & 0xFF) * 255 + a / 2) / a))] }
        return SIMD4(channel(16), channel(8), channel(0), Float(a) / 255)
    }

    /// An sRGB RGBA8 texel (R in the low byte) as linear RGBA.
    @inline(__always)
    func texel(_ t: UInt32) -> SIMD4<Float> {
        SIMD4(
            decode[Int(t & 0xFF)], decode[Int(t >> 8 & 0xFF)], decode[Int(t >> 16 & 0xFF)], Float(t >> 24) * (1 / 255))
    }

    /// Bilinear sample with repeat wrapping, filtered in linear space. `uv` must be finite.
    @inline(__always)
    func sample(_ texture: TextureView, _ uv: SIMD2<Float>) -> SIMD4<Float> {
        let u = uv.x - uv.x.rounded(.down)
        let v = uv.y - uv.y.rounded(.down)
        let x = u * Float(texture.width) - 0.5
        let y = v * Float(texture.height) - 0.5
        let xFloor = x.rounded(.down)
        let yFloor = y.rounded(.down)
        let fx = x - xFloor
        let fy = y - yFloor
        var x0 = Int(xFloor)
        var y0 = Int(yFloor)
        var x1 = x0 + 1
        var y1 = y0 + 1
        if x0 < 0 { x0 = texture.width - 1 }
        if y0 < 0 { y0 = texture.height - 1 }
        if x1 >= texture.width { x1 = 0 }
        if y1 >= texture.height { y1 = 0 }
        let row0 = texture.texels + y0 * texture.width
        let row1 = texture.texels + y1 * texture.width
        let top = texel(row0[x0]) * (1 - fx) + texel(row0[x1]) * fx
        let bottom = texel(row1[x0]) * (1 - fx) + texel(row1[x1]) * fx
        return top * (1 - fy) + bottom * fy
    }

    /// Nearest-texel sample with repeat wrapping (tests compare against it).
    func sampleNearest(_ texture: TextureView, _ uv: SIMD2<Float>) -> SIMD4<Float> {
        let u = uv.x - uv.x.rounded(.down)
        let v = uv.y - uv.y.rounded(.down)
        let x = min(texture.width - 1, Int(u * Float(texture.width)))
        let y = min(texture.height - 1, Int(v * Float(texture.height)))
        return texel(texture.texels[y * texture.width + x])
    }
}
