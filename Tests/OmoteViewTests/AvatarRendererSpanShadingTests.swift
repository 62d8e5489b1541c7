import OmoteCore
import OmoteRig
import Testing

@testable import OmoteView

@Suite struct AvatarRendererSpanShadingTests {
    @Test(
        "Span shading from triangle records matches the scalar shader pixel by pixel (MToon with base and shade textures, Lambert, unlit, double-sided backs)"
    )
    func spanShadingMatchesScalar() throws {
        var generator = SplitMix64(seed: 777)
        func random() -> UInt32 { UInt32(generator.next() >> 32) >> 8 }
        func noise(_ name: String) -> RigTexture {
            RigTexture(name: name, width: 8, height: 8, texels: (0 ..< 64).map { _ in texel(random() & 0xFF_FFFF) })
        }
        var mesh = TestMesh()
        mesh.sphere(centre: sceneCentre, radius: 0.5, material: 0, rows: 24, columns: 32)
        mesh.square(centre: sceneCentre + SIMD3(-0.8, 0.3, 0.2), side: 0.4, material: 1)
        mesh.square(centre: sceneCentre + SIMD3(0.8, 0.3, 0.2), side: 0.4, material: 2, clockwise: true)
        for i in mesh.colors.indices {
            mesh.colors[i] = SIMD4(0.5 + Float(random() % 128) / 256, 1, 0.75, 1)
        }
        let model = mesh.model(
            materials: [
                RigMaterial(
                    name: "toon", baseTexture: 0,
                    mtoon: RigMToon(
                        shadeColor: SIMD3(0.6, 0.4, 0.5), shadeTexture: 1, shadingShift: -0.2, shadingToony: 0.6)),
                RigMaterial(name: "lambert", baseTexture: 2),
                RigMaterial(name: "unlit back", baseTexture: 2, doubleSided: true, unlit: true),
            ],
            textures: [noise("base"), noise("shade"), noise("plain")])
        let renderer = try AvatarRenderer(model: model, width: 200, height: 150)
        let rig = try RigState(model: model)
        try renderer.render(rig)
        let frame = renderer.frameContext(rig)
        var compared = 0
        var worst = 0
        for y in 0 ..< renderer.height {
            for x in 0 ..< renderer.width {
                let id = Int(frame.triangles[y * frame.gStride + x])
                guard id > 0 else { continue }
                let t = id - 1
                let ia = Int(frame.indices[3 * t])
                let ib = Int(frame.indices[3 * t + 1])
                let ic = Int(frame.indices[3 * t + 2])
                let setup = try #require(
                    TriangleSetup(
                        ia, ib, ic, x: frame.screenX, y: frame.screenY, w: frame.inverseDepth, culling: .none, frame))
                let px = Float(x) - frame.originX
                let py = Float(y) - frame.originY
                let b = setup.weightB.x * px + setup.weightB.y * py + setup.weightB.z
                let c = setup.weightC.x * px + setup.weightC.y * py + setup.weightC.z
                frame.textureDensity[t] = frame.uvAreas[t] * setup.inverseArea
                let linear = frame.shade(
                    triangle: t, flags: setup.backFacing ? TriangleID.backFacing : 0, b: b, c: c)
                let expected = frame.color.opaquePixel(SIMD3(linear.x, linear.y, linear.z))
                let d = channels(renderer.pixel(x, y)) &- channels(expected)
                worst = max(worst, abs(d.x), abs(d.y), abs(d.z), abs(d.w))
                compared += 1
            }
        }
        #expect(compared > 4000)
        #expect(worst <= 2)
    }

    @Test(
        "Blended surfaces drawn eight pixels at a time match the pixel-by-pixel compositing (textured MToon, Lambert and unlit glass, both sides, over the avatar and an opaque background, clipped at the picture's edge)"
    )
    func blendedSpansMatchPerPixel() throws {
        var generator = SplitMix64(seed: 99)
        func random() -> UInt32 { UInt32(generator.next() >> 32) >> 8 }
        let glass = RigTexture(
            name: "glass", width: 8, height: 8,
            texels: (0 ..< 64).map { _ in texel(random() & 0xFF_FFFF, alpha: 40 + random() % 200) })
        var mesh = TestMesh()
        mesh.sphere(centre: sceneCentre, radius: 0.5, material: 0, rows: 24, columns: 32)
        mesh.square(centre: sceneCentre + SIMD3(-0.3, 0.1, 0.6), side: 0.7, material: 1, color: SIMD4(1, 0.8, 0.6, 0.7))
        mesh.square(centre: sceneCentre + SIMD3(0.45, -0.2, 0.6), side: 0.6, material: 2, clockwise: true)
        mesh.square(centre: sceneCentre + SIMD3(0.9, 0.3, 0.7), side: 0.8, material: 3)
        func glassModel(_ texture: RigTexture) -> RigModel {
            mesh.model(
                materials: [
                    RigMaterial(name: "opaque", baseColor: SIMD4(0.8, 0.6, 0.5, 1)),
                    RigMaterial(
                        name: "toon glass", baseTexture: 0, alphaMode: .blend, doubleSided: true,
                        mtoon: RigMToon(shadeColor: SIMD3(0.3, 0.3, 0.6), shadingShift: -0.1, shadingToony: 0.7)),
                    RigMaterial(name: "lambert glass", baseTexture: 0, alphaMode: .blend, doubleSided: true),
                    RigMaterial(name: "unlit glass", baseTexture: 0, alphaMode: .blend, unlit: true),
                ],
                textures: [texture])
        }
        let model = glassModel(glass)
        let rig = try RigState(model: model)
        let spans = try AvatarRenderer(model: model, width: 203, height: 150)
        try spans.render(rig)
        let pixels = try AvatarRenderer(model: model, width: 203, height: 150)
        pixels.blendsPixelByPixel = true
        try pixels.render(rig)
        var worst = 0
        var differing = 0
        for (a, b) in zip(Array(spans.pixels), Array(pixels.pixels)) where a != b {
            let d = channels(a) &- channels(b)
            worst = max(worst, abs(d.x), abs(d.y), abs(d.z), abs(d.w))
            differing += 1
        }
        #expect(worst <= 1)
        #expect(differing < 200)
        // The glass is there: many pixels differ from the same scene with clear glass (same bounds, same framing).
        let clear = glassModel(RigTexture(name: "clear", width: 1, height: 1, texels: [texel(0xFFFFFF, alpha: 0)]))
        let without = try AvatarRenderer(model: clear, width: 203, height: 150)
        try without.render(try RigState(model: clear))
        #expect(zip(Array(spans.pixels), Array(without.pixels)).count { $0 != $1 } > 3000)
    }

    @Test("Tile depth is each 8×8 tile's least G-buffer 1/depth, and culling hull triangles by it changes no pixel")
    func tileDepth() throws {
        let model = RigModel.syntheticVRoidSize(triangles: 8000, textureSize: 64)
        let renderer = try AvatarRenderer(model: model, width: 203, height: 101)
        let rig = try RigState(model: model)
        try renderer.render(rig)
        let frame = renderer.frameContext(rig)
        renderer.buildTileDepth(frame, drawn: .whole(width: renderer.width, height: renderer.height))
        let tilesX = frame.gStride / 8
        var mismatches = 0
        for tileY in 0 ..< (frame.height + 7) / 8 {
            for tileX in 0 ..< tilesX {
                var least = Float.infinity
                for y in tileY * 8 ..< min(frame.height, tileY * 8 + 8) {
                    for x in tileX * 8 ..< tileX * 8 + 8 { least = min(least, frame.depth[y * frame.gStride + x]) }
                }
                if frame.tileDepth[tileY * tilesX + tileX] != least { mismatches += 1 }
            }
        }
        #expect(mismatches == 0)
        // The same frame with the hull drawn without culling (tile depth 0 everywhere: nothing is behind it).
        let culled = Array(renderer.pixels)
        for pass in renderer.scene.outlinePasses { #expect(pass.isOutline) }
        frame.tileDepth.fill(with: 0)
        for pass in renderer.scene.outlinePasses { renderer.rasterizeIntoGBuffer(pass, frame) }
        renderer.shadeGBuffer(frame, drawn: .whole(width: renderer.width, height: renderer.height))
        for pass in renderer.scene.blendPasses { renderer.drawBlended(pass, frame) }
        #expect(Array(renderer.pixels) == culled)
    }

    @Test("A frame after another is the same as a first frame (only the last frame's rectangle is cleared)")
    func drawnRectangleClearing() throws {
        let model = RigModel.syntheticVRoidSize(triangles: 8000, textureSize: 64)
        let moved = try RigState(model: model)
        moved.apply(
            weights: BlendshapeWeights(), headPose: HeadPose(rotation: Rotation3(rotationVector: SIMD3(0.3, 0.6, 0.2))))
        let still = try RigState(model: model)
        let reused = try AvatarRenderer(model: model, width: 161, height: 97)
        try reused.render(moved)
        try reused.render(still)
        let fresh = try AvatarRenderer(model: model, width: 161, height: 97)
        try fresh.render(still)
        #expect(Array(reused.pixels) == Array(fresh.pixels))
        // Again under another background.
        reused.background = 0xFF20_4060
        fresh.background = 0xFF20_4060
        try reused.render(moved)
        try reused.render(still)
        try fresh.render(still)
        #expect(Array(reused.pixels) == Array(fresh.pixels))
    }
}
