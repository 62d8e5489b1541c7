import Foundation
import OmoteCore

/// Meshes and skins: each primitive of a mesh node becomes vertices, triangles and morph-target deltas of the one
/// merged rig mesh, in rest pose (node transform, or the skin's blend of joint matrices).
extension GLTFRigLoader {
    // MARK: Skins

    struct Skinning {
        var jointMatrices: [RigAffine]  // jointWorld · inverseBind, rest pose
        var jointNodes: [Int]
    }

    func skinMatrices(_ skin: Int, world: [RigAffine?], nodeCount: Int) throws(OmoteError) -> Skinning {
        let s = root["skins"][skin]
        let joints = try s["joints"].array().map { (c) throws(OmoteError) in try c.index(into: nodeCount, of: "nodes") }
        var inverseBind = [RigAffine](repeating: .identity, count: joints.count)
        if s["inverseBindMatrices"].exists {
            let matrices = s["inverseBindMatrices"]
            let (values, components, count) = try document.readFloats(try matrices.int(), allowedTypes: [16])
            guard components == 16, count >= joints.count else {
                throw matrices.error("needs \(joints.count) MAT4 elements, found \(count)")
            }
            for j in joints.indices { inverseBind[j] = RigAffine(columnMajor: Array(values[j * 16 ..< j * 16 + 16])) }
        }
        return Skinning(jointMatrices: joints.indices.map { world[joints[$0]]! * inverseBind[$0] }, jointNodes: joints)
    }

    // MARK: Meshes

    /// Where a mesh node goes in the rig: its world transform, skin and face-bone group.
    struct MeshPlacement {
        var world: RigAffine
        var skinning: Skinning?
        /// Face-bone weights of the node's own vertices, and of a vertex bound to a joint node.
        var group: SIMD4<Float>
        var jointGroup: (Int) -> SIMD4<Float>
    }

    /// Appends every triangle primitive of mesh `meshIndex` at `placement`, and its morph targets by name.
    func appendMesh(
        _ meshIndex: Int,
        placement: MeshPlacement,
        builder: inout RigModelBuilder,
        materials: inout GLTFMaterialCollector,
        targetIndexByName: inout [String: Int],
        meshTargets: inout [Int: [Int]]
    ) throws(OmoteError) {
        let mesh = root["meshes"][meshIndex]
        let primitives = try mesh["primitives"].array()
        if meshTargets[meshIndex] == nil {
            meshTargets[meshIndex] = try rigTargets(
                of: mesh,
                index: meshIndex,
                primitives: primitives,
                builder: &builder,
                targetIndexByName: &targetIndexByName
            )
        }
        let rigTargets = meshTargets[meshIndex]!
        for primitive in primitives {
            try appendPrimitive(
                primitive,
                placement: placement,
                materials: &materials,
                rigTargets: rigTargets,
                builder: &builder
            )
        }
        // Pad normal deltas of targets that gained them in a later primitive only.
        for t in rigTargets where !builder.targets[t].normalDeltas.isEmpty {
            let missing = builder.targets[t].indices.count - builder.targets[t].normalDeltas.count
            if missing > 0 { builder.targets[t].normalDeltas += [SIMD3<Float>](repeating: .zero, count: missing) }
        }
    }

    /// The rig target index of each of the mesh's morph targets: one rig target per name; targets of the same name
    /// in different meshes are one shape split across meshes.
    private func rigTargets(
        of mesh: JSONCursor,
        index meshIndex: Int,
        primitives: [JSONCursor],
        builder: inout RigModelBuilder,
        targetIndexByName: inout [String: Int]
    ) throws(OmoteError) -> [Int] {
        let meshName = try mesh["name"].optionalString() ?? "mesh\(meshIndex)"
        var names: [String] = []
        let nameSources = [mesh["extras"]["targetNames"], primitives.first?["extras"]["targetNames"]].compactMap { $0 }
        for source in nameSources where names.isEmpty {
            names = try source.array().map { (c) throws(OmoteError) in try c.string() }
        }
        let targetCount = try primitives.map { (p) throws(OmoteError) in try p["targets"].array().count }.max() ?? 0
        var seenHere = Set<String>()
        return (0 ..< targetCount).map { k in
            var targetName = k < names.count ? names[k] : "\(meshName).target\(k)"
            if !seenHere.insert(targetName).inserted { targetName += "#\(k)" }
            if let existing = targetIndexByName[targetName] { return existing }
            builder.targets.append(RigModelBuilder.Target(name: targetName))
            targetIndexByName[targetName] = builder.targets.count - 1
            return builder.targets.count - 1
        }
    }

