import Foundation
import OmoteCore
import OmoteTestSupport
import Testing

@testable import OmoteRig

/// 4×2 RGBA pixels, every one different, with some alpha below 255.
let checkerRGBA: [UInt8] = [
    255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 255, 255, 255, 128,
    10, 20, 30, 0, 40, 50, 60, 64, 70, 80, 90, 192, 1, 2, 3, 255,
]

/// The surfaces cover the model's indices in order, without gaps.
func expectSurfacesCoverIndices(_ model: RigModel, sourceLocation: SourceLocation = #_sourceLocation) {
    var next = 0
    for s in model.surfaces {
        #expect(s.indexStart == next && s.indexCount > 0, "\(model.surfaces)", sourceLocation: sourceLocation)
        #expect(s.material < model.materials.count, sourceLocation: sourceLocation)
        next = s.indexStart + s.indexCount
    }
    #expect(next == model.indices.count, "\(model.surfaces)", sourceLocation: sourceLocation)
}

func closeColour(_ a: SIMD4<Float>, _ b: SIMD4<Float>, _ tolerance: Float = 1e-4) -> Bool {
    ((a - b) * (a - b)).sum().squareRoot() <= tolerance
}

func close3(_ a: SIMD3<Float>, _ b: SIMD3<Float>, _ tolerance: Float = 1e-4) -> Bool { close(a, b, tolerance) }

@Test("A PNG baseColorTexture in a GLB decodes to exactly its texels; the factor is kept and folded into colours")
func pngBaseColorTexture() throws {
    var f = GLTFFixture()
    let image = f.addImage(TestImages.png(width: 4, height: 2, rgba: checkerRGBA), name: "skin")
    let texture = f.addTexture(source: image)
    f.materials = [
        [
            "name": "Skin",
            "pbrMetallicRoughness": ["baseColorFactor": [0.5, 0.25, 1, 1], "baseColorTexture": ["index": texture]],
        ]
    ]
    f.addQuads(materials: [0])
    let model = try RigModel.load(data: f.glb(), name: "textured.glb")
    #expect(model.textures.count == 1 && model.materials.count == 1)
    let t = model.textures[0]
    #expect(t.name == "skin" && t.width == 4 && t.height == 2)
    #expect(t.texels == TestImages.texels(checkerRGBA))
    #expect(!t.isOpaque)
    let m = model.materials[0]
    #expect(m.name == "Skin" && m.baseTexture == 0 && m.baseColor == SIMD4(0.5, 0.25, 1, 1))
    #expect(m.alphaMode == .opaque && !m.doubleSided && !m.unlit && m.mtoon == nil)
    #expect(model.colors.allSatisfy { $0 == SIMD4(0.5, 0.25, 1, 1) })
    #expect(model.surfaces == [RigSurface(indexStart: 0, indexCount: 6, material: 0)])
    #expect(model.description.contains("1 materials, 1 textures"))
}

