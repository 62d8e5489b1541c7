import Foundation
import OmoteCore

extension RigModel {
    /// Loads a `.gltf` (with its buffers from `data:` URIs or files in the same folder), `.glb` or `.vrm` file.
    /// Never touches the network: any other URI is refused.
    public static func load(contentsOfFile path: String) throws -> RigModel {
        let name = (path as NSString).lastPathComponent
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw OmoteError.rigLoad(.rigUnreadableFile, file: path, "no such file")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw OmoteError.rigLoad(.rigUnreadableFile, file: path, "the file exists but cannot be read")
        }
        let folder = (path as NSString).deletingLastPathComponent
        return try load(data: data, name: name, file: path, resourceFolder: folder.isEmpty ? "." : folder)
    }

    /// Loads glTF/GLB/VRM bytes already in memory. Relative buffer URIs are read from `resourceFolder` (nil: only
    /// embedded data is read).
    public static func load(data: Data, name: String, file: String? = nil, resourceFolder: String? = nil) throws -> RigModel {
        let document = try GLTFDocument(data: data, file: file ?? name, folder: resourceFolder)
        return try GLTFRigLoader(document: document, name: name).load()
    }
}

/// Turns a glTF/VRM document into a `RigModel`: the default scene's triangle meshes merged into one mesh in rest pose,
/// morph targets merged by name, the face bones (VRM humanoid, or by node name) and the VRM expressions.
struct GLTFRigLoader {
    let document: GLTFDocument
    let name: String
    var root: JSONCursor { document.root }
    var file: String { document.file }

    struct Node {
        var name: String
        var mesh: Int?
        var skin: Int?
        var children: [Int]
        var local: RigAffine
        var parent: Int?
    }

