import CVectorShuffles
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

/// Scratch rows of eight lanes for `shadeSpan`: per-lane texel pointers and loads, and the encoded pixels (gathering
/// straight into vector lanes lets LLVM scalarise the arithmetic).
enum SpanSlot {
    static let u = 0
    static let v = 1
    static let encodeRed = 2
    static let encodeGreen = 3
    static let encodeBlue = 4
    static let pixels = 5
    // Per sample set (base texture, shade texture): whether the lane samples (1 or 0) and its level's size, and
    // a row of eight texel pointers; then the set's texel offsets and texels, one sample at a time.
    static let enabled = 6
    static let levelWidth = 8
    static let levelHeight = 10
    static let pointers = 12
    static let offsets = 16
    static let texels = 20
    /// Eight rows of eight attributes (one lane's record planes each), transposed into one row per attribute.
    static let attributes = 24
    /// Each lane's `ShadingKey`.
    static let keys = 32
    static let count = 33
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
    func word(_ slot: Int, _ lane: Int) -> UInt32 {
        UnsafeRawPointer(base + (slot &* 8 &+ lane)).load(as: UInt32.self)
    }

    @inline(__always)
    func loadWords(_ slot: Int) -> SIMD8<UInt32> { UnsafeRawPointer(base + slot &* 8).load(as: SIMD8<UInt32>.self) }

    @inline(__always)
    func storeWords(_ slot: Int, _ value: SIMD8<UInt32>) {
        UnsafeMutableRawPointer(base + slot &* 8).storeBytes(of: value, as: SIMD8<UInt32>.self)
    }

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
    /// Shades the eight G-buffer pixels at `index` (column `x`, screen row `py`; empty ones are left as
    /// `background`): what `shade(triangle:flags:b:c:)` computes per pixel, for all lanes at once. Each lane
    /// evaluates the attribute planes of its own record (the zero record when empty) as one row of eight, and a
    /// transpose turns the rows into one vector per attribute. A triangle meets a row in one interval and
    /// neighbouring triangles mostly share a material and texture levels, so lanes come in runs of one `ShadingKey`:
    /// each run sets its lanes' material and texture levels where they differ from the run before. Lighting,
    /// texturing and encoding are then vector arithmetic over all eight lanes.
    @inline(__always)
    func shadeSpan(
        index: Int, x: Int, py: Float, background: UInt32,
        spanShading: MemoryView<SpanShading>, scratch: SpanScratch
    ) -> SIMD8<UInt32> {
        let laneIndex = Lanes(0, 1, 2, 3, 4, 5, 6, 7)
        let column = Float(x) - originX
        let rowPosition = Lanes(repeating: py)
        let recordBase = UnsafeRawPointer(records.baseAddress)
        for lane in 0 ..< 8 {
            let record = recordBase + Int(triangles[index &+ lane]) &* MemoryLayout<TriangleRecord>.stride
            let slopeX = record.load(fromByteOffset: MemoryLayout<TriangleRecord>.offset(of: \.slopeX)!, as: Lanes.self)
            let slopeY = record.load(fromByteOffset: MemoryLayout<TriangleRecord>.offset(of: \.slopeY)!, as: Lanes.self)
            let value = record.load(fromByteOffset: MemoryLayout<TriangleRecord>.offset(of: \.value)!, as: Lanes.self)
            let planes = value.addingProduct(slopeY, rowPosition).addingProduct(
                slopeX, Lanes(repeating: column + Float(lane)))
            scratch.store(SpanSlot.attributes &+ lane, planes)
            scratch.setWord(
                SpanSlot.keys, lane,
                record.load(fromByteOffset: MemoryLayout<TriangleRecord>.offset(of: \.key)!, as: UInt32.self))
        }
        omote_transpose_8x8_f32(scratch.base + SpanSlot.attributes &* 8)
        @inline(__always) func attribute(_ k: Int) -> Lanes { scratch.load(SpanSlot.attributes &+ k) }
        let nx = attribute(TriangleRecord.Attribute.normalX)
        let ny = attribute(TriangleRecord.Attribute.normalY)
        let nz = attribute(TriangleRecord.Attribute.normalZ)
        var red = attribute(TriangleRecord.Attribute.red)
        var green = attribute(TriangleRecord.Attribute.green)
        var blue = attribute(TriangleRecord.Attribute.blue)
        var u = attribute(TriangleRecord.Attribute.u)
        var v = attribute(TriangleRecord.Attribute.v)

        var material = SpanMaterialLanes()
        var base = SpanLevelLanes()
        var shade = SpanLevelLanes()
        var shadingIndex = -1
        var lane = 0
        while lane < 8 {
            guard triangles[index &+ lane] != 0 else {
                lane &+= 1
                continue
            }
            let key = ShadingKey(rawValue: scratch.word(SpanSlot.keys, lane))
            var end = lane &+ 1
            // An empty lane joins the run around it: it is drawn as background whatever it holds.
            while end < 8, scratch.word(SpanSlot.keys, end) == key.rawValue || triangles[index &+ end] == 0 {
                end &+= 1
            }
            defer { lane = end }
            // The first run takes every lane, so no lane keeps the previous span's parameters.
            let from = shadingIndex < 0 ? 0 : lane
            let mask = laneIndex .>= Lanes(repeating: Float(from))
            let parameters = spanShading[key.shading]
            if key.shading != shadingIndex {
                shadingIndex = key.shading
                material.take(parameters, where: mask)
            }
            base.take(
                parameters.baseTexture, level: key.baseLevel, textures: textures, fallback: fallbackTexel, set: 0,
                from: from, where: mask, scratch: scratch)
            shade.take(
                parameters.shadeTexture, level: key.shadeLevel, textures: textures, fallback: fallbackTexel, set: 1,
                from: from, where: mask, scratch: scratch)
        }

        // The planes hold attribute × 1/depth; the G-buffer depth is 1/depth (0 where empty).
        let inverseDepth = depth.load(Lanes.self, at: index)
        let covered = inverseDepth .> 0
        let perspective = 1 / inverseDepth
        u *= perspective
        v *= perspective
        red *= perspective * material.tintRed
        green *= perspective * material.tintGreen
        blue *= perspective * material.tintBlue

        let lit = litColor(
            nx: nx, ny: ny, nz: nz, red: red, green: green, blue: blue, u: u, v: v, covered: covered,
            material: material, base: base, shade: shade, sampleBaseEverywhere: false, scratch: scratch)
        return color.opaquePixels(
            red: lit.red, green: lit.green, blue: lit.blue, covered: covered, background: background, scratch: scratch)
    }

