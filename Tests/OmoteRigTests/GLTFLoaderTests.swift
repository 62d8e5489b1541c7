import Foundation
import OmoteCore
import OmoteTestSupport
import Testing

@testable import OmoteRig

/// Index of the model vertex whose rest position is `p` (models reorder vertices at load).
func vertex(_ model: RigModel, at p: SIMD3<Float>) -> Int? {
    model.positions.firstIndex { abs($0.x - p.x) < 1e-5 && abs($0.y - p.y) < 1e-5 && abs($0.z - p.z) < 1e-5 }
}

func close(_ a: SIMD3<Float>, _ b: SIMD3<Float>, _ tolerance: Float = 1e-5) -> Bool {
    let d = a - b
    return (d * d).sum().squareRoot() <= tolerance
}

func targetIndex(_ model: RigModel, _ name: String) -> Int? { model.morphTargets.firstIndex { $0.name == name } }

/// The dense-target quad every loader test starts from: eyeBlink_L moves vertices 1 and 2, jawOpen moves vertex 0.
func denseQuadFixture(indexType: Int = GLTFFixture.unsignedShort, namesOnMesh: Bool = true) -> GLTFFixture {
    var f = GLTFFixture()
    let blink = f.floats([0, 0, 0, 0.1, 0, 0, 0, 0.2, 0, 0, 0, 0], type: "VEC3")
    let jaw = f.floats([0, -0.3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], type: "VEC3")
    let mesh = f.addQuadMesh(
        targets: [["POSITION": blink], ["POSITION": jaw]], targetNames: ["eyeBlink_L", "blendShape1.jawOpen"],
        indexType: indexType, namesOnMesh: namesOnMesh)
    f.nodes = [["mesh": mesh, "name": "Face"]]
    return f
}

/// Checks the quad deformed with eyeBlinkLeft = 0.5 and jawOpen = 1.
func expectQuadDeformation(_ model: RigModel) throws {
    var weights = BlendshapeWeights()
    weights[.eyeBlinkLeft] = 0.5
    weights[.jawOpen] = 1
    let state = try RigState(model: model)
    state.apply(weights: weights, headPose: HeadPose())
    let q = GLTFFixture.quad
    let expected: [SIMD3<Float>] = [q[0] + SIMD3(0, -0.3, 0), q[1] + SIMD3(0.05, 0, 0), q[2] + SIMD3(0, 0.1, 0), q[3]]
    for i in 0 ..< 4 {
        let v = try #require(vertex(model, at: q[i]))
        #expect(close(state.positions[v], expected[i]), "vertex \(i): \(state.positions[v]) vs \(expected[i])")
    }
}

@Test("A .gltf with dense morph targets deforms to the expected positions; targets are stored sparsely")
func denseTargetsDeform() throws {
    let model = try RigModel.load(data: denseQuadFixture().gltf(), name: "quad.gltf")
    #expect(model.format == .gltf)
    #expect(model.vertexCount == 4 && model.triangleCount == 2)
    let blink = try #require(targetIndex(model, "eyeBlink_L"))
    #expect(model.morphTargets[blink].vertexIndices.count == 2)  // only the moved vertices
    #expect(model.morphTargets[try #require(targetIndex(model, "blendShape1.jawOpen"))].vertexIndices.count == 1)
    try expectQuadDeformation(model)
}

@Test("The same asset as a .glb container, with targetNames on the primitive, and 8- and 32-bit indices")
func glbContainer() throws {
    try expectQuadDeformation(try RigModel.load(data: denseQuadFixture(namesOnMesh: false).glb(), name: "quad.glb"))
    try expectQuadDeformation(
        try RigModel.load(data: denseQuadFixture(indexType: GLTFFixture.unsignedByte).glb(), name: "q8.glb"))
    try expectQuadDeformation(
        try RigModel.load(data: denseQuadFixture(indexType: GLTFFixture.unsignedInt).gltf(), name: "q32.gltf"))
}