    func load() throws -> RigModel {
        let vrm1 = root["extensions"]["VRMC_vrm"]
        let vrm0 = root["extensions"]["VRM"]
        let format: RigSourceFormat = vrm1.exists ? .vrm1 : vrm0.exists ? .vrm0 : .gltf
        var builder = RigModelBuilder(name: name, format: format)

        // Nodes and their hierarchy.
        let nodeCursors = try root["nodes"].array()
        let meshCount = try root["meshes"].array().count
        let skinCount = try root["skins"].array().count
        var nodes: [Node] = []
        for (i, n) in nodeCursors.enumerated() {
            var local = RigAffine.identity
            if let m = try n["matrix"].floats(count: 16) {
                local = RigAffine(columnMajor: m)
            } else {
                let t = try n["translation"].floats(count: 3) ?? [0, 0, 0]
                let r = try n["rotation"].floats(count: 4) ?? [0, 0, 0, 1]
                let s = try n["scale"].floats(count: 3) ?? [1, 1, 1]
                local = RigAffine(translation: SIMD3(t[0], t[1], t[2]),
                                  rotation: RigQuaternion(v: SIMD4(r[0], r[1], r[2], r[3])).normalizedOrIdentity,
                                  scale: SIMD3(s[0], s[1], s[2]))
            }
            let mesh = n["mesh"].exists ? try n["mesh"].index(into: meshCount, of: "meshes") : nil
            let skin = n["skin"].exists ? try n["skin"].index(into: skinCount, of: "skins") : nil
            let children = try n["children"].array().map { try $0.index(into: nodeCursors.count, of: "nodes") }
            nodes.append(Node(name: try n["name"].optionalString() ?? "node\(i)", mesh: mesh, skin: skin,
                              children: children, local: local, parent: nil))
        }
        for (i, n) in nodes.enumerated() {
            for c in n.children {
                guard nodes[c].parent == nil, c != i else {
                    throw root["nodes"][c].error("node has more than one parent (the node graph must be a tree)")
                }
                nodes[c].parent = i
            }
        }

        // World transforms (rest pose). VRM 0.x models face −z: turn them round so every rig faces +z.
        let facing: RigAffine = format == .vrm0
            ? RigAffine(c0: SIMD3(-1, 0, 0), c1: SIMD3(0, 1, 0), c2: SIMD3(0, 0, -1), t: .zero) : .identity
        var world = [RigAffine?](repeating: nil, count: nodes.count)
        var visiting = [Bool](repeating: false, count: nodes.count)
        func worldOf(_ i: Int) throws -> RigAffine {
            if let w = world[i] { return w }
            guard !visiting[i] else { throw root["nodes"][i].error("node hierarchy has a cycle") }
            visiting[i] = true
            let parentWorld = try nodes[i].parent.map(worldOf) ?? facing
            let w = parentWorld * nodes[i].local
            world[i] = w
            return w
        }
        for i in nodes.indices { _ = try worldOf(i) }
        builder.nodes = nodes.enumerated().map { RigNode(name: $0.element.name, parent: $0.element.parent, restTransform: world[$0.offset]!) }

        // Face bones.
        let bones = try faceBones(vrm0: vrm0, vrm1: vrm1, nodes: nodes)
        for (bone, node) in bones {
            builder.faceBoneNodes[bone] = node
            builder.faceBonePivots[bone] = world[node]!.t
        }
        var boneOfNode = [Int?](repeating: nil, count: nodes.count)
        for (bone, node) in bones { boneOfNode[node] = bone.rawValue }
        func faceGroup(_ node: Int) -> SIMD4<Float> {
            var n: Int? = node
            while let i = n {
                if let b = boneOfNode[i] { var w = SIMD4<Float>.zero; w[b] = 1; return w }
                n = nodes[i].parent
            }
            return .zero
        }

        // Scene nodes, depth first.
        var sceneRoots: [Int]
        let scenes = try root["scenes"].array()
        if !scenes.isEmpty {
            let sceneIndex = root["scene"].exists ? try root["scene"].index(into: scenes.count, of: "scenes") : 0
            sceneRoots = try scenes[sceneIndex]["nodes"].array().map { try $0.index(into: nodes.count, of: "nodes") }
        } else {
            sceneRoots = nodes.indices.filter { nodes[$0].parent == nil }
        }
        var order: [Int] = []
        var stack = sceneRoots.reversed() as [Int]
        var seen = Set<Int>()
        while let i = stack.popLast() {
            guard seen.insert(i).inserted else { continue }
            order.append(i)
            stack.append(contentsOf: nodes[i].children.reversed())
        }

        // Meshes.
        var targetIndexByName: [String: Int] = [:]
        var meshTargets: [Int: [Int]] = [:]   // mesh → rig target index of each of its morph targets
        var anySkin = false
        for nodeIndex in order {
            guard let meshIndex = nodes[nodeIndex].mesh else { continue }
            let skinning = try nodes[nodeIndex].skin.map { try skinMatrices($0, world: world, nodeCount: nodes.count) }
            if skinning != nil { anySkin = true }
            try appendMesh(meshIndex, node: nodeIndex, world: world[nodeIndex]!, skinning: skinning,
                           group: faceGroup(nodeIndex), jointGroup: { faceGroup($0) },
                           builder: &builder, targetIndexByName: &targetIndexByName, meshTargets: &meshTargets)
        }
        guard !builder.indices.isEmpty else {
            throw OmoteError.rigLoad(.rigNoGeometry, file: file, "the default scene has no triangle primitives")
        }

        // A rig with no face-bone influence at all moves as one rigid head.
        let rigidHead = !builder.faceBoneWeights.contains { $0 != .zero }
        if rigidHead {
            builder.faceBoneWeights = [SIMD4<Float>](repeating: SIMD4(0, 1, 0, 0), count: builder.positions.count)
        }
        _ = anySkin

        builder.expressions = try expressions(vrm0: vrm0, vrm1: vrm1, nodes: nodes, meshTargets: meshTargets)
        builder.normalizeToHead()
        if builder.faceBonePivots[.head] == nil, rigidHead {
            builder.faceBonePivots[.head] = SIMD3(0, -0.45, 0)   // the bottom of the (normalised) head
        }
        return builder.build()
    }

    // MARK: Skins

