import Foundation
import OmoteCore
import OmoteRig
import Testing

@testable import OmoteView

private let red = SIMD4<Float>(1, 0, 0, 1)
private let blue = SIMD4<Float>(0, 0, 1, 1)
private let unlit = RigMaterial(name: "unlit", unlit: true)

@Suite struct AvatarRendererTests {
    @Test("Uncovered pixels are the background, premultiplied; covered opaque pixels have alpha 255")
    func backgroundAndPremultipliedAlpha() throws {
        var mesh = TestMesh()
        mesh.square(centre: sceneCentre, side: 0.5, material: 0, color: red)
        let model = mesh.model(materials: [unlit])
        let transparent = try rendered(model, background: 0x0000_0000)
        #expect(transparent.pixel(0, 0) == 0)
        #expect(transparent.pixel(at: sceneCentre) == 0xFFFF_0000)
        #expect(transparent.count { $0 >> 24 == 0 } + transparent.count { $0 == 0xFFFF_0000 } == 160 * 120)
        // Half-transparent pure red: premultiplied, so red 255 × 128/255 = 128.
        let halfRed = try rendered(model, background: 0x80FF_0000)
        #expect(halfRed.pixel(0, 0) == 0x8080_0000)
        let green = try rendered(model)
        #expect(green.pixel(0, 0) == 0xFF00_FF00)
    }

    @Test("The nearer of two overlapping squares wins whichever is drawn first")
    func depthOrder() throws {
        for nearFirst in [true, false] {
            var mesh = TestMesh()
            let near = sceneCentre + SIMD3(0, 0, 0.3)
            let far = sceneCentre + SIMD3(0.1, 0, -0.3)
            if nearFirst {
                mesh.square(centre: near, side: 0.6, material: 0, color: red)
                mesh.square(centre: far, side: 0.6, material: 0, color: blue)
            } else {
                mesh.square(centre: far, side: 0.6, material: 0, color: blue)
                mesh.square(centre: near, side: 0.6, material: 0, color: red)
            }
            let renderer = try rendered(mesh.model(materials: [unlit]))
            #expect(renderer.pixel(at: sceneCentre + SIMD3(0, 0, 0.3)) == 0xFFFF_0000)
            // The far square's right part sticks out beside the near one.
            #expect(renderer.pixel(at: far + SIMD3(0.28, 0, 0)) == 0xFF00_00FF)
        }
    }

    @Test("Back faces are culled unless the material is double-sided; then they are lit as seen")
    func backFaceCulling() throws {
        var mesh = TestMesh()
        mesh.square(centre: sceneCentre, side: 0.5, material: 0, clockwise: true)
        // Normals agree with the winding: its front faces away, −z.
        for i in mesh.normals.indices { mesh.normals[i] = SIMD3(0, 0, -1) }
        let culled = try rendered(mesh.model(materials: [RigMaterial(name: "lit")]))
        #expect(culled.count { $0 != 0xFF00_FF00 } == 0)
        let shown = try rendered(mesh.model(materials: [RigMaterial(name: "lit", doubleSided: true)]))
        // Its normals (−z) are flipped for the back face: it faces the viewer and the light, so it is lit like a
        // front face, not left at the ambient level.
        var front = TestMesh()
        front.square(centre: sceneCentre, side: 0.5, material: 0)
        let reference = try rendered(front.model(materials: [RigMaterial(name: "lit")]))
        #expect(shown.pixel(at: sceneCentre) == reference.pixel(at: sceneCentre))
        #expect(shown.count { $0 != 0xFF00_FF00 } == reference.count { $0 != 0xFF00_FF00 })
    }

