import Foundation
import OmoteCore
import Testing

@testable import OmoteRig

/// Loads `data` and returns the error it must raise.
func loadError(_ data: Data, name: String = "broken.gltf", folder: String? = nil) -> OmoteError? {
    do {
        _ = try RigModel.load(data: data, name: name, resourceFolder: folder)
        return nil
    } catch {
        return error
    }
}

func expectError(
    _ data: Data, _ code: OmoteError.Code, path: String? = nil, folder: String? = nil,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    guard let error = loadError(data, folder: folder) else {
        Issue.record("expected \(code) but the load succeeded", sourceLocation: sourceLocation)
        return
    }
    #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
    if let path { #expect(error.subject == "broken.gltf at \(path)", "\(error)", sourceLocation: sourceLocation) }
    #expect(error.description.contains("broken.gltf"), sourceLocation: sourceLocation)
}

func json(_ f: GLTFFixture, uri: String?, edit: (inout [String: Any]) -> Void = { _ in }) -> Data {
    var j = f.json(bufferURI: uri)
    edit(&j)
    return GLTFFixture.serialize(j)
}

/// An edit for `json` that sets `key` of element `index` of the top-level array `array` to `value`.
func setting(_ array: String, _ index: Int, _ key: String, to value: Any) -> (inout [String: Any]) -> Void {
    { j in
        var elements = j[array] as! [[String: Any]]
        elements[index][key] = value
        j[array] = elements
    }
}

func embedded(_ f: GLTFFixture) -> String {
    "data:application/octet-stream;base64," + Data(f.bin).base64EncodedString()
}

@Test("Malformed JSON, a non-object top level and a missing asset version are reported with their JSON path")
func malformedJSON() {
    expectError(Data("{\"asset\": {\"version\": \"2.0\"".utf8), .rigMalformedJSON, path: "$")
    expectError(Data("[1, 2, 3]".utf8), .rigMalformedJSON, path: "$")
    expectError(Data("{\"asset\": {}}".utf8), .rigInvalidValue, path: "asset.version")
    expectError(Data("{\"asset\": {\"version\": \"1.0\"}}".utf8), .rigUnsupportedFile, path: "asset.version")
    let f = denseQuadFixture()
    expectError(json(f, uri: embedded(f)) { $0["accessors"] = "nope" }, .rigInvalidValue, path: "accessors")
    expectError(
        json(f, uri: embedded(f), edit: setting("nodes", 0, "mesh", to: 7)),
        .rigInvalidValue, path: "nodes[0].mesh")
}

@Test("Broken GLB containers: wrong version, truncated, first chunk not JSON")
func malformedGLB() {
    var glb = [UInt8](denseQuadFixture().glb())
    var v1 = glb
    v1[4] = 1
    expectError(Data(v1), .rigMalformedGLB)
    expectError(Data(glb.prefix(glb.count - 8)), .rigMalformedGLB)
    glb[16] = 0x41  // chunk type "AJSON"…
    expectError(Data(glb), .rigMalformedGLB)
    expectError(Data(Array("glTF".utf8) + [2, 0, 0]), .rigMalformedGLB)
}

@Test("Accessors and buffer views out of bounds, index and sparse index overflow")
func accessorBounds() {
    let f = denseQuadFixture()
    let edits: [(edit: (inout [String: Any]) -> Void, code: OmoteError.Code, path: String)] = [
        // Accessor 0 (the first target) claims 5 elements of a 4-element view.
        (setting("accessors", 0, "count", to: 5), .rigAccessorOutOfBounds, "accessors[0]"),
        // A byte offset pushing the data past the view.
        (setting("accessors", 1, "byteOffset", to: 4), .rigAccessorOutOfBounds, "accessors[1]"),
        // A view past the end of its buffer.
        (setting("bufferViews", 0, "byteLength", to: 4096), .rigAccessorOutOfBounds, "bufferViews[0]"),
        // A byteStride smaller than the element.
        (setting("bufferViews", 0, "byteStride", to: 8), .rigInvalidValue, "bufferViews[0].byteStride"),
    ]
    for (edit, code, path) in edits {
        expectError(json(f, uri: embedded(f), edit: edit), code, path: path)
    }

    // A triangle index beyond the vertices.
    var g = GLTFFixture()
    let p = g.floats(GLTFFixture.quad.flatMap { [$0.x, $0.y, $0.z] }, type: "VEC3")
    let i = g.indices([0, 1, 9])
    g.meshes = [["primitives": [["attributes": ["POSITION": p], "indices": i]]]]
    g.nodes = [["mesh": 0]]
    expectError(g.gltf(), .rigAccessorOutOfBounds, path: "meshes[0].primitives[0].indices")

    // A sparse index beyond the accessor's count.
    var h = GLTFFixture()
    let hp = h.floats(GLTFFixture.quad.flatMap { [$0.x, $0.y, $0.z] }, type: "VEC3")
    let bad = h.sparseVec3(count: 4, entries: [(4, SIMD3(1, 0, 0))])
    let hi = h.indices([0, 1, 2])
    h.meshes = [["primitives": [["attributes": ["POSITION": hp], "indices": hi, "targets": [["POSITION": bad]]]]]]
    h.nodes = [["mesh": 0]]
    expectError(h.gltf(), .rigAccessorOutOfBounds, path: "accessors[1].sparse.indices")
}

@Test("Missing buffers: no uri outside a GLB, too few bytes, a relative file that is not there")
func missingBuffers() throws {
    let f = denseQuadFixture()
    expectError(json(f, uri: nil), .rigMissingBuffer, path: "buffers[0]")
    expectError(
        json(f, uri: "data:application/octet-stream;base64," + Data(f.bin.prefix(10)).base64EncodedString()),
        .rigMissingBuffer, path: "buffers[0]")
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("omote-rig-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    expectError(json(f, uri: "absent.bin"), .rigMissingBuffer, path: "buffers[0].uri", folder: dir.path)
    #expect(throws: OmoteError.self) {
        try RigModel.load(contentsOfFile: dir.appendingPathComponent("nothing.vrm").path)
    }
}

@Test("Unsupported required extensions are refused; material-only ones are accepted")
func requiredExtensions() throws {
    let f = denseQuadFixture()
    expectError(
        json(f, uri: embedded(f)) {
            $0["extensionsRequired"] = ["KHR_texture_transform", "KHR_draco_mesh_compression"]
        },
        .rigUnsupportedExtension, path: "extensionsRequired[1]")
    expectError(
        json(f, uri: embedded(f)) { $0["extensionsRequired"] = ["EXT_meshopt_compression"] }, .rigUnsupportedExtension)
    _ = try RigModel.load(
        data: json(f, uri: embedded(f)) { $0["extensionsRequired"] = ["KHR_materials_unlit"] }, name: "ok.gltf")
}

@Test(
    "Only data: URIs and relative files inside the model's folder are read: http(s), file, absolute and .. are refused")
func uriPolicy() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("omote-rig-\(UUID().uuidString)")
    let inner = dir.appendingPathComponent("model")
    try FileManager.default.createDirectory(at: inner, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let f = denseQuadFixture()
    // A real buffer one level up, and a symlink inside the folder pointing at it: both must stay unread.
    try Data(f.bin).write(to: dir.appendingPathComponent("outside.bin"))
    try FileManager.default.createSymbolicLink(
        atPath: inner.appendingPathComponent("link.bin").path,
        withDestinationPath: dir.appendingPathComponent("outside.bin").path)
    for uri in [
        "http://example.com/quad.bin", "https://example.com/quad.bin", "HTTP://example.com/x.bin", "file:///etc/passwd",
        "ftp://example.com/x.bin", "/etc/passwd", dir.appendingPathComponent("outside.bin").path, "../outside.bin",
        "sub/../../outside.bin", "%2E%2E/outside.bin", "..\\outside.bin", "link.bin", "//example.com/x.bin",
    ] {
        let error = loadError(json(f, uri: uri), folder: inner.path)
        #expect(error?.code == .rigRefusedURI, "\(uri): \(String(describing: error))")
        #expect(error?.subject.hasSuffix(" at buffers[0].uri") == true)
    }
    // Without a folder (bytes given in memory), even plain relative files are refused.
    #expect(loadError(json(f, uri: "quad.bin"))?.code == .rigRefusedURI)
    // The same bytes inside the folder load.
    try Data(f.bin).write(to: inner.appendingPathComponent("quad.bin"))
    _ = try RigModel.load(data: json(f, uri: "quad.bin"), name: "ok.gltf", resourceFolder: inner.path)
    _ = try RigModel.load(data: json(f, uri: "./quad.bin"), name: "ok.gltf", resourceFolder: inner.path)
}

@Test("Other structural errors: no triangles, a VRM bind to a missing target, an attribute count mismatch")
func structuralErrors() {
    var empty = GLTFFixture()
    empty.nodes = [["name": "nothing"]]
    expectError(empty.gltf(), .rigNoGeometry)

    var f = denseQuadFixture()
    f.extensions = [
        "VRM": [
            "blendShapeMaster": [
                "blendShapeGroups": [
                    ["name": "A", "presetName": "a", "binds": [["mesh": 0, "index": 5, "weight": 100]]]
                ]
            ]
        ]
    ]
    expectError(f.gltf(), .rigInvalidValue, path: "extensions.VRM.blendShapeMaster.blendShapeGroups[0].binds[0].index")

    var g = GLTFFixture()
    let p = g.floats(GLTFFixture.quad.flatMap { [$0.x, $0.y, $0.z] }, type: "VEC3")
    let n = g.floats([0, 0, 1, 0, 0, 1], type: "VEC3")
    g.meshes = [["primitives": [["attributes": ["POSITION": p, "NORMAL": n]]]]]
    g.nodes = [["mesh": 0]]
    expectError(g.gltf(), .rigInvalidValue, path: "meshes[0].primitives[0].attributes.NORMAL")
}

@Test("Errors read well: what, file, JSON path and a hint")
func errorDescription() {
    let e = OmoteError.rigLoad(
        .rigRefusedURI, file: "avatar.gltf", jsonPath: "buffers[0].uri", "\"http://x\" uses the http: scheme")
    #expect(e.description.contains("avatar.gltf at buffers[0].uri"))
    #expect(e.description.contains("never fetches URLs"))
    #expect(e.description.contains("refused URI"))
    #expect(e.code.rawValue == "rig.refusedURI")
}
