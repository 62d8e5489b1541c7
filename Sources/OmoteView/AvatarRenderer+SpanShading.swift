import OmoteCore
import OmoteRig

/// One material (index 2 × material) or its outline hull (2 × material + 1) as a single formula the span shader
/// evaluates for eight pixels at once:
/// rgb = (shade + (base − shade) × litShare) × (1 + (lambert − 1) × lambertMix), base = vertex colour × tint × base
/// texture, shade = shade colour × shade texture, litShare the MToon two-tone step (1 for other lightings).
struct SpanShading: BitwiseCopyable {
    var baseTexture: Int32
    var shadeTexture: Int32
    var tint: SIMD3<Float>
    var shadeColor: SIMD3<Float>
    var lambertMix: Float
    /// litShare = clamp((N·L + shift − low) × scale), or (N·L + shift ≥ low ? 1 : 0) when `isStep`.
    var shift: Float
    var low: Float
    var scale: Float
    var isStep: Bool

    init(_ material: ShadingMaterial, outline: Bool) {
        baseTexture = outline ? -1 : material.baseTexture
        shadeTexture = -1
        tint = outline ? material.outlineColor : .one
        shadeColor = .one
        lambertMix = 0
        shift = 0
        low = -.infinity
        scale = 0
        isStep = true
        if outline {
            lambertMix = material.outlineLightingMix
            return
        }
        switch material.lighting {
        case .unlit: break
        case .lambert: lambertMix = 1
        case .mtoon:
            shadeTexture = material.shadeTexture
            shadeColor = material.shadeColor
            shift = material.shadingShift
            low = -1 + material.shadingToony
            let high = 1 - material.shadingToony
            isStep = !(high > low)
            scale = isStep ? 0 : 1 / (high - low)
        }
    }
}

/// Eight pixels' worth of one channel.
typealias Lanes = SIMD8<Float>

/// Scratch rows of eight lanes for `shadeSpan`: gathered per lane with scalar stores, then loaded as vectors
/// (gathering straight into vector lanes lets LLVM scalarise the arithmetic).
enum SpanSlot {
    static let wa = 0
    static let wb = 1
    static let wc = 2
    static let nx = 3
    static let ny = 4
    static let nz = 5
    static let red = 6
    static let green = 7
    static let blue = 8
    static let u = 9
    static let v = 10
    static let lambertMix = 11
    static let shift = 12
    static let low = 13
    static let scale = 14
    static let isStep = 15
    static let shadeRed = 16
    static let shadeGreen = 17
    static let shadeBlue = 18
    static let a = 19
    static let b = 20
    static let c = 21
    static let litShare = 22
    static let encodeRed = 23
    static let encodeGreen = 24
    static let encodeBlue = 25
    static let flip = 26
    static let pixels = 27
    // Per sample set (base texture, shade texture): whether the lane samples (1 or 0) and its level's size, and
    // a row of eight texel pointers; then the set's texel offsets and texels, one sample at a time.
    static let enabled = 28
    static let levelWidth = 30
    static let levelHeight = 32
    static let pointers = 34
    static let offsets = 38
    static let texels = 42
    static let count = 46
}

/// A stack scratch of `SpanSlot.count` rows of eight floats (32-byte aligned).
struct SpanScratch {
    let base: UnsafeMutablePointer<Float>

    @inline(__always)
    func set(_ slot: Int, _ lane: Int, _ value: Float) { base[slot &* 8 &+ lane] = value }

    @inline(__always)
    func get(_ slot: Int, _ lane: Int) -> Float { base[slot &* 8 &+ lane] }

    @inline(__always)
    func store(_ slot: Int, _ value: Lanes) {
        UnsafeMutableRawPointer(base + slot &* 8).storeBytes(of: value, as: Lanes.self)
    }

    @inline(__always)
    func load(_ slot: Int) -> Lanes { UnsafeRawPointer(base + slot &* 8).load(as: Lanes.self) }

    @inline(__always)
    func setWord(_ slot: Int, _ lane: Int, _ value: UInt32) {
        UnsafeMutableRawPointer(base + (slot &* 8 &+ lane)).storeBytes(of: value, as: UInt32.self)
    }

    @inline(__always)
    func loadWords(_ slot: Int) -> SIMD8<UInt32> { UnsafeRawPointer(base + slot &* 8).load(as: SIMD8<UInt32>.self) }