    struct Skinning {
        var jointMatrices: [RigAffine]   // jointWorld · inverseBind, rest pose
        var jointNodes: [Int]
    }

    func skinMatrices(_ skin: Int, world: [RigAffine?], nodeCount: Int) throws -> Skinning {
        let s = root["skins"][skin]
        let joints = try s["joints"].array().map { try $0.index(into: nodeCount, of: "nodes") }
        var inverseBind = [RigAffine](repeating: .identity, count: joints.count)
        if s["inverseBindMatrices"].exists {
            let (values, components, count) = try document.readFloats(try s["inverseBindMatrices"].int(), allowedTypes: [16])
            guard components == 16, count >= joints.count else {
                throw s["inverseBindMatrices"].error("needs \(joints.count) MAT4 elements, found \(count)")
            }
            for j in joints.indices { inverseBind[j] = RigAffine(columnMajor: Array(values[j * 16 ..< j * 16 + 16])) }
        }
        return Skinning(jointMatrices: joints.indices.map { world[joints[$0]]! * inverseBind[$0] }, jointNodes: joints)
    }

    // MARK: Meshes

    func appendMesh(_ meshIndex: Int, node: Int, world: RigAffine, skinning: Skinning?, group: SIMD4<Float>,
                    jointGroup: (Int) -> SIMD4<Float>, builder: inout RigModelBuilder,
                    targetIndexByName: inout [String: Int], meshTargets: inout [Int: [Int]]) throws {
        let mesh = root["meshes"][meshIndex]
        let primitives = try mesh["primitives"].array()
        let meshName = try mesh["name"].optionalString() ?? "mesh\(meshIndex)"
        var names: [String] = []
        for source in [mesh["extras"]["targetNames"], primitives.first?["extras"]["targetNames"]].compactMap({ $0 }) where names.isEmpty {
            names = try source.array().map { try $0.string() }
        }
        let targetCount = try primitives.map { try $0["targets"].array().count }.max() ?? 0
        // One rig target per name; targets of the same name in different meshes are one shape split across meshes.
        if meshTargets[meshIndex] == nil {
            var seenHere = Set<String>()
            meshTargets[meshIndex] = (0 ..< targetCount).map { k in
                var targetName = k < names.count ? names[k] : "\(meshName).target\(k)"
                if !seenHere.insert(targetName).inserted { targetName += "#\(k)" }
                if let existing = targetIndexByName[targetName] { return existing }
                builder.targets.append(RigModelBuilder.Target(name: targetName))
                targetIndexByName[targetName] = builder.targets.count - 1
                return builder.targets.count - 1
            }
        }
        let rigTargets = meshTargets[meshIndex]!
        let materials = try root["materials"].array()

        for primitive in primitives {
            let mode = try primitive["mode"].int(default: 4)
            guard mode >= 4 && mode <= 6 else { continue }   // points and lines carry no surface
            let attributes = primitive["attributes"]
            guard attributes["POSITION"].exists else { throw attributes.error("primitive has no POSITION attribute") }
            let (positionValues, _, vertexCount) = try document.readFloats(try attributes["POSITION"].int(), allowedTypes: [3])
            let normalValues = attributes["NORMAL"].exists
                ? try sameCount(document.readFloats(try attributes["NORMAL"].int(), allowedTypes: [3]), vertexCount, attributes["NORMAL"]) : nil
            let uvValues = attributes["TEXCOORD_0"].exists
                ? try sameCount(document.readFloats(try attributes["TEXCOORD_0"].int(), allowedTypes: [2]), vertexCount, attributes["TEXCOORD_0"]) : nil
            let colorRead = attributes["COLOR_0"].exists
                ? try sameCount(document.readFloats(try attributes["COLOR_0"].int(), allowedTypes: [3, 4]), vertexCount, attributes["COLOR_0"]) : nil

            var baseColor = SIMD4<Float>(1, 1, 1, 1)
            if primitive["material"].exists {
                let m = try primitive["material"].index(into: materials.count, of: "materials")
                if let f = try materials[m]["pbrMetallicRoughness"]["baseColorFactor"].floats(count: 4) {
                    baseColor = SIMD4(f[0], f[1], f[2], f[3])
                }
            }

            // Triangles.
            var local: [UInt32]
            if primitive["indices"].exists {
                let (values, components, _) = try document.readIntegers(try primitive["indices"].int())
                guard components == 1 else { throw primitive["indices"].error("indices must be SCALAR") }
                if let bad = values.first(where: { Int($0) >= vertexCount }) {
                    throw OmoteError.rigLoad(.rigAccessorOutOfBounds, file: file, jsonPath: primitive["indices"].path,
                                       "index \(bad) is not below the primitive's \(vertexCount) vertices")
                }
                local = values
            } else {
                local = (0 ..< UInt32(vertexCount)).map { $0 }
            }
            let base = UInt32(builder.positions.count)
            var triangles: [UInt32] = []
            switch mode {
            case 4:
                triangles = Array(local.prefix(local.count / 3 * 3))
            case 5:
                if local.count >= 3 {
                    for i in 0 ..< local.count - 2 {
                        triangles += i % 2 == 0 ? [local[i], local[i + 1], local[i + 2]] : [local[i + 1], local[i], local[i + 2]]
                    }
                }
            default:
                if local.count >= 3 { for i in 1 ..< local.count - 1 { triangles += [local[0], local[i], local[i + 1]] } }
            }

            // Per-vertex rest transform: the node's, or the skin's blend of joint matrices.
            var transforms = [RigAffine](repeating: world, count: vertexCount)
            var groups = [SIMD4<Float>](repeating: group, count: vertexCount)
            if let skinning {
                for set in 0 ..< 4 {
                    let jointsKey = "JOINTS_\(set)", weightsKey = "WEIGHTS_\(set)"
                    guard attributes[jointsKey].exists, attributes[weightsKey].exists else { break }
                    if set == 0 { transforms = [RigAffine](repeating: RigAffine(c0: .zero, c1: .zero, c2: .zero, t: .zero), count: vertexCount); groups = [SIMD4<Float>](repeating: .zero, count: vertexCount) }
                    let joints = try document.readIntegers(try attributes[jointsKey].int())
                    let weights = try sameCount(document.readFloats(try attributes[weightsKey].int(), allowedTypes: [4]), vertexCount, attributes[weightsKey])
                    guard joints.components == 4, joints.count == vertexCount else {
                        throw attributes[jointsKey].error("needs \(vertexCount) VEC4 elements")
                    }
                    for v in 0 ..< vertexCount {
                        for k in 0 ..< 4 {
                            let w = weights.values[v * 4 + k]
                            guard w != 0 else { continue }
                            let j = Int(joints.values[v * 4 + k])
                            guard j < skinning.jointMatrices.count else {
                                throw OmoteError.rigLoad(.rigAccessorOutOfBounds, file: file, jsonPath: attributes[jointsKey].path,
                                                   "joint \(j) of vertex \(v) is not below the skin's \(skinning.jointMatrices.count) joints")
                            }
                            transforms[v] = transforms[v] + .weighted(skinning.jointMatrices[j], w)
                            groups[v] += jointGroup(skinning.jointNodes[j]) * w
                        }
                    }
                }
                // Vertices without weights fall back to the node transform (as glTF viewers do).
                for v in 0 ..< vertexCount where transforms[v].linearDeterminant == 0 && transforms[v].t == .zero {
                    transforms[v] = world
                    groups[v] = group
                }
                for v in 0 ..< vertexCount {
                    let s = groups[v].sum()
                    if s > 1 { groups[v] /= s }
                }
            }

            var positions = [SIMD3<Float>](repeating: .zero, count: vertexCount)
            for v in 0 ..< vertexCount {
                positions[v] = transforms[v].apply(SIMD3(positionValues[v * 3], positionValues[v * 3 + 1], positionValues[v * 3 + 2]))
            }
            var normals: [SIMD3<Float>]
            if let normalValues {
                normals = (0 ..< vertexCount).map { v in
                    normalized(transforms[v].normalMatrix.applyVector(SIMD3(normalValues.values[v * 3], normalValues.values[v * 3 + 1], normalValues.values[v * 3 + 2])))
                }
            } else {
                normals = computeVertexNormals(positions: positions, indices: triangles)
            }
            builder.positions += positions
            builder.normals += normals
            builder.faceBoneWeights += groups
            if let uvValues {
                builder.hasUVs = true
                builder.uvs += (0 ..< vertexCount).map { SIMD2(uvValues.values[$0 * 2], uvValues.values[$0 * 2 + 1]) }
            } else {
                builder.uvs += [SIMD2<Float>](repeating: .zero, count: vertexCount)
            }
            if let colorRead {
                let c = colorRead.components
                builder.colors += (0 ..< vertexCount).map { v in
                    SIMD4(colorRead.values[v * c], colorRead.values[v * c + 1], colorRead.values[v * c + 2], c == 4 ? colorRead.values[v * c + 3] : 1) * baseColor
                }
            } else {
                builder.colors += [SIMD4<Float>](repeating: baseColor, count: vertexCount)
            }
            builder.indices += triangles.map { $0 + base }

            // Morph targets: keep only the vertices that move.
            for (k, target) in try primitive["targets"].array().enumerated() {
                let t = rigTargets[k]
                let positionDeltas = target["POSITION"].exists
                    ? try sameCount(document.readFloats(try target["POSITION"].int(), allowedTypes: [3]), vertexCount, target["POSITION"]).values : nil
                let normalDeltas = target["NORMAL"].exists
                    ? try sameCount(document.readFloats(try target["NORMAL"].int(), allowedTypes: [3]), vertexCount, target["NORMAL"]).values : nil
                for v in 0 ..< vertexCount {
                    let dp = positionDeltas.map { SIMD3($0[v * 3], $0[v * 3 + 1], $0[v * 3 + 2]) } ?? .zero
                    let dn = normalDeltas.map { SIMD3($0[v * 3], $0[v * 3 + 1], $0[v * 3 + 2]) } ?? .zero
                    guard dp != .zero || dn != .zero else { continue }
                    builder.targets[t].indices.append(base + UInt32(v))
                    builder.targets[t].deltas.append(transforms[v].applyVector(dp))
                    if normalDeltas != nil || !builder.targets[t].normalDeltas.isEmpty {
                        // Keep normal deltas parallel to the indices once any primitive of this target has them.
                        if builder.targets[t].normalDeltas.count < builder.targets[t].indices.count - 1 {
                            builder.targets[t].normalDeltas += [SIMD3<Float>](repeating: .zero, count: builder.targets[t].indices.count - 1 - builder.targets[t].normalDeltas.count)
                        }
                        builder.targets[t].normalDeltas.append(transforms[v].normalMatrix.applyVector(dn) / powf(max(abs(transforms[v].linearDeterminant), 1e-20), 2.0 / 3.0))
                    }
                }
            }
        }
        // Pad normal deltas of targets that gained them in a later primitive only.
        for t in rigTargets where !builder.targets[t].normalDeltas.isEmpty && builder.targets[t].normalDeltas.count < builder.targets[t].indices.count {
            builder.targets[t].normalDeltas += [SIMD3<Float>](repeating: .zero, count: builder.targets[t].indices.count - builder.targets[t].normalDeltas.count)
        }
    }