    @Test("Base textures are sampled bilinearly at perspective-correct UVs (scalar reference)")
    func textureSampling() throws {
        let colours: [UInt32] = [
            0xFF0000, 0x00FF00, 0x0000FF, 0xFFFFFF, 0x202020, 0x808000, 0x008080, 0x800080,
            0xFF8000, 0x0080FF, 0x80FF00, 0x000000, 0xC0C0C0, 0x400000, 0x004000, 0x000040,
        ]
        let texture = RigTexture(name: "4×4", width: 4, height: 4, texels: colours.map { texel($0) })
        var mesh = TestMesh()
        // Tilted away at the top so perspective matters: positions along z vary across the square.
        let side: Float = 1
        mesh.square(centre: sceneCentre, side: side, material: 0)
        for i in mesh.positions.indices { mesh.positions[i].z = (mesh.positions[i].y - sceneCentre.y) * -0.8 }
        let model = mesh.model(materials: [RigMaterial(name: "t", baseTexture: 0, unlit: true)], textures: [texture])
        let renderer = try rendered(model, width: 200, height: 150)
        var compared = 0
        var worst = 0
        for y in 0 ..< renderer.height {
            for x in 0 ..< renderer.width {
                // The ray through the pixel centre meets the tilted plane z = −0.8 (y − centre.y).
                let eye = renderer.camera.eye
                let a = renderer.pointOnPlane(z: 0, x: x, y: y)
                let direction = a - eye
                let t = (-0.8 * (eye.y - sceneCentre.y) - eye.z) / (direction.z + 0.8 * direction.y)
                let p = eye + direction * t
                let u = (p.x - (sceneCentre.x - side / 2)) / side
                let v = ((sceneCentre.y + side / 2) - p.y) / side
                guard u > 0.01, u < 0.99, v > 0.01, v < 0.99 else { continue }
                let expected = referenceBilinear(texture, SIMD2(u, v))
                let want = opaquePixel(linear: SIMD3(expected.x, expected.y, expected.z))
                let d = channels(renderer.pixel(x, y)) &- channels(want)
                worst = max(worst, abs(d.x), abs(d.y), abs(d.z), abs(d.w))
                compared += 1
            }
        }
        #expect(compared > 4000)
        #expect(worst <= 3)
    }

    @Test("At a texel's centre the sample is that texel (2×2 texture)")
    func texelCentres() throws {
        let texture = RigTexture(
            name: "2×2", width: 2, height: 2,
            texels: [texel(0xFF0000), texel(0x00FF00), texel(0x0000FF), texel(0xFFFF00)])
        var mesh = TestMesh()
        mesh.square(centre: sceneCentre, side: 1, material: 0)
        let renderer = try rendered(
            mesh.model(materials: [RigMaterial(name: "t", baseTexture: 0, unlit: true)], textures: [texture]),
            width: 320, height: 240)
        // UV (¼, ¼) is the top-left texel's centre: top-left quarter of the square, and so on. The nearest pixel
        // centre is up to half a pixel (≈ 1 % of a texel) off, which dark sRGB channels magnify (a 1 % linear leak is 34 levels): a loose tolerance.
        #expect(isClose(renderer.pixel(at: sceneCentre + SIMD3(-0.25, 0.25, 0)), 0xFFFF_0000, tolerance: 45))
        #expect(isClose(renderer.pixel(at: sceneCentre + SIMD3(0.25, 0.25, 0)), 0xFF00_FF00, tolerance: 45))
        #expect(isClose(renderer.pixel(at: sceneCentre + SIMD3(-0.25, -0.25, 0)), 0xFF00_00FF, tolerance: 45))
        #expect(isClose(renderer.pixel(at: sceneCentre + SIMD3(0.25, -0.25, 0)), 0xFFFF_FF00, tolerance: 45))
        // Between texel centres (the square's middle) all four mix.
        let middle = channels(renderer.pixel(at: sceneCentre))
        #expect(middle.x > 100 && middle.y > 100 && middle.z > 60)
    }

    @Test("A cut-out material shows the background through texels below the cutoff")
    func alphaCutOut() throws {
        // Left column transparent, right column opaque white.
        let texture = RigTexture(
            name: "holes", width: 2, height: 2,
            texels: [texel(0xFFFFFF, alpha: 0), texel(0xFFFFFF), texel(0xFFFFFF, alpha: 0), texel(0xFFFFFF)])
        var mesh = TestMesh()
        mesh.square(centre: sceneCentre, side: 1, material: 0)
        let material = RigMaterial(name: "mask", baseTexture: 0, alphaMode: .mask(cutoff: 0.5), unlit: true)
        let renderer = try rendered(mesh.model(materials: [material], textures: [texture]), background: 0)
        #expect(renderer.pixel(at: sceneCentre + SIMD3(-0.4, 0, 0)) == 0)
        #expect(renderer.pixel(at: sceneCentre + SIMD3(0.4, 0, 0)) == 0xFFFF_FFFF)
        // The same texture drawn opaque covers both halves.
        let opaque = try rendered(
            mesh.model(materials: [RigMaterial(name: "o", baseTexture: 0, unlit: true)], textures: [texture]),
            background: 0)
        #expect(opaque.pixel(at: sceneCentre + SIMD3(-0.4, 0, 0)) >> 24 == 0xFF)
    }