    /// Lane `lane`'s texel pointer of sample set `set` (two rows of eight floats hold eight pointers).
    @inline(__always)
    func setPointer(_ set: Int, _ lane: Int, _ pointer: UnsafePointer<UInt32>) {
        UnsafeMutableRawPointer(base + (SpanSlot.pointers + 2 &* set) &* 8).storeBytes(
            of: pointer, toByteOffset: lane &* 8, as: UnsafePointer<UInt32>.self)
    }

    @inline(__always)
    func pointer(_ set: Int, _ lane: Int) -> UnsafePointer<UInt32> {
        UnsafeRawPointer(base + (SpanSlot.pointers + 2 &* set) &* 8).load(
            fromByteOffset: lane &* 8, as: UnsafePointer<UInt32>.self)
    }
}

extension FrameContext {
    /// Shades the eight G-buffer pixels `ids` (0: empty, left as `background`) with the weights `weightB`,
    /// `weightC`: what `shade(triangle:flags:b:c:)` computes per pixel, for all lanes at once, so one pixel's
    /// long chain of loads, divisions and square roots overlaps the others'. Empty lanes are computed on
    /// triangle 0 (cheaper than branching) but sample nothing and are discarded.
    @inline(__always)
    func shadeSpan(
        ids: SIMD8<UInt32>, weightB: Lanes, weightC: Lanes, background: UInt32, spanShading: MemoryView<SpanShading>,
        scratch: SpanScratch
    ) -> SIMD8<UInt32> {
        @inline(__always) func triangle(_ lane: Int) -> Int { max(0, Int(ids[lane] & TriangleID.indexMask) - 1) }
        // Gather the vertex 1/depths (of the hull for outline lanes) and each lane's material parameters.
        for lane in 0 ..< 8 {
            let id = ids[lane]
            let t = triangle(lane)
            let isOutline = id & TriangleID.outline != 0
            let w = isOutline ? outlineInverseDepth : inverseDepth
            scratch.set(SpanSlot.wa, lane, w[Int(indices[3 * t])])
            scratch.set(SpanSlot.wb, lane, w[Int(indices[3 * t + 1])])
            scratch.set(SpanSlot.wc, lane, w[Int(indices[3 * t + 2])])
            let s = spanShading[2 * Int(triangleMaterials[t]) + (isOutline ? 1 : 0)]
            scratch.set(SpanSlot.lambertMix, lane, s.lambertMix)
            scratch.set(SpanSlot.shift, lane, s.shift)
            scratch.set(SpanSlot.low, lane, s.low)
            scratch.set(SpanSlot.scale, lane, s.scale)
            scratch.set(SpanSlot.isStep, lane, s.isStep ? 1 : 0)
            let isBackFacing = id & TriangleID.backFacing != 0
            scratch.set(SpanSlot.flip, lane, isBackFacing && !isOutline ? -1 : 1)
        }
        // Perspective-correct weights: screen-linear weights × 1/depth, renormalised.
        let pa = (1 - weightB - weightC) * scratch.load(SpanSlot.wa)
        let pb = weightB * scratch.load(SpanSlot.wb)
        let pc = weightC * scratch.load(SpanSlot.wc)
        let scale = 1 / (pa + pb + pc)
        scratch.store(SpanSlot.a, pa * scale)
        scratch.store(SpanSlot.b, pb * scale)
        scratch.store(SpanSlot.c, pc * scale)

        // Interpolate per lane (attributes are per vertex, array-of-structures).
        for lane in 0 ..< 8 {
            let t = triangle(lane)
            let ia = Int(indices[3 * t])
            let ib = Int(indices[3 * t + 1])
            let ic = Int(indices[3 * t + 2])
            let a = scratch.get(SpanSlot.a, lane)
            let b = scratch.get(SpanSlot.b, lane)
            let c = scratch.get(SpanSlot.c, lane)
            let n = normals[ia] * a + normals[ib] * b + normals[ic] * c
            scratch.set(SpanSlot.nx, lane, n.x)
            scratch.set(SpanSlot.ny, lane, n.y)
            scratch.set(SpanSlot.nz, lane, n.z)
            let color = colors[ia] * a + colors[ib] * b + colors[ic] * c
            scratch.set(SpanSlot.red, lane, color.x)
            scratch.set(SpanSlot.green, lane, color.y)
            scratch.set(SpanSlot.blue, lane, color.z)
            let uv = uvs[ia] * a + uvs[ib] * b + uvs[ic] * c
            scratch.set(SpanSlot.u, lane, uv.x)
            scratch.set(SpanSlot.v, lane, uv.y)
        }

        // Lighting: N·L of the normalised normal, facing the viewer on the back of a double-sided surface (not on
        // the outline hull, which keeps its outward normals).
        let nx = scratch.load(SpanSlot.nx)
        let ny = scratch.load(SpanSlot.ny)
        let nz = scratch.load(SpanSlot.nz)
        let lengthSquared = nx * nx + ny * ny + nz * nz
        let dot = nx * light.x + ny * light.y + nz * light.z
        // (Comparisons here are on floats: integer lane masks compile to a store and reload per lane.)
        let lightAmount =
            (dot / lengthSquared.squareRoot()).replacing(with: light.z, where: lengthSquared .<= 0)
            * scratch.load(SpanSlot.flip)
        let lambert = ambient + (1 - ambient) * lightAmount.replacing(with: 0, where: lightAmount .< 0)
        let shading = lightAmount + scratch.load(SpanSlot.shift)
        let low = scratch.load(SpanSlot.low)
        var soft = (shading - low) * scratch.load(SpanSlot.scale)
        soft.replace(with: 0, where: soft .< 0)
        soft.replace(with: 1, where: soft .> 1)
        let step = Lanes(repeating: 0).replacing(with: 1, where: shading .>= low)
        let litShare = soft.replacing(with: step, where: scratch.load(SpanSlot.isStep) .> 0)
        scratch.store(SpanSlot.litShare, litShare)

        // The textures each covered lane calls for (most pixels are fully lit or fully shaded: one sample): each
        // lane's level, then all lanes' bilinear samples at once.
        var anyBase = false
        var anyShade = false
        for lane in 0 ..< 8 {
            let id = ids[lane]
            var needsBase = false
            var needsShade = false
            var tint = SIMD3<Float>(repeating: 1)
            var shade = SIMD3<Float>(repeating: 1)
            if id != 0 {
                let t = Int(id & TriangleID.indexMask) - 1
                let s = spanShading[2 * Int(triangleMaterials[t]) + (id & TriangleID.outline != 0 ? 1 : 0)]
                tint = s.tint
                shade = s.shadeColor
                let lit = scratch.get(SpanSlot.litShare, lane)
                needsBase = s.baseTexture >= 0 && lit > 0
                needsShade = s.shadeTexture >= 0 && lit < 1
                let density = textureDensity[t]
                if needsBase { scratch.setLevel(0, lane, textures[Int(s.baseTexture)], density: density) }
                if needsShade { scratch.setLevel(1, lane, textures[Int(s.shadeTexture)], density: density) }
            }
            if !needsBase { scratch.setNoLevel(0, lane, fallbackTexel) }
            if !needsShade { scratch.setNoLevel(1, lane, fallbackTexel) }
            anyBase = anyBase || needsBase
            anyShade = anyShade || needsShade
            scratch.set(SpanSlot.red, lane, scratch.get(SpanSlot.red, lane) * tint.x)
            scratch.set(SpanSlot.green, lane, scratch.get(SpanSlot.green, lane) * tint.y)
            scratch.set(SpanSlot.blue, lane, scratch.get(SpanSlot.blue, lane) * tint.z)
            scratch.set(SpanSlot.shadeRed, lane, shade.x)
            scratch.set(SpanSlot.shadeGreen, lane, shade.y)
            scratch.set(SpanSlot.shadeBlue, lane, shade.z)
        }
        @inline(__always) func modulate(_ set: Int, red: Int, green: Int, blue: Int) {
            let sample = sampleSpan(set: set, scratch: scratch)
            let enabled = scratch.load(SpanSlot.enabled + set) .> 0
            scratch.store(red, scratch.load(red) * Lanes(repeating: 1).replacing(with: sample.red, where: enabled))
            scratch.store(
                green, scratch.load(green) * Lanes(repeating: 1).replacing(with: sample.green, where: enabled))
            scratch.store(blue, scratch.load(blue) * Lanes(repeating: 1).replacing(with: sample.blue, where: enabled))
        }
        if anyBase { modulate(0, red: SpanSlot.red, green: SpanSlot.green, blue: SpanSlot.blue) }
        if anyShade { modulate(1, red: SpanSlot.shadeRed, green: SpanSlot.shadeGreen, blue: SpanSlot.shadeBlue) }
        let factor = 1 + (lambert - 1) * scratch.load(SpanSlot.lambertMix)
        @inline(__always) func channel(_ baseSlot: Int, _ shadeSlot: Int) -> Lanes {
            let shade = scratch.load(shadeSlot)
            return (shade + (scratch.load(baseSlot) - shade) * litShare) * factor
        }
        return color.opaquePixels(
            red: channel(SpanSlot.red, SpanSlot.shadeRed), green: channel(SpanSlot.green, SpanSlot.shadeGreen),
            blue: channel(SpanSlot.blue, SpanSlot.shadeBlue), ids: ids, background: background, scratch: scratch)
    }
}