@Test("Sparse accessors: targets without a buffer view, and a POSITION accessor patched by a sparse part")
func sparseAccessors() throws {
    var f = GLTFFixture()
    // POSITION: dense data has vertex 3 at the origin; the sparse part moves it to (−½, ½, 0).
    let wrong: [Float] = GLTFFixture.quad.enumerated().flatMap { (i, p) -> [Float] in
        i == 3 ? [0, 0, 0] : [p.x, p.y, p.z]
    }
    let baseView = f.view(GLTFFixture.bytes(wrong))
    let fixIndex = f.view([3])
    let fixValue = f.view(GLTFFixture.bytes([-0.5, 0.5, 0]))
    let position = f.accessor([
        "bufferView": baseView, "componentType": GLTFFixture.float, "count": 4, "type": "VEC3",
        "sparse": [
            "count": 1, "indices": ["bufferView": fixIndex, "componentType": GLTFFixture.unsignedByte],
            "values": ["bufferView": fixValue],
        ],
    ])
    let blink = f.sparseVec3(count: 4, entries: [(1, SIMD3(0.1, 0, 0)), (2, SIMD3(0, 0.2, 0))])
    let jaw = f.sparseVec3(count: 4, entries: [(0, SIMD3(0, -0.3, 0))], indexType: GLTFFixture.unsignedInt)
    let idx = f.indices([0, 1, 2, 0, 2, 3])
    f.meshes = [
        [
            "primitives": [
                [
                    "attributes": ["POSITION": position], "indices": idx,
                    "targets": [["POSITION": blink], ["POSITION": jaw]],
                ]
            ],
            "extras": ["targetNames": ["EyeBlinkLeft", "jawOpen"]],
        ]
    ]
    f.nodes = [["mesh": 0]]
    let model = try RigModel.load(data: f.gltf(), name: "sparse.gltf")
    try expectQuadDeformation(model)
}

@Test("Interleaved buffer views (byteStride), normalized integer colours, UVs and quantized target deltas")
func componentTypesAndStride() throws {
    var f = GLTFFixture()
    // Per vertex: position float×3 (12 bytes) + colour ubyte×4 (4 bytes) → stride 16.
    var interleaved: [UInt8] = []
    for p in GLTFFixture.quad { interleaved += GLTFFixture.bytes([p.x, p.y, p.z]) + [255, 128, 0, 255] }
    let view = f.view(interleaved, stride: 16)
    let position = f.accessor(["bufferView": view, "componentType": GLTFFixture.float, "count": 4, "type": "VEC3"])
    let colour = f.accessor([
        "bufferView": view, "byteOffset": 12, "componentType": GLTFFixture.unsignedByte, "normalized": true, "count": 4,
        "type": "VEC4",
    ])
    let uvView = f.view(GLTFFixture.bytes(u16: [65535, 0, 0, 65535, 32768, 32768, 0, 0]))
    let uv = f.accessor([
        "bufferView": uvView, "componentType": GLTFFixture.unsignedShort, "normalized": true, "count": 4,
        "type": "VEC2",
    ])
    // Target: normalized signed bytes (KHR_mesh_quantization style), 4-byte aligned elements via byteStride.
    let deltaView = f.view([64, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], stride: 4)
    let delta = f.accessor([
        "bufferView": deltaView, "componentType": GLTFFixture.byte, "normalized": true, "count": 4, "type": "VEC3",
    ])
    let idx = f.indices([0, 1, 2, 0, 2, 3], componentType: GLTFFixture.unsignedByte)
    f.materials = [["pbrMetallicRoughness": ["baseColorFactor": [1, 1, 0.5, 1]]]]
    f.meshes = [
        [
            "primitives": [
                [
                    "attributes": ["POSITION": position, "COLOR_0": colour, "TEXCOORD_0": uv], "indices": idx,
                    "material": 0,
                    "targets": [["POSITION": delta]],
                ]
            ], "extras": ["targetNames": ["mouthLeft"]],
        ]
    ]
    f.nodes = [["mesh": 0]]
    f.extra = ["extensionsRequired": ["KHR_mesh_quantization"], "extensionsUsed": ["KHR_mesh_quantization"]]
    let model = try RigModel.load(data: f.glb(), name: "quantized.glb")
    let v0 = try #require(vertex(model, at: GLTFFixture.quad[0]))
    #expect(close(SIMD3(model.colors[v0].x, model.colors[v0].y, model.colors[v0].z), SIMD3(1, 128.0 / 255, 0)))
    #expect(model.uvs.count == 4 && abs(model.uvs[v0].x - 1) < 1e-6 && model.uvs[v0].y == 0)
    let v2 = try #require(vertex(model, at: GLTFFixture.quad[2]))
    #expect(abs(model.uvs[v2].x - 32768.0 / 65535) < 1e-6)
    var weights = BlendshapeWeights()
    weights[.mouthLeft] = 1
    let state = try RigState(model: model)
    state.apply(weights: weights)
    #expect(close(state.positions[v0], GLTFFixture.quad[0] + SIMD3(64.0 / 127, 0, 0)))
    // Flat quad facing +z: normals computed from the triangles (no NORMAL attribute).
    #expect(close(model.normals[v0], SIMD3(0, 0, 1)))
}