    @Test("A blended surface is composited over what is behind it, in linear light, after the opaque ones")
    func blending() throws {
        var mesh = TestMesh()
        // The blended square comes first in the index list and in front: it must still be composited over the
        // opaque one behind it.
        mesh.square(centre: sceneCentre + SIMD3(0, 0, 0.2), side: 0.4, material: 1, color: SIMD4(1, 1, 1, 0.5))
        mesh.square(centre: sceneCentre, side: 0.8, material: 0, color: red)
        let model = mesh.model(materials: [unlit, RigMaterial(name: "glass", alphaMode: .blend, unlit: true)])
        let renderer = try rendered(model, background: 0)
        #expect(isClose(renderer.pixel(at: sceneCentre), opaquePixel(linear: SIMD3(1, 0.5, 0.5)), tolerance: 1))
        #expect(renderer.pixel(at: sceneCentre + SIMD3(0.35, 0, 0)) == 0xFFFF_0000)
        // Over the transparent background: alpha 0.5, premultiplied white.
        var alone = TestMesh()
        alone.square(centre: sceneCentre, side: 0.4, material: 0, color: SIMD4(1, 1, 1, 0.5))
        let overNothing = try rendered(
            alone.model(materials: [RigMaterial(name: "glass", alphaMode: .blend, unlit: true)]), background: 0)
        #expect(isClose(overNothing.pixel(at: sceneCentre), 0x8080_8080, tolerance: 1))
    }

    @Test("MToon: the lit side is the base colour, the shaded side the shade colour, a sharp boundary at toony 1")
    func mtoonTwoTone() throws {
        var mesh = TestMesh()
        mesh.sphere(centre: sceneCentre, radius: 0.5, material: 0)
        let shade = SIMD3<Float>(0.1, 0.2, 0.6)
        let material = RigMaterial(
            name: "toon", baseColor: SIMD4(1, 1, 1, 1),
            mtoon: RigMToon(shadeColor: shade, shadingShift: 0, shadingToony: 1))
        let renderer = try rendered(mesh.model(materials: [material]), width: 240, height: 180)
        let base = opaquePixel(linear: SIMD3(1, 1, 1))
        let shaded = opaquePixel(linear: shade)
        let light = renderer.lightDirection / (renderer.lightDirection * renderer.lightDirection).sum().squareRoot()
        #expect(renderer.pixel(at: sceneCentre + light * 0.5) == base)
        #expect(renderer.pixel(at: sceneCentre + SIMD3(0.45, -0.2, 0.1)) == shaded)
        var other = 0
        var sphere = 0
        for p in renderer.pixels where p != 0xFF00_FF00 {
            sphere += 1
            if p != base && p != shaded { other += 1 }
        }
        #expect(sphere > 3000)
        #expect(other == 0)
        // A soft boundary (toony 0) has intermediate tones.
        let soft = RigMaterial(name: "soft", mtoon: RigMToon(shadeColor: shade, shadingToony: 0))
        let smooth = try rendered(mesh.model(materials: [soft]), width: 240, height: 180)
        #expect(smooth.count { $0 != 0xFF00_FF00 && $0 != base && $0 != shaded } > 1000)
    }