@Test("A PNG from a data: URI and from a file next to the .gltf decode alike")
func pngFromURIs() throws {
    let png = TestImages.png(width: 4, height: 2, rgba: checkerRGBA)
    var f = GLTFFixture()
    let embedded = f.addImage(uri: "data:image/png;base64," + Data(png).base64EncodedString())
    let external = f.addImage(uri: "textures/skin%20a.png")
    f.materials = [
        ["pbrMetallicRoughness": ["baseColorTexture": ["index": f.addTexture(source: embedded)]]],
        ["pbrMetallicRoughness": ["baseColorTexture": ["index": f.addTexture(source: external)]]],
    ]
    f.addQuads(materials: [0, 1])
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("omote-rig-\(UUID().uuidString)")
    try FileManager.default.createDirectory(
        at: dir.appendingPathComponent("textures"), withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    try Data(png).write(to: dir.appendingPathComponent("textures/skin a.png"))
    let model = try RigModel.load(data: f.gltf(), name: "uris.gltf", resourceFolder: dir.path)
    #expect(model.textures.count == 2)
    #expect(model.textures.allSatisfy { $0.texels == TestImages.texels(checkerRGBA) })
    #expect(model.textures[1].name == "textures/skin%20a.png")
    #expect(model.materials.map(\.baseTexture) == [0, 1])
}

@Test("A JPEG texture decodes to about its colours, opaque")
func jpegTexture() throws {
    // 16×8: the left 8×8 block red-orange, the right one blue (whole blocks, so 4:4:4 at quality 95 is near exact).
    var rgb: [UInt8] = []
    for _ in 0 ..< 8 {
        for x in 0 ..< 16 { rgb += x < 8 ? [230, 80, 20] : [20, 40, 200] }
    }
    var f = GLTFFixture()
    let image = f.addImage(try TestImages.jpeg(width: 16, height: 8, rgb: rgb), mimeType: "image/jpeg")
    f.materials = [["pbrMetallicRoughness": ["baseColorTexture": ["index": f.addTexture(source: image)]]]]
    f.addQuads(materials: [0])
    let model = try RigModel.load(data: f.glb(), name: "jpeg.glb")
    let t = try #require(model.textures.first)
    #expect(t.width == 16 && t.height == 8 && t.isOpaque)
    func expectNear(_ texel: UInt32, _ rgb: [Int]) {
        let got = [Int(texel & 0xFF), Int(texel >> 8 & 0xFF), Int(texel >> 16 & 0xFF)]
        #expect(zip(got, rgb).allSatisfy { abs($0 - $1) <= 4 }, "\(got) vs \(rgb)")
    }
    expectNear(t.texels[3 * 16 + 3], [230, 80, 20])
    expectNear(t.texels[4 * 16 + 12], [20, 40, 200])
}

@Test(
    "alphaMode MASK (with and without alphaCutoff), BLEND, doubleSided and KHR_materials_unlit; surfaces per material")
func alphaModesAndSurfaces() throws {
    var f = GLTFFixture()
    f.materials = [
        ["name": "cut", "alphaMode": "MASK", "alphaCutoff": 0.3],
        ["name": "glass", "alphaMode": "BLEND", "doubleSided": true],
        ["name": "flat", "alphaMode": "MASK", "extensions": ["KHR_materials_unlit": [:] as [String: Any]]],
        ["name": "never used", "alphaMode": "BLEND"],
    ]
    // Two adjacent primitives of material 0 merge; no material → glTF's default; material 1 again after others.
    f.addQuads(materials: [0, 0, 1, nil, 2, 1])
    let model = try RigModel.load(data: f.gltf(), name: "alpha.gltf")
    #expect(model.materials.map(\.name) == ["cut", "glass", "default", "flat"])
    #expect(model.materials[0].alphaMode == .mask(cutoff: 0.3))
    #expect(model.materials[1].alphaMode == .blend && model.materials[1].doubleSided)
    #expect(model.materials[2].alphaMode == .opaque && !model.materials[2].unlit)
    #expect(model.materials[3].alphaMode == .mask(cutoff: 0.5) && model.materials[3].unlit)
    #expect(model.textures.isEmpty)
    #expect(
        model.surfaces == [
            RigSurface(indexStart: 0, indexCount: 12, material: 0),
            RigSurface(indexStart: 12, indexCount: 6, material: 1),
            RigSurface(indexStart: 18, indexCount: 6, material: 2),
            RigSurface(indexStart: 24, indexCount: 6, material: 3),
            RigSurface(indexStart: 30, indexCount: 6, material: 1),
        ])
    expectSurfacesCoverIndices(model)
    // Each surface's triangles are that primitive's quad: x offset 0, 1, 2, … in primitive order.
    let centre = { (s: RigSurface) -> Float in
        let xs = model.indices[s.indexStart ..< s.indexStart + s.indexCount].map { model.positions[Int($0)].x }
        return xs.reduce(0, +) / Float(xs.count)
    }
    let centres = model.surfaces.map(centre)
    #expect(zip(centres, centres.dropFirst()).allSatisfy { $0 < $1 }, "\(centres)")
}