extension ColorTableViews {
    /// Eight linear RGB colours as opaque 0xFFRRGGBB pixels; lanes whose `ids` are 0 get `background`.
    @inline(__always)
    func opaquePixels(
        red: Lanes, green: Lanes, blue: Lanes, ids: SIMD8<UInt32>, background: UInt32, scratch: SpanScratch
    ) -> SIMD8<UInt32> {
        let steps = Lanes(repeating: Float(ColorTables.encodeSteps - 1))
        // 2²³ + v for v in [0, 2²³) has v, rounded to nearest, in its low mantissa bits.
        let magic = Lanes(repeating: 8_388_608)
        @inline(__always)
        func index(_ c: Lanes, _ slot: Int) {
            var clamped = c.replacing(with: 0, where: c .< 0)
            clamped.replace(with: 1, where: clamped .> 1)
            scratch.store(slot, magic.addingProduct(clamped, steps))
        }
        index(red, SpanSlot.encodeRed)
        index(green, SpanSlot.encodeGreen)
        index(blue, SpanSlot.encodeBlue)
        @inline(__always) func byte(_ slot: Int, _ lane: Int) -> UInt32 {
            // The minimum also catches NaN, which the float clamps let through.
            UInt32(encode[min(ColorTables.encodeSteps - 1, Int(scratch.get(slot, lane).bitPattern & 0x7F_FFFF))])
        }
        for lane in 0 ..< 8 {
            let pixel =
                0xFF00_0000 | byte(SpanSlot.encodeRed, lane) << 16 | byte(SpanSlot.encodeGreen, lane) << 8
                | byte(SpanSlot.encodeBlue, lane)
            scratch.setWord(SpanSlot.pixels, lane, ids[lane] == 0 ? background : pixel)
        }
        return scratch.loadWords(SpanSlot.pixels)
    }
}