    /// One primitive: its vertex attributes, triangles (a surface with its material), rest transforms, then its morph
    /// targets.
    private func appendPrimitive(
        _ primitive: JSONCursor,
        placement: MeshPlacement,
        materials: inout GLTFMaterialCollector,
        rigTargets: [Int],
        builder: inout RigModelBuilder
    ) throws(OmoteError) {
        let mode = try primitive["mode"].int(default: 4)
        guard mode >= 4 && mode <= 6 else { return }  // points and lines carry no surface
        let attributes = primitive["attributes"]
        guard attributes["POSITION"].exists else { throw attributes.error("primitive has no POSITION attribute") }
        let (positionValues, _, vertexCount) = try document.readFloats(
            try attributes["POSITION"].int(), allowedTypes: [3])
        let normalValues = try optionalAttribute(attributes["NORMAL"], allowedTypes: [3], vertexCount: vertexCount)
        let uvValues = try optionalAttribute(attributes["TEXCOORD_0"], allowedTypes: [2], vertexCount: vertexCount)
        let colorRead = try optionalAttribute(attributes["COLOR_0"], allowedTypes: [3, 4], vertexCount: vertexCount)
        let triangles = try self.triangles(of: primitive, mode: mode, vertexCount: vertexCount)
        guard !triangles.isEmpty else { return }  // a primitive without a whole triangle draws nothing
        let material = try materialSlot(of: primitive, collector: &materials, builder: &builder)
        let baseColor = builder.materials[material].baseColor
        let (transforms, groups) = try restTransforms(attributes, placement: placement, vertexCount: vertexCount)

        let base = UInt32(builder.positions.count)
        var positions = [SIMD3<Float>](repeating: .zero, count: vertexCount)
        for v in 0 ..< vertexCount {
            let p = SIMD3(positionValues[v * 3], positionValues[v * 3 + 1], positionValues[v * 3 + 2])
            positions[v] = transforms[v].apply(p)
        }
        var normals: [SIMD3<Float>]
        if let normalValues {
            normals = (0 ..< vertexCount).map { v in
                let n = SIMD3(
                    normalValues.values[v * 3], normalValues.values[v * 3 + 1], normalValues.values[v * 3 + 2])
                return normalized(transforms[v].normalMatrix.applyVector(n))
            }
        } else {
            normals = computeVertexNormals(positions: positions, indices: triangles)
        }
        builder.positions += positions
        builder.normals += normals
        builder.faceBoneWeights += groups
        if let uvValues {
            builder.hasUVs = true
            let uvTransform = try baseTextureTransform(of: primitive)
            builder.uvs += (0 ..< vertexCount).map { v in
                let uv = SIMD2(uvValues.values[v * 2], uvValues.values[v * 2 + 1])
                return uvTransform?.apply(uv) ?? uv
            }
        } else {
            builder.uvs += [SIMD2<Float>](repeating: .zero, count: vertexCount)
        }
        if let colorRead {
            let c = colorRead.components
            let values = colorRead.values
            builder.colors += (0 ..< vertexCount).map { v in
                let alpha = c == 4 ? values[v * c + 3] : 1
                return SIMD4(values[v * c], values[v * c + 1], values[v * c + 2], alpha) * baseColor
            }
        } else {
            builder.colors += [SIMD4<Float>](repeating: baseColor, count: vertexCount)
        }
        builder.appendSurface(indexStart: builder.indices.count, indexCount: triangles.count, material: material)
        builder.indices += triangles.map { $0 + base }
        try appendMorphTargets(
            of: primitive,
            rigTargets: rigTargets,
            transforms: transforms,
            firstVertex: base,
            vertexCount: vertexCount,
            builder: &builder
        )
    }

    /// An optional per-vertex float attribute, which must have one element per vertex.
    private func optionalAttribute(
        _ attribute: JSONCursor,
        allowedTypes: Set<Int>,
        vertexCount: Int
    ) throws(OmoteError) -> (values: [Float], components: Int, count: Int)? {
        guard attribute.exists else { return nil }
        return try sameCount(
            document.readFloats(try attribute.int(), allowedTypes: allowedTypes), vertexCount, attribute)
    }

    /// The primitive's triangles as vertex indices local to it (strips and fans unrolled into triangle lists).
    private func triangles(of primitive: JSONCursor, mode: Int, vertexCount: Int) throws(OmoteError) -> [UInt32] {
        var local: [UInt32]
        if primitive["indices"].exists {
            let (values, components, _) = try document.readIntegers(try primitive["indices"].int())
            guard components == 1 else { throw primitive["indices"].error("indices must be SCALAR") }
            if let bad = values.first(where: { Int($0) >= vertexCount }) {
                throw OmoteError.rigLoad(
                    .rigAccessorOutOfBounds,
                    file: file,
                    jsonPath: primitive["indices"].path,
                    "index \(bad) is not below the primitive's \(vertexCount) vertices"
                )
            }
            local = values
        } else {
            local = (0 ..< UInt32(vertexCount)).map { $0 }
        }
        var triangles: [UInt32] = []
        switch mode {
        case 4:
            triangles = Array(local.prefix(local.count / 3 * 3))
        case 5:
            if local.count >= 3 {
                for i in 0 ..< local.count - 2 {
                    triangles +=
                        i % 2 == 0
                        ? [local[i], local[i + 1], local[i + 2]] : [local[i + 1], local[i], local[i + 2]]
                }
            }
        default:
            if local.count >= 3 { for i in 1 ..< local.count - 1 { triangles += [local[0], local[i], local[i + 1]] } }
        }
        return triangles
    }