    /// Eight lanes' linear colour and base-texture alpha (1 untextured) from their perspective-correct normal,
    /// tinted vertex colour and UV, by `material`'s lighting (unlit, Lambert or MToon two-tone, as `SpanShading`
    /// writes them) with `base` and `shade` texture levels. Only `covered` lanes sample; the base texture only where
    /// the lane is lit at all unless `sampleBaseEverywhere` (a blended surface needs its alpha).
    @inline(__always)
    func litColor(
        nx: Lanes, ny: Lanes, nz: Lanes, red: Lanes, green: Lanes, blue: Lanes, u: Lanes, v: Lanes,
        covered: SIMDMask<SIMD8<Int32>>, material: SpanMaterialLanes, base: SpanLevelLanes, shade: SpanLevelLanes,
        sampleBaseEverywhere: Bool, scratch: SpanScratch
    ) -> (red: Lanes, green: Lanes, blue: Lanes, alpha: Lanes) {
        var red = red
        var green = green
        var blue = blue
        var alpha = Lanes(repeating: 1)
        // Lighting: N·L of the normalised normal (the scale of the planes' normal cancels out).
        let lengthSquared = nx * nx + ny * ny + nz * nz
        let dot = nx * light.x + ny * light.y + nz * light.z
        // (Comparisons here are on floats: integer lane masks compile to a store and reload per lane.)
        let lightAmount = (dot / lengthSquared.squareRoot()).replacing(with: light.z, where: lengthSquared .<= 0)
        let lambert = ambient + (1 - ambient) * lightAmount.replacing(with: 0, where: lightAmount .< 0)
        let shading = lightAmount + material.shift
        var soft = (shading - material.low) * material.scale
        soft.replace(with: 0, where: soft .< 0)
        soft.replace(with: 1, where: soft .> 1)
        let step = Lanes(repeating: 0).replacing(with: 1, where: shading .>= material.low)
        let litShare = soft.replacing(with: step, where: material.isStep .> 0)

        // The textures each covered lane calls for (most pixels are fully lit or fully shaded: one sample).
        let sampleBase =
            covered .& (material.hasBase .> 0) .& (sampleBaseEverywhere ? covered : litShare .> 0)
        let sampleShade = covered .& (material.hasShade .> 0) .& (litShare .< 1)
        var shadeRed = material.shadeRed
        var shadeGreen = material.shadeGreen
        var shadeBlue = material.shadeBlue
        if any(sampleBase .| sampleShade) {
            scratch.store(SpanSlot.u, u)
            scratch.store(SpanSlot.v, v)
            @inline(__always) func sample(_ set: Int, _ level: SpanLevelLanes, _ enabled: SIMDMask<SIMD8<Int32>>)
                -> (red: Lanes, green: Lanes, blue: Lanes, alpha: Lanes)
            {
                scratch.store(SpanSlot.enabled + set, Lanes(repeating: 0).replacing(with: 1, where: enabled))
                scratch.store(SpanSlot.levelWidth + set, level.width)
                scratch.store(SpanSlot.levelHeight + set, level.height)
                let texel = sampleSpan(set: set, scratch: scratch)
                let one = Lanes(repeating: 1)
                return (
                    one.replacing(with: texel.red, where: enabled), one.replacing(with: texel.green, where: enabled),
                    one.replacing(with: texel.blue, where: enabled), one.replacing(with: texel.alpha, where: enabled)
                )
            }
            if any(sampleBase) {
                let texel = sample(0, base, sampleBase)
                red *= texel.red
                green *= texel.green
                blue *= texel.blue
                alpha = texel.alpha
            }
            if any(sampleShade) {
                let texel = sample(1, shade, sampleShade)
                shadeRed *= texel.red
                shadeGreen *= texel.green
                shadeBlue *= texel.blue
            }
        }
        let factor = 1 + (lambert - 1) * material.lambertMix
        return (
            (shadeRed + (red - shadeRed) * litShare) * factor, (shadeGreen + (green - shadeGreen) * litShare) * factor,
            (shadeBlue + (blue - shadeBlue) * litShare) * factor, alpha
        )
    }
}