extension AvatarRenderer {
    /// Shades each covered G-buffer pixel once into the picture, eight at a time; the rest gets the background.
    func shadeGBuffer(_ frame: FrameContext) {
        let backgroundPixel = premultipliedBackground
        let backgroundSpan = SIMD8<UInt32>(repeating: backgroundPixel)
        let spanShading = scene.spanShading.view
        withUnsafeTemporaryAllocation(of: Lanes.self, capacity: SpanSlot.count) { buffer in
            buffer.initialize(repeating: Lanes())
            let scratch = SpanScratch(
                base: UnsafeMutableRawPointer(buffer.baseAddress!).assumingMemoryBound(to: Float.self))
            for row in 0 ..< frame.height {
                let gRow = row * frame.gStride
                let pRow = row * frame.width
                var x = 0
                while x < frame.width {
                    let ids = frame.triangles.load(SIMD8<UInt32>.self, at: gRow + x)
                    let span =
                        ids == .zero
                        ? backgroundSpan
                        : frame.shadeSpan(
                            ids: ids, weightB: frame.weightsB.load(at: gRow + x),
                            weightC: frame.weightsC.load(at: gRow + x), background: backgroundPixel,
                            spanShading: spanShading, scratch: scratch)
                    if x + 8 <= frame.width {
                        frame.pixels.store(span, at: pRow + x)
                    } else {
                        for lane in 0 ..< frame.width - x { frame.pixels[pRow + x + lane] = span[lane] }
                    }
                    x += 8
                }
            }
        }
    }
}