@Test("Skinned mesh with VRM 1.0 humanoid neck and head: head pose rotates vertices about the bone pivots")
func skinnedHeadPose() throws {
    var f = GLTFFixture()
    let position = f.floats(GLTFFixture.quad.flatMap { [$0.x, $0.y, $0.z] }, type: "VEC3")
    let normal = f.floats(
        [Float](repeating: 0, count: 12).enumerated().map { $0.offset % 3 == 2 ? 1 : 0 }, type: "VEC3")
    let jointsView = f.view([UInt8](repeating: 0, count: 16).enumerated().map { $0.offset % 4 == 0 ? 1 : 0 })
    let joints = f.accessor([
        "bufferView": jointsView, "componentType": GLTFFixture.unsignedByte, "count": 4, "type": "VEC4",
    ])
    let weights = f.floats((0 ..< 16).map { $0 % 4 == 0 ? 1 : 0 }, type: "VEC4")
    // Inverse bind matrices: inverse translations of the joints' world positions.
    let ibm = f.floats(
        [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0.4, 0, 1] + [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0.3, 0, 1],
        type: "MAT4")
    let idx = f.indices([0, 1, 2, 0, 2, 3])
    f.meshes = [
        [
            "primitives": [
                [
                    "attributes": ["POSITION": position, "NORMAL": normal, "JOINTS_0": joints, "WEIGHTS_0": weights],
                    "indices": idx,
                ]
            ]
        ]
    ]
    f.nodes = [
        ["name": "Root", "children": [1, 3]],
        ["name": "Neck", "translation": [0, -0.4, 0], "children": [2]],
        ["name": "Head", "translation": [0, 0.1, 0]],
        ["name": "Body", "mesh": 0, "skin": 0],
    ]
    f.skins = [["joints": [1, 2], "inverseBindMatrices": ibm]]
    f.extensions = [
        "VRMC_vrm": ["specVersion": "1.0", "humanoid": ["humanBones": ["neck": ["node": 1], "head": ["node": 2]]]]
    ]
    let model = try RigModel.load(data: f.glb(), name: "skinned.vrm")
    #expect(model.format == .vrm1)
    #expect(close(try #require(model.faceBonePivots[.head]), SIMD3(0, -0.3, 0)))
    #expect(close(try #require(model.faceBonePivots[.neck]), SIMD3(0, -0.4, 0)))
    #expect(model.faceBoneNodes[.head] == 2)

    // The user turns to their own left by 30°: their face (head-frame −z, towards the camera) turns towards the
    // camera's +x (an unmirrored image shows the user's left on the right).
    let a: Float = 30 * .pi / 180
    let pose = HeadPose(rotation: Rotation3(SIMD3(cosf(a), 0, sinf(a)), SIMD3(0, 1, 0), SIMD3(-sinf(a), 0, cosf(a))))
    #expect(close(pose.rotate(SIMD3(0, 0, -1)), SIMD3(sinf(a), 0, -cosf(a))))
    let state = try RigState(model: model)
    state.apply(weights: BlendshapeWeights(), headPose: pose)
    // Model frame: the face turns towards +x (the avatar's own left): rotation about +y by +30°, 35% at the neck.
    func rotY(_ p: SIMD3<Float>, _ angle: Float, about c: SIMD3<Float>) -> SIMD3<Float> {
        let q = p - c
        return c + SIMD3(cosf(angle) * q.x + sinf(angle) * q.z, q.y, -sinf(angle) * q.x + cosf(angle) * q.z)
    }
    let neck = SIMD3<Float>(0, -0.4, 0)
    let head = SIMD3<Float>(0, -0.3, 0)
    for p in GLTFFixture.quad {
        let v = try #require(vertex(model, at: p))
        let expected = rotY(rotY(p, a * 0.65, about: head), a * 0.35, about: neck)
        #expect(close(state.positions[v], expected, 1e-4), "\(state.positions[v]) vs \(expected)")
        #expect(close(state.normals[v], SIMD3(sinf(a), 0, cosf(a)), 1e-4))
    }
}