    private func sameCount(_ read: (values: [Float], components: Int, count: Int), _ vertexCount: Int, _ cursor: JSONCursor) throws -> (values: [Float], components: Int, count: Int) {
        guard read.count == vertexCount else {
            throw cursor.error("has \(read.count) elements but POSITION has \(vertexCount)")
        }
        return read
    }

    // MARK: VRM

    func faceBones(vrm0: JSONCursor, vrm1: JSONCursor, nodes: [Node]) throws -> [RigFaceBone: Int] {
        var bones: [RigFaceBone: Int] = [:]
        if vrm1.exists {
            let human = vrm1["humanoid"]["humanBones"]
            for bone in RigFaceBone.allCases where human[bone.description].exists {
                bones[bone] = try human[bone.description]["node"].index(into: nodes.count, of: "nodes")
            }
            return bones
        }
        if vrm0.exists {
            for entry in try vrm0["humanoid"]["humanBones"].array() {
                guard let name = try entry["bone"].optionalString(),
                      let bone = RigFaceBone.allCases.first(where: { $0.description == name }) else { continue }
                bones[bone] = try entry["node"].index(into: nodes.count, of: "nodes")
            }
            return bones
        }
        // Plain glTF: recognise common bone names (Mixamo "mixamorig:Head", VRoid "J_Bip_C_Head", Blender "Eye.L").
        for (i, node) in nodes.enumerated() {
            var key = node.name.lowercased()
            if let sep = key.lastIndex(where: { ":|".contains($0) }) { key = String(key[key.index(after: sep)...]) }
            let side: Character? = key.hasSuffix(".l") || key.hasSuffix("_l") ? "l" : key.hasSuffix(".r") || key.hasSuffix("_r") ? "r" : nil
            let compact = String(key.filter { $0.isLetter || $0.isNumber })
            var bone: RigFaceBone?
            if compact.hasSuffix("head") { bone = .head }
            else if compact.hasSuffix("neck") { bone = .neck }
            else if compact.hasSuffix("lefteye") || compact.hasSuffix("eyeleft") || (side == "l" && compact.hasSuffix("eyel")) { bone = .leftEye }
            else if compact.hasSuffix("righteye") || compact.hasSuffix("eyeright") || (side == "r" && compact.hasSuffix("eyer")) { bone = .rightEye }
            if let bone, bones[bone] == nil { bones[bone] = i }
        }
        return bones
    }

