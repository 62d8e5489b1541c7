import Foundation

/// Builds small glTF 2.0 assets in memory (binary buffer + JSON via JSONSerialization), as `.gltf` with a `data:` URI,
/// as `.gltf` + external `.bin`, or as a `.glb` container.
struct GLTFFixture {
    var bin: [UInt8] = []
    var bufferViews: [[String: Any]] = []
    var accessors: [[String: Any]] = []
    var meshes: [[String: Any]] = []
    var nodes: [[String: Any]] = []
    var skins: [[String: Any]] = []
    var materials: [[String: Any]] = []
    var extensions: [String: Any] = [:]
    var extra: [String: Any] = [:]
    var sceneNodes: [Int]?

    static let float = 5126, unsignedByte = 5121, unsignedShort = 5123, unsignedInt = 5125, byte = 5120, short = 5122

    /// Appends bytes (4-byte aligned) as a new buffer view; returns its index.
    mutating func view(_ bytes: [UInt8], stride: Int? = nil) -> Int {
        while bin.count % 4 != 0 { bin.append(0) }
        var v: [String: Any] = ["buffer": 0, "byteOffset": bin.count, "byteLength": bytes.count]
        if let stride { v["byteStride"] = stride }
        bin += bytes
        bufferViews.append(v)
        return bufferViews.count - 1
    }

    static func bytes(_ floats: [Float]) -> [UInt8] {
        floats.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) }
    }
    static func bytes(u16 values: [UInt16]) -> [UInt8] {
        values.flatMap { withUnsafeBytes(of: $0.littleEndian, Array.init) }
    }
    static func bytes(u32 values: [UInt32]) -> [UInt8] {
        values.flatMap { withUnsafeBytes(of: $0.littleEndian, Array.init) }
    }

    mutating func accessor(_ a: [String: Any]) -> Int {
        accessors.append(a)
        return accessors.count - 1
    }

    /// A tightly packed float accessor.
    mutating func floats(_ values: [Float], type: String) -> Int {
        let components = ["SCALAR": 1, "VEC2": 2, "VEC3": 3, "VEC4": 4, "MAT4": 16][type]!
        let v = view(Self.bytes(values))
        return accessor([
            "bufferView": v, "componentType": Self.float, "count": values.count / components, "type": type,
        ])
    }

    mutating func indices(_ values: [UInt32], componentType: Int = GLTFFixture.unsignedShort) -> Int {
        let bytes: [UInt8] =
            switch componentType {
            case Self.unsignedByte: values.map { UInt8($0) }
            case Self.unsignedShort: Self.bytes(u16: values.map { UInt16($0) })
            default: Self.bytes(u32: values)
            }
        let v = view(bytes)
        return accessor(["bufferView": v, "componentType": componentType, "count": values.count, "type": "SCALAR"])
    }

    /// A VEC3 accessor with no buffer view and `entries` substituted through a sparse part.
    mutating func sparseVec3(count: Int, entries: [(UInt32, SIMD3<Float>)], indexType: Int = GLTFFixture.unsignedShort)
        -> Int
    {
        let idxBytes: [UInt8] =
            indexType == Self.unsignedByte
            ? entries.map { UInt8($0.0) }
            : indexType == Self.unsignedShort
                ? Self.bytes(u16: entries.map { UInt16($0.0) }) : Self.bytes(u32: entries.map(\.0))
        let iv = view(idxBytes)
        let vv = view(Self.bytes(entries.flatMap { [$0.1.x, $0.1.y, $0.1.z] }))
        return accessor([
            "componentType": Self.float, "count": count, "type": "VEC3",
            "sparse": [
                "count": entries.count, "indices": ["bufferView": iv, "componentType": indexType],
                "values": ["bufferView": vv],
            ],
        ])
    }

    func json(bufferURI: String?) -> [String: Any] {
        var buffer: [String: Any] = ["byteLength": bin.count]
        if let bufferURI { buffer["uri"] = bufferURI }
        var j: [String: Any] = [
            "asset": ["version": "2.0", "generator": "OmoteRigTests"],
            "buffers": bin.isEmpty ? [] : [buffer],
            "bufferViews": bufferViews, "accessors": accessors, "meshes": meshes, "nodes": nodes,
            "scenes": [
                [
                    "nodes": sceneNodes
                        ?? nodes.indices.filter { i in
                            !nodes.contains { ($0["children"] as? [Int])?.contains(i) ?? false }
                        }
                ]
            ],
            "scene": 0,
        ]
        if !skins.isEmpty { j["skins"] = skins }
        if !materials.isEmpty { j["materials"] = materials }
        if !extensions.isEmpty { j["extensions"] = extensions }
        for (k, v) in extra { j[k] = v }
        return j
    }

    static func serialize(_ json: [String: Any]) -> Data {
        try! JSONSerialization.data(withJSONObject: json, options: [.sortedKeys])
    }

    /// `.gltf` with the buffer embedded as a base64 `data:` URI.
    func gltf() -> Data {
        Self.serialize(json(bufferURI: "data:application/octet-stream;base64," + Data(bin).base64EncodedString()))
    }

    /// `.glb`: header, JSON chunk (space-padded), BIN chunk (zero-padded).
    func glb() -> Data {
        var jsonBytes = [UInt8](Self.serialize(json(bufferURI: nil)))
        while jsonBytes.count % 4 != 0 { jsonBytes.append(0x20) }
        var binBytes = bin
        while binBytes.count % 4 != 0 { binBytes.append(0) }
        func u32(_ v: Int) -> [UInt8] { withUnsafeBytes(of: UInt32(v).littleEndian, Array.init) }
        let total = 12 + 8 + jsonBytes.count + 8 + binBytes.count
        var out = Array("glTF".utf8) + u32(2) + u32(total)
        out += u32(jsonBytes.count) + u32(0x4E4F_534A) + jsonBytes
        out += u32(binBytes.count) + u32(0x004E_4942) + binBytes
        return Data(out)
    }

    // MARK: A standard test mesh

    /// A unit quad in the xy plane centred on the origin (so loading leaves it unscaled): vertices
    /// (−½,−½,0) (½,−½,0) (½,½,0) (−½,½,0), two triangles.
    static let quad: [SIMD3<Float>] = [
        SIMD3(-0.5, -0.5, 0), SIMD3(0.5, -0.5, 0), SIMD3(0.5, 0.5, 0), SIMD3(-0.5, 0.5, 0),
    ]

    mutating func addQuadMesh(
        targets: [[String: Int]], targetNames: [String]?, indexType: Int = GLTFFixture.unsignedShort,
        namesOnMesh: Bool = true
    ) -> Int {
        let position = floats(Self.quad.flatMap { [$0.x, $0.y, $0.z] }, type: "VEC3")
        let idx = indices([0, 1, 2, 0, 2, 3], componentType: indexType)
        var primitive: [String: Any] = ["attributes": ["POSITION": position], "indices": idx, "targets": targets]
        var mesh: [String: Any] = ["primitives": [primitive]]
        if let targetNames {
            if namesOnMesh {
                mesh["extras"] = ["targetNames": targetNames]
            } else {
                primitive["extras"] = ["targetNames": targetNames]
                mesh["primitives"] = [primitive]
            }
        }
        meshes.append(mesh)
        return meshes.count - 1
    }
}
