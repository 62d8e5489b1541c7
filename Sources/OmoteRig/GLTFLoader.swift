import Foundation
import OmoteCore

extension RigModel {
    /// Loads a `.gltf` (with its buffers from `data:` URIs or files in the same folder), `.glb` or `.vrm` file.
    /// Never touches the network: any other URI is refused.
    public static func load(contentsOfFile path: String) throws(OmoteError) -> RigModel {
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
    public static func load(data: Data, name: String, file: String? = nil, resourceFolder: String? = nil)
        throws(OmoteError)
        -> RigModel
    {
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

    func load() throws(OmoteError) -> RigModel {
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
                local = RigAffine(
                    translation: SIMD3(t[0], t[1], t[2]),
                    rotation: RigQuaternion(v: SIMD4(r[0], r[1], r[2], r[3])).normalizedOrIdentity,
                    scale: SIMD3(s[0], s[1], s[2]))
            }
            let mesh = n["mesh"].exists ? try n["mesh"].index(into: meshCount, of: "meshes") : nil
            let skin = n["skin"].exists ? try n["skin"].index(into: skinCount, of: "skins") : nil
            let children = try n["children"].array().map { (c) throws(OmoteError) in
                try c.index(into: nodeCursors.count, of: "nodes")
            }
            nodes.append(
                Node(
                    name: try n["name"].optionalString() ?? "node\(i)", mesh: mesh, skin: skin,
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
        let facing: RigAffine =
            format == .vrm0
            ? RigAffine(c0: SIMD3(-1, 0, 0), c1: SIMD3(0, 1, 0), c2: SIMD3(0, 0, -1), t: .zero) : .identity
        var world = [RigAffine?](repeating: nil, count: nodes.count)
        var visiting = [Bool](repeating: false, count: nodes.count)
        func worldOf(_ i: Int) throws(OmoteError) -> RigAffine {
            if let w = world[i] { return w }
            guard !visiting[i] else { throw root["nodes"][i].error("node hierarchy has a cycle") }
            visiting[i] = true
            let parentWorld = try nodes[i].parent.map(worldOf) ?? facing
            let w = parentWorld * nodes[i].local
            world[i] = w
            return w
        }
        for i in nodes.indices { _ = try worldOf(i) }
        builder.nodes = nodes.enumerated().map {
            RigNode(name: $0.element.name, parent: $0.element.parent, restTransform: world[$0.offset]!)
        }

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
                if let b = boneOfNode[i] {
                    var w = SIMD4<Float>.zero
                    w[b] = 1
                    return w
                }
                n = nodes[i].parent
            }
            return .zero
        }

        // Scene nodes, depth first.
        var sceneRoots: [Int]
        let scenes = try root["scenes"].array()
        if !scenes.isEmpty {
            let sceneIndex = root["scene"].exists ? try root["scene"].index(into: scenes.count, of: "scenes") : 0
            sceneRoots = try scenes[sceneIndex]["nodes"].array().map { (c) throws(OmoteError) in
                try c.index(into: nodes.count, of: "nodes")
            }
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
        var materials = try makeMaterialCollector()
        var targetIndexByName: [String: Int] = [:]
        var meshTargets: [Int: [Int]] = [:]  // mesh → rig target index of each of its morph targets
        for nodeIndex in order {
            guard let meshIndex = nodes[nodeIndex].mesh else { continue }
            let skinning = try nodes[nodeIndex].skin.map { (skin) throws(OmoteError) in
                try skinMatrices(skin, world: world, nodeCount: nodes.count)
            }
            let placement = MeshPlacement(
                world: world[nodeIndex]!,
                skinning: skinning,
                group: faceGroup(nodeIndex),
                jointGroup: { faceGroup($0) }
            )
            try appendMesh(
                meshIndex,
                placement: placement,
                builder: &builder,
                materials: &materials,
                targetIndexByName: &targetIndexByName,
                meshTargets: &meshTargets
            )
        }
        guard !builder.indices.isEmpty else {
            throw OmoteError.rigLoad(.rigNoGeometry, file: file, "the default scene has no triangle primitives")
        }

        // A rig with no face-bone influence at all moves as one rigid head.
        let rigidHead = !builder.faceBoneWeights.contains { $0 != .zero }
        if rigidHead {
            builder.faceBoneWeights = [SIMD4<Float>](repeating: SIMD4(0, 1, 0, 0), count: builder.positions.count)
        }

        builder.expressions = try expressions(vrm0: vrm0, vrm1: vrm1, nodes: nodes, meshTargets: meshTargets)
        builder.normalizeToHead()
        if builder.faceBonePivots[.head] == nil, rigidHead {
            builder.faceBonePivots[.head] = SIMD3(0, -0.45, 0)  // the bottom of the (normalised) head
        }
        return builder.build()
    }

    // MARK: VRM

    func faceBones(vrm0: JSONCursor, vrm1: JSONCursor, nodes: [Node]) throws(OmoteError) -> [RigFaceBone: Int] {
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
                    let bone = RigFaceBone.allCases.first(where: { $0.description == name })
                else { continue }
                bones[bone] = try entry["node"].index(into: nodes.count, of: "nodes")
            }
            return bones
        }
        // Plain glTF: recognise common bone names (Mixamo "mixamorig:Head", VRoid "J_Bip_C_Head", Blender "Eye.L").
        for (i, node) in nodes.enumerated() {
            var key = node.name.lowercased()
            if let sep = key.lastIndex(where: { ":|".contains($0) }) { key = String(key[key.index(after: sep)...]) }
            let side: Character? =
                key.hasSuffix(".l") || key.hasSuffix("_l")
                ? "l" : key.hasSuffix(".r") || key.hasSuffix("_r") ? "r" : nil
            let compact = String(key.filter { $0.isLetter || $0.isNumber })
            var bone: RigFaceBone?
            if compact.hasSuffix("head") {
                bone = .head
            } else if compact.hasSuffix("neck") {
                bone = .neck
            } else if compact.hasSuffix("lefteye") || compact.hasSuffix("eyeleft")
                || (side == "l" && compact.hasSuffix("eyel"))
            {
                bone = .leftEye
            } else if compact.hasSuffix("righteye") || compact.hasSuffix("eyeright")
                || (side == "r" && compact.hasSuffix("eyer"))
            {
                bone = .rightEye
            }
            if let bone, bones[bone] == nil { bones[bone] = i }
        }
        return bones
    }

    func expressions(vrm0: JSONCursor, vrm1: JSONCursor, nodes: [Node], meshTargets: [Int: [Int]]) throws(OmoteError)
        -> [RigExpression]
    {
        func target(mesh: Int, index: JSONCursor) throws(OmoteError) -> Int? {
            guard let targets = meshTargets[mesh] else { return nil }  // mesh not in the scene
            let i = try index.int()
            guard i < targets.count else {
                throw index.error("morph target \(i) does not exist (the mesh has \(targets.count))")
            }
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
                    result.append(
                        RigExpression(
                            name: key, preset: isPreset ? VRMExpressionPreset(rawValue: key) : nil, binds: binds))
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
                result.append(
                    RigExpression(name: try g["name"].optionalString() ?? presetName, preset: preset, binds: binds))
            }
        }
        return result
    }
}
