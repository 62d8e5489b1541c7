import Foundation
import OmoteCore
import OmoteTestSupport
import Testing

@testable import OmoteRig

/// A GLB read independently of the loader (JSONSerialization and byte offsets), to check what the loader made of it.
private struct RawGLB {
    let json: [String: Any]
    let binary: Data

    init(path: String) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let jsonLength = Int(data[12]) | Int(data[13]) << 8 | Int(data[14]) << 16 | Int(data[15]) << 24
        json = try #require(try JSONSerialization.jsonObject(with: data[20 ..< 20 + jsonLength]) as? [String: Any])
        binary = data[(20 + jsonLength + 8)...]
    }

    func array(_ key: String) -> [[String: Any]] { json[key] as? [[String: Any]] ?? [] }

    /// The float values of accessor `index` (tightly packed VEC2/VEC3 float accessors, as these files have).
    func floats(accessor index: Int) -> [Float] {
        let accessor = array("accessors")[index]
        let view = array("bufferViews")[accessor["bufferView"] as! Int]
        let components = ["VEC2": 2, "VEC3": 3, "VEC4": 4][accessor["type"] as! String]!
        let start =
            binary.startIndex + (view["byteOffset"] as? Int ?? 0) + (accessor["byteOffset"] as? Int ?? 0)
        return (0 ..< (accessor["count"] as! Int) * components).map { i in
            binary.withUnsafeBytes {
                $0.loadUnaligned(fromByteOffset: start - binary.startIndex + i * 4, as: Float.self)
            }
        }
    }
}

private func closeUV(_ a: SIMD2<Float>, _ b: SIMD2<Float>) -> Bool { abs(a.x - b.x) < 1e-6 && abs(a.y - b.y) < 1e-6 }

/// Two files written by a real exporter (VRM-Addon-for-Blender; see Fixtures/vrm/README.md): one VRM 0.x with
/// `VRM/MToon` material properties, one VRM 1.0 with VRMC_materials_mtoon, both with PNG textures and
/// KHR_texture_transform on the base colour texture.
@Suite("VRM files from a real exporter")
struct ExporterVRMTests {
    static let folder = TestPaths.repositoryRoot + "/Tests/OmoteRigTests/Fixtures/vrm/"

    init() throws { try RigTexture.loadDecoders([.png]) }

    @Test("VRM 0.x and 1.0 load with every material MToon, textured, in the exporter's alpha modes", arguments: [0, 1])
    func loads(version: Int) throws {
        let path = Self.folder + "mtoon-vrm\(version).vrm"
        let model = try RigModel.load(contentsOfFile: path)
        let raw = try RawGLB(path: path)
        #expect(model.format == (version == 0 ? .vrm0 : .vrm1))
        let names = raw.array("materials").map { $0["name"] as? String ?? "" }
        #expect(Set(model.materials.map(\.name)) == Set(names))
        for material in model.materials {
            #expect(material.mtoon != nil, "\(material.name) has no MToon parameters")
            let mode =
                switch material.alphaMode {
                case .opaque: "OPAQUE"
                case .mask: "MASK"
                case .blend: "BLEND"
                }
            let written = raw.array("materials").first { $0["name"] as? String == material.name }?["alphaMode"]
            #expect(mode == written as? String ?? "OPAQUE", "\(material.name)")
        }
        // Textured: the base textures the materials name were decoded at their PNG size (8×8 in these files).
        let textured = model.materials.compactMap(\.baseTexture)
        #expect(!textured.isEmpty)
        for index in textured {
            #expect(model.textures[index].width == 8 && model.textures[index].height == 8)
        }
        expectSurfacesCoverIndices(model)
    }

    @Test("KHR_texture_transform on the base texture moves the primitive's UVs (offset, scale)", arguments: [0, 1])
    func textureTransform(version: Int) throws {
        let path = Self.folder + "mtoon-vrm\(version).vrm"
        let model = try RigModel.load(contentsOfFile: path)
        let raw = try RawGLB(path: path)
        let materials = raw.array("materials")
        let opaque = try #require(materials.firstIndex { $0["name"] as? String == "Opaque" })
        let pbr = materials[opaque]["pbrMetallicRoughness"] as! [String: Any]
        let info = pbr["baseColorTexture"] as! [String: Any]
        let transform = (info["extensions"] as! [String: Any])["KHR_texture_transform"] as! [String: Any]
        let offset = (transform["offset"] as! [Double]).map(Float.init)
        let scale = (transform["scale"] as! [Double]).map(Float.init)
        #expect(offset == [-0.125, 0.125] && scale == [1.5, 1])
        // The Opaque primitive's raw UVs, scaled then offset, are the loaded UVs of its surface's vertices.
        let primitive = try #require(
            raw.array("meshes").flatMap { $0["primitives"] as! [[String: Any]] }.first {
                $0["material"] as? Int == opaque
            })
        let rawUVs = raw.floats(accessor: (primitive["attributes"] as! [String: Int])["TEXCOORD_0"]!)
        let slot = try #require(model.materials.firstIndex { $0.name == "Opaque" })
        let surface = try #require(model.surfaces.first { $0.material == slot })
        let vertices = Set(model.indices[surface.indexStart ..< surface.indexStart + surface.indexCount]).sorted()
        #expect(vertices.count * 2 == rawUVs.count)
        for (k, vertex) in vertices.enumerated() {
            let expected = SIMD2(rawUVs[k * 2] * scale[0] + offset[0], rawUVs[k * 2 + 1] * scale[1] + offset[1])
            #expect(closeUV(model.uvs[Int(vertex)], expected), "vertex \(vertex): \(model.uvs[Int(vertex)])")
        }
    }

    @Test("The transform's matrix: scale, then rotate counter-clockwise in UV space, then offset")
    func transformArithmetic() {
        let transform = GLTFTextureTransform(offset: SIMD2(0.5, -0.25), rotation: .pi / 2, scale: SIMD2(2, 3))
        // (1, 1) → scaled (2, 3) → rotated by the extension's matrix [c s; -s c] = [0 1; -1 0] → (3, -2) → + offset.
        #expect(closeUV(transform.apply(SIMD2(1, 1)), SIMD2(3.5, -2.25)))
        #expect(GLTFTextureTransform().apply(SIMD2(0.3, 0.7)) == SIMD2(0.3, 0.7))
        #expect(GLTFTextureTransform().isIdentity && !transform.isIdentity)
    }
}