@Test("VRM 0.x: blend shape groups drive presets from ARKit weights; the model is turned to face +z")
func vrm0Presets() throws {
    var f = GLTFFixture()
    let closeEye = f.floats([0, 0, 0, 0.1, 0, 0, 0, 0, 0, 0, 0, 0], type: "VEC3")
    let a = f.floats([0, -0.2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], type: "VEC3")
    let joy = f.floats([0, 0, 0, 0, 0, 0, 0, 0, 0.1, 0, 0, 0], type: "VEC3")
    let mesh = f.addQuadMesh(
        targets: [["POSITION": closeEye], ["POSITION": a], ["POSITION": joy]],
        targetNames: ["Fcl_EYE_Close_L", "Fcl_MTH_A", "Fcl_ALL_Joy"])
    f.nodes = [["name": "J_Bip_C_Head", "mesh": mesh]]
    f.extensions = [
        "VRM": [
            "humanoid": ["humanBones": [["bone": "head", "node": 0]]],
            "blendShapeMaster": [
                "blendShapeGroups": [
                    ["name": "Blink_L", "presetName": "blink_l", "binds": [["mesh": 0, "index": 0, "weight": 100]]],
                    ["name": "A", "presetName": "a", "binds": [["mesh": 0, "index": 1, "weight": 50]]],
                    ["name": "Joy", "presetName": "joy", "binds": [["mesh": 0, "index": 2, "weight": 100]]],
                    ["name": "Neutral", "presetName": "neutral", "binds": []],
                ]
            ],
        ]
    ]
    let model = try RigModel.load(data: f.glb(), name: "vrm0.vrm")
    #expect(model.format == .vrm0)
    #expect(model.expressions.map(\.preset) == [.blinkLeft, .aa, .happy, .neutral])
    #expect(model.hasBone(.head))
    let closeT = try #require(targetIndex(model, "Fcl_EYE_Close_L"))
    let aT = try #require(targetIndex(model, "Fcl_MTH_A"))
    let joyT = try #require(targetIndex(model, "Fcl_ALL_Joy"))
    #expect(model.mapping.coefficient(target: closeT, shape: .eyeBlinkLeft) == 1)
    #expect(model.mapping.coefficient(target: closeT, shape: .eyeBlinkRight) == 0)
    #expect(model.mapping.coefficient(target: aT, shape: .jawOpen) == 0.5)
    #expect(model.mapping.coefficient(target: joyT, shape: .mouthSmileLeft) == 0.5)
    #expect(model.coverage.source(for: .eyeBlinkLeft) == .presets([.blinkLeft]))
    #expect(model.coverage.source(for: .jawOpen) == .presets([.aa]))
    #expect(model.coverage.source(for: .tongueOut) == .none)
    #expect(Set(model.mapping.drivenPresets) == [.blinkLeft, .aa, .happy])

    var weights = BlendshapeWeights()
    weights[.eyeBlinkLeft] = 1
    weights[.jawOpen] = 0.8
    let state = try RigState(model: model)
    state.apply(weights: weights)
    #expect(
        abs(state.morphWeights[closeT] - 1) < 1e-6 && abs(state.morphWeights[aT] - 0.4) < 1e-6
            && state.morphWeights[joyT] == 0)
    // VRM 0.x faces −z: turned round, the file's vertex (½, −½, 0) is at (−½, −½, 0) and its +x delta points to −x.
    let v1 = try #require(vertex(model, at: SIMD3(-0.5, -0.5, 0)))
    #expect(close(state.positions[v1], SIMD3(-0.6, -0.5, 0)))
    let v0 = try #require(vertex(model, at: SIMD3(0.5, -0.5, 0)))
    #expect(close(state.positions[v0], SIMD3(0.5, -0.5 - 0.08, 0)))
}