    func expressions(vrm0: JSONCursor, vrm1: JSONCursor, nodes: [Node], meshTargets: [Int: [Int]]) throws -> [RigExpression] {
        func target(mesh: Int, index: JSONCursor) throws -> Int? {
            guard let targets = meshTargets[mesh] else { return nil }   // mesh not in the scene
            let i = try index.int()
            guard i < targets.count else { throw index.error("morph target \(i) does not exist (the mesh has \(targets.count))") }
            return targets[i]
        }
        var result: [RigExpression] = []
        if vrm1.exists {
            let expressions = vrm1["expressions"]
            for (group, isPreset) in [("preset", true), ("custom", false)] {
                for key in try expressions[group].keys() {
                    let e = expressions[group][key]
                    var binds: [RigExpression.Bind] = []
                    for b in try e["morphTargetBinds"].array() {
                        let node = try b["node"].index(into: nodes.count, of: "nodes")
                        guard let mesh = nodes[node].mesh else { throw b["node"].error("node \(node) has no mesh") }
                        if let t = try target(mesh: mesh, index: b["index"]) {
                            binds.append(.init(target: t, weight: Float(try b["weight"].number(default: 1))))
                        }
                    }
                    result.append(RigExpression(name: key, preset: isPreset ? VRMExpressionPreset(rawValue: key) : nil, binds: binds))
                }
            }
        } else if vrm0.exists {
            let meshCount = try root["meshes"].array().count
            for g in try vrm0["blendShapeMaster"]["blendShapeGroups"].array() {
                let presetName = try g["presetName"].optionalString() ?? "unknown"
                var binds: [RigExpression.Bind] = []
                for b in try g["binds"].array() {
                    let mesh = try b["mesh"].index(into: meshCount, of: "meshes")
                    if let t = try target(mesh: mesh, index: b["index"]) {
                        // VRM 0.x weights are percentages.
                        binds.append(.init(target: t, weight: Float(try b["weight"].number(default: 100)) / 100))
                    }
                }
                let preset = VRMExpressionPreset(vrm0Name: presetName)
                result.append(RigExpression(name: try g["name"].optionalString() ?? presetName, preset: preset, binds: binds))
            }
        }
        return result
    }
}
