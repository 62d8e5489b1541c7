import CVectorShuffles
import OmoteCore
import OmoteRig
import Testing

@testable import OmoteView

/// The renderer's small kernels against plain scalar references.
@Suite struct AvatarRendererKernelTests {
    @Test("The 8×8 transpose moves element (i, j) to (j, i), whatever the alignment")
    func transpose() {
        for offset in 0 ..< 3 {
            var matrix = (0 ..< 64 + offset).map { Float($0) * 1.5 - 7 }
            let original = matrix
            matrix.withUnsafeMutableBufferPointer { omote_transpose_8x8_f32($0.baseAddress! + offset) }
            for i in 0 ..< 8 {
                for j in 0 ..< 8 { #expect(matrix[offset + j * 8 + i] == original[offset + i * 8 + j]) }
            }
            #expect(matrix[..<offset] == original[..<offset])
        }
    }

    @Test("Alpha block minima are each 8×8 block's least alpha; leastAlpha reads the blocks a texel range touches")
    func alphaBlockMinima() {
        let width = 21
        let height = 10
        var texels = [UInt32](repeating: 0xFF80_8080, count: width * height)
        texels[3 * width + 17] = 0x4000_0000  // block (2, 0)
        texels[9 * width + 2] = 0x1000_0000  // block (0, 1)
        let minima = TextureLevel.alphaMinima(of: texels, width: width, height: height)
        #expect(minima == [255, 255, 0x40, 0x10, 255, 255])
        minima.withUnsafeBufferPointer { blocks in
            texels.withUnsafeBufferPointer { texelBuffer in
                let level = TextureLevel(
                    texels: texelBuffer.baseAddress!, width: width, height: height,
                    alphaMinima: blocks.baseAddress!)
                #expect(level.leastAlpha(columns: 0 ... 15, rows: 0 ... 7) == 255)
                #expect(level.leastAlpha(columns: 8 ... 16, rows: 0 ... 7) == 0x40)
                #expect(level.leastAlpha(columns: 0 ... 20, rows: 0 ... 9) == 0x10)
                let unsummarised = TextureLevel(texels: texelBuffer.baseAddress!, width: width, height: height)
                #expect(unsummarised.leastAlpha(columns: 0 ... 1, rows: 0 ... 1) == nil)
            }
        }
    }

    @Test(
        "A cut-out triangle skips its per-pixel test only when every pixel would pass: random triangles, the test sampled at random points inside"
    )
    func cutOutPassesEverywhere() {
        var generator = SplitMix64(seed: 4242)
        func random() -> Float { Float.random(in: 0 ..< 1, using: &generator) }
        let side = 64
        // Opaque but for a few transparent texels and a half-transparent band.
        var texels = [UInt32](repeating: 0xFF40_6080, count: side * side)
        for y in 40 ..< 44 { for x in 0 ..< side { texels[y * side + x] = 0x6040_6080 } }
        for (x, y) in [(5, 5), (30, 12), (50, 55)] { texels[y * side + x] = 0x0040_6080 }
        let minima = TextureLevel.alphaMinima(of: texels, width: side, height: side)
        var skipped = 0
        var tested = 0
        minima.withUnsafeBufferPointer { blocks in
            texels.withUnsafeBufferPointer { texelBuffer in
                let level = TextureLevel(
                    texels: texelBuffer.baseAddress!, width: side, height: side, alphaMinima: blocks.baseAddress!)
                let scratchRows = UnsafeMutablePointer<Lanes>.allocate(capacity: SpanSlot.count)
                defer { scratchRows.deallocate() }
                let scratch = SpanScratch(
                    base: UnsafeMutableRawPointer(scratchRows).assumingMemoryBound(to: Float.self))
                for _ in 0 ..< 2000 {
                    let centre = SIMD2(random() * 1.2 - 0.1, random() * 1.2 - 0.1)
                    let extent = random() * 0.3
                    let uvs = (
                        centre + SIMD2(random(), random()) * extent, centre + SIMD2(random(), random()) * extent,
                        centre + SIMD2(random(), random()) * extent
                    )
                    let alphas = SIMD3(0.9 + random() * 0.1, 0.9 + random() * 0.1, 0.9 + random() * 0.1)
                    let cutoff: Float = 0.5
                    guard CutOutTest.passesEverywhere(uvs: uvs, alphas: alphas, level: level, cutoff: cutoff) else {
                        tested += 1
                        continue
                    }
                    skipped += 1
                    // Every point inside passes the per-pixel test the triangle skips.
                    var u = Lanes()
                    var v = Lanes()
                    var vertexAlpha = Lanes()
                    for lane in 0 ..< 8 {
                        var weights = SIMD3(random(), random(), random())
                        if lane == 0 { weights = SIMD3(1, 0, 0) }  // a corner
                        weights /= weights.sum()
                        let uv = uvs.0 * weights.x + uvs.1 * weights.y + uvs.2 * weights.z
                        u[lane] = uv.x
                        v[lane] = uv.y
                        vertexAlpha[lane] = (alphas * weights).sum()
                    }
                    let alpha = vertexAlpha * level.alphaSpan(u: u, v: v, scratch: scratch)
                    #expect(alpha.min() >= cutoff)
                }
            }
        }
        #expect(skipped > 100)
        #expect(tested > 100)
        // Without block minima, or untextured with a vertex alpha under the cutoff, nothing is skipped.
        let opaque = (SIMD2<Float>(0.2, 0.2), SIMD2<Float>(0.3, 0.2), SIMD2<Float>(0.2, 0.3))
        texels.withUnsafeBufferPointer { texelBuffer in
            let level = TextureLevel(texels: texelBuffer.baseAddress!, width: side, height: side)
            #expect(!CutOutTest.passesEverywhere(uvs: opaque, alphas: .one, level: level, cutoff: 0.5))
        }
        #expect(CutOutTest.passesEverywhere(uvs: opaque, alphas: .one, level: nil, cutoff: 0.5))
        #expect(!CutOutTest.passesEverywhere(uvs: opaque, alphas: SIMD3(1, 0.4, 1), level: nil, cutoff: 0.5))
    }

    @Test("Skipping the alpha test of cut-out triangles that pass everywhere changes no pixel of the VRoid-size avatar")
    func cutOutSkipChangesNothing() throws {
        let model = RigModel.syntheticVRoidSize(triangles: 8000, textureSize: 256)
        let rig = try RigState(model: model)
        rig.apply(
            weights: BlendshapeWeights(), headPose: HeadPose(rotation: Rotation3(rotationVector: SIMD3(0.2, 0.4, 0))))
        let summarised = try AvatarRenderer(model: model, width: 320, height: 240)
        try summarised.render(rig)
        let plain = try AvatarRenderer(model: model, width: 320, height: 240)
        for i in 0 ..< plain.scene.textureLevels.count { plain.scene.textureLevels[i].alphaMinima = nil }
        try plain.render(rig)
        #expect(Array(summarised.pixels) == Array(plain.pixels))
    }
}