    @Test("An MToon outline rings the silhouette in the outline colour, depth-tested")
    func outline() throws {
        var mesh = TestMesh()
        mesh.sphere(centre: sceneCentre, radius: 0.4, material: 0)
        func material(width: Float) -> RigMaterial {
            RigMaterial(
                name: "toon",
                mtoon: RigMToon(
                    shadeColor: SIMD3(0.5, 0.5, 0.5), outlineWidth: width, outlineColor: SIMD3(1, 0, 0),
                    outlineLightingMix: 0))
        }
        let plain = try rendered(mesh.model(materials: [material(width: 0)]), width: 240, height: 180)
        let outlined = try rendered(mesh.model(materials: [material(width: 0.04)]), width: 240, height: 180)
        // The outline adds a red ring and leaves the sphere's inside alone.
        #expect(outlined.count { $0 == 0xFFFF_0000 } > 100)
        #expect(plain.count { $0 == 0xFFFF_0000 } == 0)
        #expect(outlined.pixel(at: sceneCentre) == plain.pixel(at: sceneCentre))
        let (cx, cy) = outlined.pixelPosition(of: sceneCentre)
        var x = cx
        while plain.pixel(x, cy) != 0xFF00_FF00 { x += 1 }
        #expect(outlined.pixel(x + 1, cy) == 0xFFFF_0000)
        #expect(outlined.pixel(x + 30, cy) == 0xFF00_FF00)
    }

    @Test("Perspective: the farther of two equal squares is smaller")
    func perspective() throws {
        var mesh = TestMesh()
        mesh.square(centre: sceneCentre + SIMD3(-0.4, 0, 0.8), side: 0.3, material: 0, color: red)
        mesh.square(centre: sceneCentre + SIMD3(0.4, 0, -0.8), side: 0.3, material: 0, color: blue)
        let renderer = try rendered(mesh.model(materials: [unlit]))
        let near = renderer.count { $0 == 0xFFFF_0000 }
        let far = renderer.count { $0 == 0xFF00_00FF }
        #expect(far > 50)
        #expect(Double(near) > 1.3 * Double(far))
    }

    @Test("Resize changes the picture size and keeps the framing's vertical extent")
    func resize() throws {
        var mesh = TestMesh()
        mesh.square(centre: sceneCentre, side: 0.5, material: 0, color: red)
        let model = mesh.model(materials: [unlit])
        let renderer = try AvatarRenderer(model: model, width: 160, height: 120)
        let state = try RigState(model: model)
        try renderer.render(state)
        let before = renderer.count { $0 == 0xFFFF_0000 }
        try renderer.resize(width: 241, height: 120)
        #expect(renderer.width == 241 && renderer.height == 120 && renderer.pixels.count == 241 * 120)
        try renderer.render(state)
        // Same height, same framing: the same size up to a pixel column of sampling difference.
        #expect(abs(renderer.count { $0 == 0xFFFF_0000 } - before) <= 30)
        try renderer.resize(width: 320, height: 240)
        try renderer.render(state)
        let after = renderer.count { $0 == 0xFFFF_0000 }
        #expect(abs(after - 4 * before) < before / 10)
        try renderer.resize(width: 0, height: 0)
        try renderer.render(state)
        #expect(renderer.pixels.isEmpty)
    }

    @Test("The built-in avatar renders as a face: skin, hair, eyes and lips in the picture")
    func builtInAvatar() throws {
        let model = RigModel.defaultAvatar()
        let renderer = try rendered(model, width: 240, height: 180)
        let covered = renderer.count { $0 != 0xFF00_FF00 }
        #expect(covered > 240 * 180 / 15)
        // The face centre (nose region) is lit skin: red above green above blue.
        let skin = channels(renderer.pixel(at: SIMD3(0.05, -0.1, 0.42)))
        #expect(skin.x > skin.y && skin.y > skin.z && skin.x > 150)
        // Eye whites, irises and pupils differ from skin.
        let eye = channels(renderer.pixel(at: SIMD3(0.14, 0.07, 0.42)))
        #expect(eye != skin)
    }

    @Test("The synthetic VRoid-size avatar has its materials and renders with every kind of surface")
    func syntheticAvatar() throws {
        let model = RigModel.syntheticVRoidSize(triangles: 8000, textureSize: 64)
        #expect(model.triangleCount > 6000 && model.triangleCount < 10000)
        #expect(model.textures.count == 6)
        let renderer = try rendered(model, width: 240, height: 180, background: 0)
        #expect(renderer.count { $0 >> 24 == 0xFF } > 240 * 180 / 5)
        // Steady state allocates nothing and the time is reported.
        #expect(renderer.lastRenderNanoseconds > 0)
    }
}
