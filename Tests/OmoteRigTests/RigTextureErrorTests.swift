import Foundation
import OmoteCore
import Testing

@testable import OmoteRig

/// A one-quad model whose material's base colour texture is `image` (stored in a buffer view).
func texturedQuad(_ image: [UInt8], mimeType: String = "image/png") -> GLTFFixture {
    var f = GLTFFixture()
    let texture = f.addTexture(source: f.addImage(image, mimeType: mimeType))
    f.materials = [["pbrMetallicRoughness": ["baseColorTexture": ["index": texture]]]]
    f.addQuads(materials: [0])
    return f
}

@Test("A truncated or damaged PNG fails naming the file and the image")
func corruptPNG() throws {
    let png = TestImages.png(width: 4, height: 2, rgba: checkerRGBA)
    expectError(texturedQuad(Array(png.prefix(png.count - 30))).gltf(), .rigCorruptImage, path: "images[0]")
    var flipped = png
    flipped[45] ^= 0xFF  // inside IDAT: the chunk's CRC no longer matches
    let error = try #require(loadError(texturedQuad(flipped).gltf()))
    #expect(error.code == .rigCorruptImage && error.subject == "broken.gltf at images[0]", "\(error)")
    #expect(error.description.contains("libpng"))
    // A PNG mimeType over bytes that are no PNG at all.
    expectError(texturedQuad([1, 2, 3, 4, 5, 6, 7, 8, 9]).gltf(), .rigCorruptImage, path: "images[0]")
}

@Test("A corrupt JPEG fails naming the image")
func corruptJPEG() throws {
    var rgb: [UInt8] = []
    for i in 0 ..< 16 * 16 { rgb += [UInt8(i % 256), UInt8(i / 3 % 256), 100] }
    let jpeg = try TestImages.jpeg(width: 16, height: 16, rgb: rgb)
    expectError(
        texturedQuad(Array(jpeg.prefix(jpeg.count / 2)), mimeType: "image/jpeg").gltf(), .rigCorruptImage,
        path: "images[0]")
}

@Test("A header claiming 100000×100000 fails fast, before allocating, with the limit in the message")
func hugeImageHeader() throws {
    let lying = TestImages.png(
        width: 4, height: 2, rgba: checkerRGBA, claimedWidth: 100_000, claimedHeight: 100_000)
    let start = ContinuousClock.now
    let error = try #require(loadError(texturedQuad(lying).gltf()))
    #expect(ContinuousClock.now - start < .seconds(2))
    #expect(error.code == .rigImageTooLarge && error.subject == "broken.gltf at images[0]", "\(error)")
    #expect(error.description.contains("100000×100000") && error.description.contains("8192"))
}

@Test("The model's textures together may hold at most the texel budget")
func texelBudget() throws {
    let png = TestImages.png(width: 4, height: 2, rgba: checkerRGBA)
    var budget = 8
    _ = try RigTexture.decode(
        png, mimeType: "image/png", name: "a", file: "m.glb", image: "images[0]", texelBudget: &budget)
    #expect(budget == 0)
    do {
        _ = try RigTexture.decode(
            png, mimeType: "image/png", name: "b", file: "m.glb", image: "images[1]", texelBudget: &budget)
        Issue.record("the second image fits no budget but decoded")
    } catch {
        #expect(error.code == .rigImageTooLarge && error.subject == "m.glb at images[1]")
        #expect(error.description.contains("64 Mi texels"))
    }
}

@Test("KTX2, WebP and texture-extension-only images are refused naming the type, suggesting PNG/JPEG")
func unsupportedImages() throws {
    let ktx2: [UInt8] = [0xAB, 0x4B, 0x54, 0x58, 0x20, 0x32, 0x30, 0xBB, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0]
    let error = try #require(loadError(texturedQuad(ktx2, mimeType: "image/ktx2").gltf()))
    #expect(error.code == .rigUnsupportedImage && error.subject == "broken.gltf at images[0]", "\(error)")
    #expect(error.description.contains("image/ktx2") && error.description.contains("PNG or JPEG"))

    let webp = Array("RIFF".utf8) + [20, 0, 0, 0] + Array("WEBPVP8 ".utf8) + [0, 0, 0, 0]
    let webpError = try #require(loadError(texturedQuad(webp, mimeType: "image/webp").gltf()))
    #expect(webpError.code == .rigUnsupportedImage && webpError.description.contains("image/webp"))

    var f = GLTFFixture()
    let image = f.addImage(ktx2, mimeType: "image/ktx2")
    let texture = f.append(["extensions": ["KHR_texture_basisu": ["source": image]]], to: "textures")
    f.materials = [["pbrMetallicRoughness": ["baseColorTexture": ["index": texture]]]]
    f.addQuads(materials: [0])
    let basis = try #require(loadError(f.gltf()))
    #expect(basis.code == .rigUnsupportedImage && basis.subject == "broken.gltf at textures[0]", "\(basis)")
    #expect(basis.description.contains("KHR_texture_basisu"))
}

@Test("A texture or image index out of range names the JSON path")
func textureIndexOutOfRange() {
    var f = texturedQuad(TestImages.png(width: 4, height: 2, rgba: checkerRGBA))
    f.materials = [["pbrMetallicRoughness": ["baseColorTexture": ["index": 3]]]]
    expectError(f.gltf(), .rigInvalidValue, path: "materials[0].pbrMetallicRoughness.baseColorTexture.index")
    var g = texturedQuad(TestImages.png(width: 4, height: 2, rgba: checkerRGBA))
    g.extra["textures"] = [["source": 7]]
    expectError(g.gltf(), .rigInvalidValue, path: "textures[0].source")
    var h = GLTFFixture()
    h.materials = [["alphaMode": "SOMETIMES"]]
    h.addQuads(materials: [0])
    expectError(h.gltf(), .rigInvalidValue, path: "materials[0].alphaMode")
}

@Test("Images no drawn material uses are not decoded (a broken one does not fail the load)")
func unusedImagesAreNotDecoded() throws {
    var f = GLTFFixture()
    let broken = f.addImage([0x89, 0x50, 0x4E, 0x47, 0, 0, 0, 0])
    f.materials = [["pbrMetallicRoughness": ["baseColorTexture": ["index": f.addTexture(source: broken)]]]]
    f.addQuads(materials: [nil])
    let model = try RigModel.load(data: f.gltf(), name: "unused.gltf")
    #expect(model.textures.isEmpty && model.materials.map(\.name) == ["default"])
}

@Test("loadDecoders loads libpng and libjpeg-turbo (idempotent)")
func decodersLoad() throws {
    try RigTexture.loadDecoders([.png])
    try RigTexture.loadDecoders()
    try RigTexture.loadDecoders()
    #expect(RigTexture.areDecodersLoaded)
}