@Test("VRM 1.0: preset and custom expressions with node-based morphTargetBinds; ARKit-named customs drive directly")
func vrm1Expressions() throws {
    var f = GLTFFixture()
    let happy = f.floats([0, 0, 0, 0, 0.1, 0, 0, 0, 0, 0, 0, 0], type: "VEC3")
    let blink = f.floats([0, 0, 0, 0, 0, 0, 0, -0.1, 0, 0, 0, 0], type: "VEC3")
    let mesh = f.addQuadMesh(
        targets: [["POSITION": happy], ["POSITION": blink]],
        targetNames: ["Face.M_F00_000_00_Fcl_ALL_Joy", "Face.BlinkL"])
    f.nodes = [["name": "Face", "mesh": mesh]]
    f.extensions = [
        "VRMC_vrm": [
            "specVersion": "1.0",
            "humanoid": ["humanBones": ["head": ["node": 0]]],
            "expressions": [
                "preset": [
                    "happy": ["morphTargetBinds": [["node": 0, "index": 0, "weight": 1.0]]],
                    "blinkLeft": ["morphTargetBinds": [["node": 0, "index": 1, "weight": 1.0]]],
                ],
                "custom": ["EyeBlinkLeft": ["morphTargetBinds": [["node": 0, "index": 1, "weight": 0.8]]]],
            ],
        ]
    ]
    let model = try RigModel.load(data: f.gltf(), name: "vrm1.vrm")
    #expect(model.format == .vrm1)
    let happyT = try #require(targetIndex(model, "Face.M_F00_000_00_Fcl_ALL_Joy"))
    let blinkT = try #require(targetIndex(model, "Face.BlinkL"))
    // The custom "EyeBlinkLeft" expression (case-insensitive ARKit name) wins over the blinkLeft preset.
    #expect(model.coverage.source(for: .eyeBlinkLeft) == .expression("EyeBlinkLeft"))
    #expect(abs(model.mapping.coefficient(target: blinkT, shape: .eyeBlinkLeft) - 0.8) < 1e-6)
    #expect(!model.mapping.drivenPresets.contains(.blinkLeft))
    #expect(model.mapping.coefficient(target: happyT, shape: .mouthSmileRight) == 0.5)
    #expect(model.coverage.source(for: .mouthSmileLeft) == .presets([.happy]))

    let state = try posed(model, [.mouthSmileLeft: 1, .mouthSmileRight: 0.6, .eyeBlinkLeft: 0.5])
    #expect(abs(state.morphWeights[happyT] - 0.8) < 1e-6)
    #expect(abs(state.morphWeights[blinkT] - 0.4) < 1e-6)
    let v1 = try #require(vertex(model, at: GLTFFixture.quad[1]))
    #expect(close(state.positions[v1], GLTFFixture.quad[1] + SIMD3(0, 0.08, 0)))
}