@Test("A model without materials has one default surface; the sample GLB still loads with covering surfaces")
func defaultSurface() throws {
    let model = try RigModel.load(data: denseQuadFixture().gltf(), name: "quad.gltf")
    #expect(model.materials.map(\.name) == ["default"] && model.textures.isEmpty)
    #expect(model.surfaces == [RigSurface(indexStart: 0, indexCount: 6, material: 0)])
    let sample = try RigModel.load(contentsOfFile: TestPaths.avatar)
    #expect(sample.vertexCount == 5 && sample.triangleCount == 6)
    expectSurfacesCoverIndices(sample)
}

@Test("VRM 1.0 VRMC_materials_mtoon: every field, the shade texture, world outline width scaled to head units")
func vrm1MToon() throws {
    var f = GLTFFixture()
    let base = f.addTexture(source: f.addImage(TestImages.png(width: 4, height: 2, rgba: checkerRGBA)))
    let shadeRGBA = [UInt8](repeating: 90, count: 2 * 2 * 4)
    let shade = f.addTexture(source: f.addImage(TestImages.png(width: 2, height: 2, rgba: shadeRGBA)))
    let mtoon: [String: Any] = [
        "specVersion": "1.0", "shadeColorFactor": [0.2, 0.3, 0.4], "shadeMultiplyTexture": ["index": shade],
        "shadingShiftFactor": -0.2, "shadingToonyFactor": 0.7, "outlineWidthMode": "worldCoordinates",
        "outlineWidthFactor": 0.01, "outlineColorFactor": [0.1, 0.05, 0], "outlineLightingMixFactor": 0.25,
    ]
    let screen: [String: Any] = [
        "specVersion": "1.0", "outlineWidthMode": "screenCoordinates", "outlineWidthFactor": 0.005,
    ]
    f.materials = [
        [
            "name": "Face", "pbrMetallicRoughness": ["baseColorTexture": ["index": base]],
            "extensions": ["VRMC_materials_mtoon": mtoon],
        ],
        ["name": "Hair", "extensions": ["VRMC_materials_mtoon": screen]],
        ["name": "Plain", "extensions": ["VRMC_materials_mtoon": ["specVersion": "1.0"]]],
    ]
    f.extensions = ["VRMC_vrm": ["specVersion": "1.0"]]
    // Scale 2: the model is 2 m tall, so loading halves it (the head is one unit) and the outline with it.
    f.addQuads(materials: [0, 1, 2], nodeScale: 2)
    let model = try RigModel.load(data: f.glb(), name: "avatar.vrm")
    #expect(model.format == .vrm1)
    #expect(model.textures.count == 2)
    let face = try #require(model.materials[0].mtoon)
    #expect(model.materials[0].baseTexture == 0)
    #expect(close3(face.shadeColor, SIMD3(0.2, 0.3, 0.4)) && face.shadeTexture == 1)
    #expect(model.textures[1].texels == [UInt32](repeating: 0x5A5A_5A5A, count: 4))
    #expect(abs(face.shadingShift - -0.2) < 1e-6 && abs(face.shadingToony - 0.7) < 1e-6)
    #expect(abs(face.outlineWidth - 0.005) < 1e-6, "\(face.outlineWidth)")
    #expect(close3(face.outlineColor, SIMD3(0.1, 0.05, 0)) && face.outlineLightingMix == 0.25)
    let hair = try #require(model.materials[1].mtoon)
    #expect(abs(hair.outlineWidth - 0.005 * GLTFRigLoader.headUnitsPerViewHeight) < 1e-6)
    let plain = try #require(model.materials[2].mtoon)
    #expect(plain == RigMToon(shadeColor: SIMD3(1, 1, 1)))  // the schema's defaults
}

