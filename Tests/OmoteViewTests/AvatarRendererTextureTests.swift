import OmoteCore
import OmoteRig
import Testing

@testable import OmoteView

@Suite struct AvatarRendererTextureTests {
    @Test("Mip levels halve down to 1×1 and average in linear light; the stored colour decodes to within a level")
    func mipChain() {
        // A 4×2 texture: black and white columns, so every level-1 texel averages black and white.
        let black = texel(0x000000)
        let white = texel(0xFFFFFF)
        let texture = RigTexture(
            name: "stripes", width: 4, height: 2, texels: [black, white, black, white, black, white, black, white])
        let levels = TextureMipmaps.levels(of: texture)
        #expect(levels.map { [$0.width, $0.height] } == [[4, 2], [2, 1], [1, 1]])
        // `decoded` reads no texels: any pointer will do.
        let level = TextureLevel(texels: UnsafePointer(bitPattern: 4)!, width: 2, height: 1)
        // Half white in linear light is 0.5 linear (sRGB 188), not sRGB 128.
        let decoded = level.decoded(levels[1].texels[0])
        #expect(abs(decoded.x - 0.5) < 0.005 && abs(decoded.w - 1) < 1e-6)
        for byte: UInt32 in [0, 1, 10, 50, 128, 200, 255] {
            let stored = TextureMipmaps.encoded(TextureMipmaps.linearColor(srgbTexel: texel(byte << 16 | byte)))
            let back = referenceByte(level.decoded(stored).x)
            #expect(abs(Int(back) - Int(byte)) <= 1)
        }
    }

    @Test("The level is log₂ of texels per pixel along each axis, rounded to nearest: level 0 up to √2 per pixel")
    func levelSelection() {
        let levels = [TextureLevel](
            repeating: TextureLevel(texels: UnsafePointer(bitPattern: 4)!, width: 1, height: 1), count: 11)
        levels.withUnsafeBufferPointer { buffer in
            let view = TextureView(levels: buffer.baseAddress!, levelCount: 11, texelCount: 1024 * 1024)
            let pixelsPerUV: Float = 1024
            // density = UV area per pixel area; texels per pixel along an axis = √(density × texelCount).
            func level(texelsPerPixel: Float) -> Int {
                view.level(density: texelsPerPixel * texelsPerPixel / (pixelsPerUV * pixelsPerUV))
            }
            #expect(level(texelsPerPixel: 0.25) == 0)
            #expect(level(texelsPerPixel: 1.4) == 0)
            #expect(level(texelsPerPixel: 1.43) == 1)
            #expect(level(texelsPerPixel: 2.8) == 1)
            #expect(level(texelsPerPixel: 2.86) == 2)
            #expect(level(texelsPerPixel: 5.6) == 2)
            #expect(level(texelsPerPixel: 5.7) == 3)
            #expect(view.level(density: .infinity) == 10)
            #expect(view.level(density: 0) == 0)
        }
    }

    @Test("The span sampler matches the scalar sampler lane by lane (wrapping, fractions, several sizes)")
    func spanSamplerMatchesScalar() {
        var generator = SplitMix64(seed: 12345)
        func random() -> UInt32 { UInt32(generator.next() >> 32) }
        let width = 5
        let height = 3
        let stored = (0 ..< width * height).map { _ in random() }
        stored.withUnsafeBufferPointer { texels in
            let level = TextureLevel(texels: texels.baseAddress!, width: width, height: height)
            withUnsafeTemporaryAllocation(of: Lanes.self, capacity: SpanSlot.count) { buffer in
                buffer.initialize(repeating: Lanes())
                let scratch = SpanScratch(
                    base: UnsafeMutableRawPointer(buffer.baseAddress!).assumingMemoryBound(to: Float.self))
                let frame = try! AvatarRenderer(model: TestMesh().model(materials: []), width: 8, height: 8)
                let context = frame.frameContext(try! RigState(model: frame.model))
                for _ in 0 ..< 20 {
                    var uvs: [SIMD2<Float>] = []
                    for lane in 0 ..< 8 {
                        let uv = SIMD2(Float(random() % 4000) / 1000 - 2, Float(random() % 4000) / 1000 - 2)
                        uvs.append(uv)
                        scratch.set(SpanSlot.u, lane, uv.x)
                        scratch.set(SpanSlot.v, lane, uv.y)
                        scratch.set(SpanSlot.enabled, lane, 1)
                        scratch.set(SpanSlot.levelWidth, lane, level.widthF)
                        scratch.set(SpanSlot.levelHeight, lane, level.heightF)
                        scratch.setPointer(0, lane, level.texels)
                    }
                    let span = context.sampleSpan(set: 0, scratch: scratch)
                    let levelList: [TextureLevel] = [level]
                    levelList.withUnsafeBufferPointer { levels in
                        let view = TextureView(levels: levels.baseAddress!, levelCount: 1, texelCount: 15)
                        for lane in 0 ..< 8 {
                            let expected = view.sample(uvs[lane], density: 0)
                            let got = SIMD4(span.red[lane], span.green[lane], span.blue[lane], span.alpha[lane])
                            let difference = got - expected
                            #expect((difference * difference).max() < 1e-8)
                        }
                    }
                }
            }
        }
    }

    @Test("The span alpha sampler matches the scalar sampler's alpha lane by lane (wrapping, fractions)")
    func alphaSpanMatchesScalar() {
        var generator = SplitMix64(seed: 4242)
        func random() -> UInt32 { UInt32(generator.next() >> 32) }
        let width = 7
        let height = 4
        let stored = (0 ..< width * height).map { _ in random() }
        stored.withUnsafeBufferPointer { texels in
            let level = TextureLevel(texels: texels.baseAddress!, width: width, height: height)
            let levelList: [TextureLevel] = [level]
            withUnsafeTemporaryAllocation(of: Lanes.self, capacity: SpanSlot.count) { buffer in
                buffer.initialize(repeating: Lanes())
                let scratch = SpanScratch(
                    base: UnsafeMutableRawPointer(buffer.baseAddress!).assumingMemoryBound(to: Float.self))
                levelList.withUnsafeBufferPointer { levels in
                    let view = TextureView(levels: levels.baseAddress!, levelCount: 1, texelCount: 28)
                    for _ in 0 ..< 20 {
                        var u = Lanes()
                        var v = Lanes()
                        for lane in 0 ..< 8 {
                            u[lane] = Float(random() % 6000) / 1000 - 3
                            v[lane] = Float(random() % 6000) / 1000 - 3
                        }
                        let alpha = level.alphaSpan(u: u, v: v, scratch: scratch)
                        for lane in 0 ..< 8 {
                            let expected = view.sample(SIMD2(u[lane], v[lane]), density: 0).w
                            #expect(abs(alpha[lane] - expected) < 1e-5)
                        }
                    }
                }
            }
        }
    }
}