@Test("A rig with ARKit shapes drives them directly and leaves the stand-in presets alone")
func arkitShapesSuppressPresets() throws {
    var f = GLTFFixture()
    let smile = f.floats([0, 0, 0, 0, 0.1, 0, 0, 0, 0, 0, 0, 0], type: "VEC3")
    let joy = f.floats([0, 0, 0, 0, 0, 0, 0, 0.1, 0, 0, 0, 0], type: "VEC3")
    let mesh = f.addQuadMesh(targets: [["POSITION": smile], ["POSITION": joy]], targetNames: ["MouthSmile_L", "Joy"])
    f.nodes = [["mesh": mesh]]
    f.extensions = [
        "VRMC_vrm": [
            "specVersion": "1.0",
            "expressions": ["preset": ["happy": ["morphTargetBinds": [["node": 0, "index": 1, "weight": 1]]]]],
        ]
    ]
    let model = try RigModel.load(data: f.glb(), name: "perfectsync.vrm")
    #expect(model.coverage.source(for: .mouthSmileLeft) == .morphTargets(["MouthSmile_L"]))
    #expect(model.mapping.drivenPresets.isEmpty)
    #expect(model.mapping.coefficient(target: try #require(targetIndex(model, "Joy")), shape: .mouthSmileLeft) == 0)
}

@Test("Relative buffer files inside the model's folder load from disk")
func relativeBufferFile() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("omote-rig-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir.appendingPathComponent("data"), withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let f = denseQuadFixture()
    try Data(f.bin).write(to: dir.appendingPathComponent("data/quad data.bin"))
    let modelPath = dir.appendingPathComponent("quad.gltf").path
    try GLTFFixture.serialize(f.json(bufferURI: "data/quad%20data.bin")).write(to: URL(fileURLWithPath: modelPath))
    try expectQuadDeformation(try RigModel.load(contentsOfFile: modelPath))
}

@Test("The committed sample GLB (written by Tools/make-sample-glb, an independent writer) loads and deforms")
func sampleGLBFromDisk() throws {
    let model = try RigModel.load(contentsOfFile: TestPaths.avatar)
    #expect(model.format == .gltf && model.name == "sample-face.glb")
    #expect(model.vertexCount == 5 && model.triangleCount == 6)
    #expect(model.faceBoneNodes[.head] == 2 && model.faceBoneNodes[.neck] == 1)
    #expect(close(try #require(model.faceBonePivots[.head]), SIMD3(0, -0.3, 0)))
    #expect(model.coverage.source(for: .mouthSmileLeft) == .morphTargets(["MouthSmileLeft"]))
    let state = try posed(model, [.eyeBlinkLeft: 1, .jawOpen: 0.5, .mouthSmileLeft: 1])
    let expected: [(SIMD3<Float>, SIMD3<Float>)] = [
        (SIMD3(0, 0, 0.15), SIMD3(0.1, 0, 0.15)),
        (SIMD3(-0.5, -0.5, -0.15), SIMD3(-0.5, -0.6, -0.15)),
        (SIMD3(0.5, -0.5, -0.15), SIMD3(0.5, -0.6, -0.15)),
        (SIMD3(0.5, 0.5, -0.15), SIMD3(0.5, 0.5 + 16384.0 / 32767, -0.15)),
        (SIMD3(-0.5, 0.5, -0.15), SIMD3(-0.5, 0.5, -0.15)),
    ]
    for (rest, moved) in expected {
        let v = try #require(vertex(model, at: rest))
        #expect(close(state.positions[v], moved), "\(rest) → \(state.positions[v]), expected \(moved)")
    }
}

/// A rig state for `model` with `values` applied (every other shape at 0).
private func posed(_ model: RigModel, _ values: [ARKitBlendshape: Float]) throws -> RigState {
    var weights = BlendshapeWeights()
    for (shape, value) in values { weights[shape] = value }
    let state = try RigState(model: model)
    state.apply(weights: weights)
    return state
}