extension ColorTableViews {
    /// Eight linear RGB colours as opaque 0xFFRRGGBB pixels; lanes not `covered` get `background`. (The mask comes
    /// from a float comparison: an integer lane comparison, such as ids == 0, compiles to a store and reload per
    /// lane, which stalled store forwarding and cost more than the rest of the encoding.)
    @inline(__always)
    func opaquePixels(
        red: Lanes, green: Lanes, blue: Lanes, covered: SIMDMask<SIMD8<Int32>>, background: UInt32,
        scratch: SpanScratch
    ) -> SIMD8<UInt32> {
        let steps = Lanes(repeating: Float(ColorTables.encodeSteps - 1))
        // 2²³ + v for v in [0, 2²³) has v, rounded to nearest, in its low mantissa bits.
        let magic = Lanes(repeating: 8_388_608)
        @inline(__always)
        func index(_ c: Lanes, _ slot: Int) {
            // NaN fails `c > 0` and becomes 0 (as in `encode(_:)`), so every index is inside the table.
            var clamped = Lanes(repeating: 0).replacing(with: c, where: c .> 0)
            clamped.replace(with: 1, where: clamped .> 1)
            scratch.storeWords(
                slot, unsafeBitCast(magic.addingProduct(clamped, steps), to: SIMD8<UInt32>.self) & 0x7F_FFFF)
        }
        index(red, SpanSlot.encodeRed)
        index(green, SpanSlot.encodeGreen)
        index(blue, SpanSlot.encodeBlue)
        @inline(__always) func byte(_ slot: Int, _ lane: Int) -> UInt32 {
            UInt32(encode[Int(scratch.word(slot, lane))])
        }
        for lane in 0 ..< 8 {
            scratch.setWord(
                SpanSlot.pixels, lane,
                0xFF00_0000 | byte(SpanSlot.encodeRed, lane) << 16 | byte(SpanSlot.encodeGreen, lane) << 8
                    | byte(SpanSlot.encodeBlue, lane))
        }
        return SIMD8(repeating: background).replacing(with: scratch.loadWords(SpanSlot.pixels), where: covered)
    }
}

extension AvatarRenderer {
    /// Shades each covered G-buffer pixel once into the picture, eight at a time; the rest gets the background.
    /// Only spans inside `drawn` (where this frame drew) can be covered.
    func shadeGBuffer(_ frame: FrameContext, drawn: DrawnRect) {
        let backgroundPixel = premultipliedBackground
        let backgroundSpan = SIMD8<UInt32>(repeating: backgroundPixel)
        let spanShading = scene.spanShading.view
        let firstSpan = drawn.isEmpty ? 0 : drawn.minX & ~7
        let endSpan = drawn.isEmpty ? 0 : drawn.maxX + 1
        withUnsafeTemporaryAllocation(of: Lanes.self, capacity: SpanSlot.count) { buffer in
            buffer.initialize(repeating: Lanes())
            let scratch = SpanScratch(
                base: UnsafeMutableRawPointer(buffer.baseAddress!).assumingMemoryBound(to: Float.self))
            for lane in 0 ..< 8 {
                scratch.setPointer(0, lane, frame.fallbackTexel)
                scratch.setPointer(1, lane, frame.fallbackTexel)
            }
            for row in 0 ..< frame.height {
                let py = Float(row) - frame.originY
                let gRow = row * frame.gStride
                let pRow = row * frame.width
                let isDrawnRow = row >= drawn.minY && row <= drawn.maxY
                var x = 0
                while x < frame.width {
                    var span = backgroundSpan
                    if isDrawnRow, x >= firstSpan, x < endSpan {
                        let ids = frame.triangles.load(SIMD8<UInt32>.self, at: gRow + x)
                        if ids != .zero {
                            span = frame.shadeSpan(
                                index: gRow + x, x: x, py: py, background: backgroundPixel,
                                spanShading: spanShading, scratch: scratch)
                        }
                    }
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
