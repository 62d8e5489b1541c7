import Foundation

/// Textured quads, images and textures for the material tests.
extension GLTFFixture {
    /// A primitive: the unit quad moved by `offset` along x, with UVs, optionally with `material`.
    mutating func quadPrimitive(material: Int?, offset: Float = 0) -> [String: Any] {
        let position = floats(Self.quad.flatMap { [$0.x + offset, $0.y, $0.z] }, type: "VEC3")
        let uv = floats([0, 1, 1, 1, 1, 0, 0, 0], type: "VEC2")
        let idx = indices([0, 1, 2, 0, 2, 3])
        var primitive: [String: Any] = ["attributes": ["POSITION": position, "TEXCOORD_0": uv], "indices": idx]
        if let material { primitive["material"] = material }
        return primitive
    }

    /// One mesh node with a primitive per entry of `materials` (nil: no material), side by side.
    mutating func addQuads(materials primitiveMaterials: [Int?], nodeScale: Float? = nil) {
        let primitives = primitiveMaterials.enumerated().map {
            quadPrimitive(material: $0.element, offset: Float($0.offset))
        }
        meshes.append(["primitives": primitives])
        var node: [String: Any] = ["mesh": meshes.count - 1, "name": "Face"]
        if let nodeScale { node["scale"] = [nodeScale, nodeScale, nodeScale] }
        nodes.append(node)
    }

    /// Appends an image stored in a buffer view; returns its index.
    mutating func addImage(_ bytes: [UInt8], mimeType: String = "image/png", name: String? = nil) -> Int {
        var image: [String: Any] = ["bufferView": view(bytes), "mimeType": mimeType]
        if let name { image["name"] = name }
        return append(image, to: "images")
    }

    /// Appends an image given by URI; returns its index.
    mutating func addImage(uri: String) -> Int { append(["uri": uri], to: "images") }

    /// Appends a texture of image `source`; returns its index.
    mutating func addTexture(source: Int) -> Int { append(["source": source], to: "textures") }

    mutating func append(_ element: [String: Any], to array: String) -> Int {
        var elements = extra[array] as? [[String: Any]] ?? []
        elements.append(element)
        extra[array] = elements
        return elements.count - 1
    }
}