@Test("VRM 0.x materialProperties by name: sRGB colours made linear, shading migrated, outline in cm, blend and cull")
func vrm0MToon() throws {
    var f = GLTFFixture()
    let main = f.addTexture(source: f.addImage(TestImages.png(width: 4, height: 2, rgba: checkerRGBA)))
    f.materials = [
        ["name": "Body_00_SKIN", "alphaMode": "OPAQUE"],
        ["name": "Eyes", "extensions": ["KHR_materials_unlit": [:] as [String: Any]]],
        ["name": "Lashes"],
    ]
    let body: [String: Any] = [
        "name": "Body_00_SKIN", "shader": "VRM/MToon",
        "floatProperties": [
            "_Cutoff": 0.4, "_BlendMode": 1, "_CullMode": 0, "_ShadeShift": 0, "_ShadeToony": 0.9,
            "_OutlineWidth": 0.5, "_OutlineWidthMode": 1, "_OutlineColorMode": 1, "_OutlineLightingMix": 0.5,
        ],
        "vectorProperties": [
            "_Color": [0.5, 0.5, 0.5, 0.8], "_ShadeColor": [1, 0.5, 0.25, 1], "_OutlineColor": [0.2, 0.1, 0, 1],
        ],
        "textureProperties": ["_MainTex": main, "_ShadeTexture": main],
    ]
    let lashes: [String: Any] = [
        "name": "Lashes", "shader": "VRM/MToon",
        "floatProperties": ["_BlendMode": 2, "_CullMode": 2, "_ShadeShift": -0.5, "_ShadeToony": 0.5],
    ]
    f.extensions = [
        "VRM": [
            "materialProperties": [
                lashes, ["name": "Eyes", "shader": "VRM/UnlitTexture"], body,
            ]
        ]
    ]
    f.addQuads(materials: [0, 1, 2])
    let model = try RigModel.load(data: f.glb(), name: "avatar.vrm")
    #expect(model.format == .vrm0)
    let m = model.materials[0]
    let toon = try #require(m.mtoon)
    let half = Float(0.21404114)  // sRGB 0.5 in linear
    #expect(closeColour(m.baseColor, SIMD4(half, half, half, 0.8)), "\(m.baseColor)")
    // _Color is what MToon draws with, so it is the factor folded into the first quad's vertex colours.
    #expect(model.colors.filter { closeColour($0, SIMD4(half, half, half, 0.8)) }.count == 4)
    #expect(m.baseTexture == 0 && toon.shadeTexture == 0 && model.textures.count == 1)
    #expect(m.alphaMode == .mask(cutoff: 0.4) && m.doubleSided)
    #expect(close3(toon.shadeColor, SIMD3(1, half, 0.050876)), "\(toon.shadeColor)")
    #expect(close3(toon.outlineColor, SIMD3(0.033105, 0.010023, 0)), "\(toon.outlineColor)")
    // UniVRM's reference values: 0.x defaults (shift 0, toony 0.9) → 1.0 shift −0.05, toony 0.95.
    #expect(abs(toon.shadingShift - -0.05) < 1e-5 && abs(toon.shadingToony - 0.95) < 1e-5)
    // 0.5 cm = 0.005 m on a 1 m model: 0.005 head units.
    #expect(abs(toon.outlineWidth - 0.005) < 1e-6 && toon.outlineLightingMix == 0.5)
    #expect(model.materials[1].unlit && model.materials[1].mtoon == nil)
    let lashesMaterial = model.materials[2]
    #expect(lashesMaterial.alphaMode == .blend && !lashesMaterial.doubleSided)
    let lashesToon = try #require(lashesMaterial.mtoon)
    // 0.x range −0.5 … lerp(1, −0.5, 0.5) = 0.25: width 0.75, centre −0.125.
    #expect(abs(lashesToon.shadingShift - 0.125) < 1e-5 && abs(lashesToon.shadingToony - 0.625) < 1e-5)
    #expect(lashesToon.outlineWidth == 0 && lashesToon.outlineLightingMix == 0)
}

@Test("MToon 0.x → 1.0 shading migration matches UniVRM's reference cases")
func shadingMigration() {
    func expectMigrated(_ shift: Float, _ toony: Float, _ expected: (Float, Float)) {
        let m = GLTFRigLoader.migrateShading(shift: shift, toony: toony)
        #expect(abs(m.shift - expected.0) < 1e-5 && abs(m.toony - expected.1) < 1e-5, "\(shift), \(toony) → \(m)")
    }
    expectMigrated(0, 0.9, (-0.05, 0.95))
    expectMigrated(0, 0, (-0.5, 0.5))  // Lambert
    expectMigrated(-1, 0, (0, 0))  // half Lambert: the whole −1 … 1 range
}