    /// Per-vertex rest transform and face-bone weights: the node's, or the skin's blend of joint matrices.
    private func restTransforms(
        _ attributes: JSONCursor,
        placement: MeshPlacement,
        vertexCount: Int
    ) throws(OmoteError) -> (transforms: [RigAffine], groups: [SIMD4<Float>]) {
        let world = placement.world
        let group = placement.group
        var transforms = [RigAffine](repeating: world, count: vertexCount)
        var groups = [SIMD4<Float>](repeating: group, count: vertexCount)
        guard let skinning = placement.skinning else { return (transforms, groups) }
        for set in 0 ..< 4 {
            let jointsKey = "JOINTS_\(set)"
            let weightsKey = "WEIGHTS_\(set)"
            guard attributes[jointsKey].exists, attributes[weightsKey].exists else { break }
            if set == 0 {
                transforms = [RigAffine](
                    repeating: RigAffine(c0: .zero, c1: .zero, c2: .zero, t: .zero), count: vertexCount)
                groups = [SIMD4<Float>](repeating: .zero, count: vertexCount)
            }
            let joints = try document.readIntegers(try attributes[jointsKey].int())
            let weights = try sameCount(
                document.readFloats(try attributes[weightsKey].int(), allowedTypes: [4]),
                vertexCount,
                attributes[weightsKey]
            )
            guard joints.components == 4, joints.count == vertexCount else {
                throw attributes[jointsKey].error("needs \(vertexCount) VEC4 elements")
            }
            for v in 0 ..< vertexCount {
                for k in 0 ..< 4 {
                    let w = weights.values[v * 4 + k]
                    guard w != 0 else { continue }
                    let j = Int(joints.values[v * 4 + k])
                    guard j < skinning.jointMatrices.count else {
                        throw OmoteError.rigLoad(
                            .rigAccessorOutOfBounds,
                            file: file,
                            jsonPath: attributes[jointsKey].path,
                            "joint \(j) of vertex \(v) is not below the skin's \(skinning.jointMatrices.count) joints"
                        )
                    }
                    transforms[v] = transforms[v] + .weighted(skinning.jointMatrices[j], w)
                    groups[v] += placement.jointGroup(skinning.jointNodes[j]) * w
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
        return (transforms, groups)
    }

    /// The primitive's morph targets, keeping only the vertices that move, with deltas carried into the rest pose.
    private func appendMorphTargets(
        of primitive: JSONCursor,
        rigTargets: [Int],
        transforms: [RigAffine],
        firstVertex base: UInt32,
        vertexCount: Int,
        builder: inout RigModelBuilder
    ) throws(OmoteError) {
        for (k, target) in try primitive["targets"].array().enumerated() {
            let t = rigTargets[k]
            let positionDeltas = try optionalAttribute(target["POSITION"], allowedTypes: [3], vertexCount: vertexCount)?
                .values
            let normalDeltas = try optionalAttribute(target["NORMAL"], allowedTypes: [3], vertexCount: vertexCount)?
                .values
            for v in 0 ..< vertexCount {
                let dp = positionDeltas.map { SIMD3($0[v * 3], $0[v * 3 + 1], $0[v * 3 + 2]) } ?? .zero
                let dn = normalDeltas.map { SIMD3($0[v * 3], $0[v * 3 + 1], $0[v * 3 + 2]) } ?? .zero
                guard dp != .zero || dn != .zero else { continue }
                builder.targets[t].indices.append(base + UInt32(v))
                builder.targets[t].deltas.append(transforms[v].applyVector(dp))
                if normalDeltas != nil || !builder.targets[t].normalDeltas.isEmpty {
                    // Keep normal deltas parallel to the indices once any primitive of this target has them.
                    let missing = builder.targets[t].indices.count - 1 - builder.targets[t].normalDeltas.count
                    if missing > 0 {
                        builder.targets[t].normalDeltas += [SIMD3<Float>](repeating: .zero, count: missing)
                    }
                    let volumeScale = powf(max(abs(transforms[v].linearDeterminant), 1e-20), 2.0 / 3.0)
                    builder.targets[t].normalDeltas.append(transforms[v].normalMatrix.applyVector(dn) / volumeScale)
                }
            }
        }
    }

    private func sameCount(
        _ read: (values: [Float], components: Int, count: Int),
        _ vertexCount: Int,
        _ cursor: JSONCursor
    ) throws(OmoteError) -> (values: [Float], components: Int, count: Int) {
        guard read.count == vertexCount else {
            throw cursor.error("has \(read.count) elements but POSITION has \(vertexCount)")
        }
        return read
    }
}
