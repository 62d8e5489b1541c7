import OmoteCore
import OmoteRig

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One mip level: RGBA8 texels (R in the low byte), top row first, colour stored as √linear ("gamma 2": one
/// multiply to decode, about sRGB's precision in the darks), alpha linear and straight.
struct TextureLevel: BitwiseCopyable {
    var texels: UnsafePointer<UInt32>
    var width: Int
    var height: Int
    /// The same as floats (an int-to-float conversion per sample is not free).
    var widthF: Float
    var heightF: Float
    /// Each `alphaBlockSide`² block's least alpha byte, block rows top first (see `alphaMinima(of:width:height:)`),
    /// or nil when not summarised.
    var alphaMinima: UnsafePointer<UInt8>?

    init(texels: UnsafePointer<UInt32>, width: Int, height: Int, alphaMinima: UnsafePointer<UInt8>? = nil) {
        self.texels = texels
        self.width = width
        self.height = height
        widthF = Float(width)
        heightF = Float(height)
        self.alphaMinima = alphaMinima
    }
}

extension TextureLevel {
    /// Side, in texels, of the blocks whose least alpha `alphaMinima` holds.
    static let alphaBlockSide = 8

    /// Blocks per row and per column of a `width` × `height` level.
    static func alphaBlocks(width: Int, height: Int) -> (columns: Int, rows: Int) {
        ((width + alphaBlockSide - 1) / alphaBlockSide, (height + alphaBlockSide - 1) / alphaBlockSide)
    }

    /// The least alpha byte of each block of `texels` (a `width` × `height` level in the samplers' encoding).
    static func alphaMinima(of texels: [UInt32], width: Int, height: Int) -> [UInt8] {
        let blocks = alphaBlocks(width: width, height: height)
        var minima = [UInt8](repeating: 255, count: blocks.columns * blocks.rows)
        for y in 0 ..< height {
            for x in 0 ..< width {
                let block = y / alphaBlockSide * blocks.columns + x / alphaBlockSide
                minima[block] = min(minima[block], UInt8(texels[y * width + x] >> 24))
            }
        }
        return minima
    }

    /// The least alpha byte among the texels of columns `columns` and rows `rows` (inside the level), from the
    /// block minima; nil without them or when the range covers more than 64 blocks (cheaper to test per pixel).
    @inline(__always)
    func leastAlpha(columns: ClosedRange<Int>, rows: ClosedRange<Int>) -> UInt8? {
        guard let alphaMinima else { return nil }
        let perRow = (width + Self.alphaBlockSide - 1) / Self.alphaBlockSide
        let firstColumn = columns.lowerBound / Self.alphaBlockSide
        let lastColumn = columns.upperBound / Self.alphaBlockSide
        let firstRow = rows.lowerBound / Self.alphaBlockSide
        let lastRow = rows.upperBound / Self.alphaBlockSide
        guard (lastColumn - firstColumn + 1) * (lastRow - firstRow + 1) <= 64 else { return nil }
        var least: UInt8 = 255
        for row in firstRow ... lastRow {
            for column in firstColumn ... lastColumn {
                let block = alphaMinima[row * perRow + column]
                least = block < least ? block : least
            }
        }
        return least
    }
}

/// A texture as the samplers read it: its mip chain, level 0 first, each level half the size of the one before.
struct TextureView: BitwiseCopyable {
    var levels: UnsafePointer<TextureLevel>
    var levelCount: Int
    /// Level 0's width × height, which turns a triangle's UV-area-per-pixel into texels per pixel.
    var texelCount: Float
}

/// Mip chains built once from a model's sRGB textures (model data, not private).
enum TextureMipmaps {
    /// `texture`'s levels in the samplers' encoding, down to 1×1: each texel of a level averages the 2×2 texels
    /// under it in linear light (an odd last row or column is averaged with itself).
    static func levels(of texture: RigTexture) -> [(width: Int, height: Int, texels: [UInt32])] {
        var width = max(1, texture.width)
        var height = max(1, texture.height)
        var linear = [SIMD4<Float>](repeating: .zero, count: width * height)
        for i in 0 ..< min(linear.count, texture.texels.count) { linear[i] = linearColor(srgbTexel: texture.texels[i]) }
        var levels = [(width: width, height: height, texels: linear.map(encoded))]
        while width > 1 || height > 1 {
            let nextWidth = max(1, width / 2)
            let nextHeight = max(1, height / 2)
            var next = [SIMD4<Float>](repeating: .zero, count: nextWidth * nextHeight)
            for y in 0 ..< nextHeight {
                let y0 = min(height - 1, 2 * y)
                let y1 = min(height - 1, 2 * y + 1)
                for x in 0 ..< nextWidth {
                    let x0 = min(width - 1, 2 * x)
                    let x1 = min(width - 1, 2 * x + 1)
                    next[y * nextWidth + x] =
                        (linear[y0 * width + x0] + linear[y0 * width + x1] + linear[y1 * width + x0]
                            + linear[y1 * width + x1]) * 0.25
                }
            }
            linear = next
            width = nextWidth
            height = nextHeight
            levels.append((width: width, height: height, texels: linear.map(encoded)))
        }
        return levels
    }

    /// An sRGB RGBA8 texel as linear RGBA.
    static func linearColor(srgbTexel t: UInt32) -> SIMD4<Float> {
        SIMD4(
            ColorTables.linear(fromSRGB: Float(t & 0xFF) / 255),
            ColorTables.linear(fromSRGB: Float(t >> 8 & 0xFF) / 255),
            ColorTables.linear(fromSRGB: Float(t >> 16 & 0xFF) / 255), Float(t >> 24) / 255)
    }

    /// Linear RGBA (0…1) in the samplers' encoding.
    static func encoded(_ c: SIMD4<Float>) -> UInt32 {
        func byte(_ v: Float) -> UInt32 { UInt32(min(255, max(0, (v * 255).rounded()))) }
        return byte(c.x.squareRoot()) | byte(c.y.squareRoot()) << 8 | byte(c.z.squareRoot()) << 16 | byte(c.w) << 24
    }
}

extension TextureLevel {
    /// A stored texel as linear RGBA.
    @inline(__always)
    func decoded(_ t: UInt32) -> SIMD4<Float> {
        // (A literal, not a global: a global's lazy initialisation check would run per texel.)
        let c = SIMD4<Float>(unsafeBitCast(t, to: SIMD4<UInt8>.self)) * SIMD4(repeating: 1 / 255)
        var square = c
        square.w = 1
        return c * square
    }
}

extension TextureView {
    /// The level for a triangle covering `density` UV-area units per pixel-area unit: log₂ of texels per pixel
    /// along each axis, rounded to the nearest level, as OpenGL and Vulkan choose for nearest-mipmap filtering
    /// (0.71…1.41 texels per pixel at the level chosen). The exponent e of texels per pixel² gives it exactly:
    /// (e + 1) / 2 rounded down. (Rounding down instead, up to 2 texels per pixel, read up to four times the texels
    /// and cost a fifth of the render time in cache misses on 1024² textures.)
    @inline(__always)
    func level(density: Float) -> Int {
        let texelsPerPixelSquared = density * texelCount
        let exponent = Int(truncatingIfNeeded: texelsPerPixelSquared.bitPattern >> 23) - 127
        return min(levelCount - 1, max(0, (exponent + 1) >> 1))
    }

    /// Bilinear sample with repeat wrapping, filtered in linear light, from the level for `density` (see
    /// `level(density:)`). `uv` must be finite.
    @inline(__always)
    func sample(_ uv: SIMD2<Float>, density: Float) -> SIMD4<Float> {
        let mip = levels[level(density: density)]
        let u = uv.x - uv.x.rounded(.down)
        let v = uv.y - uv.y.rounded(.down)
        let x = u * mip.widthF - 0.5
        let y = v * mip.heightF - 0.5
        let xFloor = x.rounded(.down)
        let yFloor = y.rounded(.down)
        let fx = x - xFloor
        let fy = y - yFloor
        var x0 = Int(xFloor)
        var y0 = Int(yFloor)
        var x1 = x0 + 1
        var y1 = y0 + 1
        if x0 < 0 { x0 = mip.width - 1 }
        if y0 < 0 { y0 = mip.height - 1 }
        if x1 >= mip.width { x1 = 0 }
        if y1 >= mip.height { y1 = 0 }
        let row0 = mip.texels + y0 * mip.width
        let row1 = mip.texels + y1 * mip.width
        let top = mip.decoded(row0[x0]) * (1 - fx) + mip.decoded(row0[x1]) * fx
        let bottom = mip.decoded(row1[x0]) * (1 - fx) + mip.decoded(row1[x1]) * fx
        return top * (1 - fy) + bottom * fy
    }
}
