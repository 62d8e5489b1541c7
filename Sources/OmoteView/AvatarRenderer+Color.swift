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
}
