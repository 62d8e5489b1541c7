/// Collects a rig in any vertex order, then orders vertices for the deformation loops and computes the mapping.
struct RigModelBuilder {
    struct Target {
        var name: String
        var indices: [UInt32] = []
        var deltas: [SIMD3<Float>] = []
        var normalDeltas: [SIMD3<Float>] = []  // same count as deltas, or empty
    }

    var name: String
    var format: RigSourceFormat
    var positions: [SIMD3<Float>] = []
    var normals: [SIMD3<Float>] = []
    var colors: [SIMD4<Float>] = []
    var uvs: [SIMD2<Float>] = []
    var hasUVs = false
    var indices: [UInt32] = []
    var materials: [RigMaterial] = []
    var textures: [RigTexture] = []
    /// Empty: one surface over all indices with `RigMaterial.fallback`.
    var surfaces: [RigSurface] = []
    /// Materials whose MToon outline width is a length in the source's units (VRM `worldCoordinates`): scaled with
    /// the model so it ends up in head units.
    var materialsWithWorldOutline: Set<Int> = []
    var faceBoneWeights: [SIMD4<Float>] = []
    var targets: [Target] = []
    var nodes: [RigNode] = []
    var expressions: [RigExpression] = []
    var faceBoneNodes: [RigFaceBone: Int] = [:]
    var faceBonePivots: [RigFaceBone: SIMD3<Float>] = [:]

    init(name: String, format: RigSourceFormat) {
        self.name = name
        self.format = format
    }

    /// Moves the model so the head's centre is the origin and scales it so the head is one unit tall. The head is
    /// the vertices mostly bound to the head or eye bones; without such vertices, the whole mesh.
    mutating func normalizeToHead() {
        guard !positions.isEmpty else { return }
        var lo = SIMD3<Float>(repeating: .infinity)
        var hi = SIMD3<Float>(repeating: -.infinity)
        for (p, w) in zip(positions, faceBoneWeights) where w.y + w.z + w.w >= 0.5 {
            lo = pointwiseMin(lo, p)
            hi = pointwiseMax(hi, p)
        }
        if !(lo.x <= hi.x) {
            for p in positions {
                lo = pointwiseMin(lo, p)
                hi = pointwiseMax(hi, p)
            }
        }
        let extent = hi - lo
        var size = extent.y
        if !(size > 1e-6) { size = max(extent.x, extent.z) }
        if !(size > 1e-6) { size = 1 }
        let scale = 1 / size
        let centre = (lo + hi) / 2
        let transform = RigAffine.uniformScale(scale, translation: -centre * scale)
        transformAll(by: transform)
    }

    /// Applies a similarity transform (rotation/uniform scale + translation) to everything spatial.
    mutating func transformAll(by m: RigAffine) {
        let normalMatrix = m.normalMatrix
        for i in positions.indices { positions[i] = m.apply(positions[i]) }
        for i in normals.indices { normals[i] = normalized(normalMatrix.applyVector(normals[i])) }
        for t in targets.indices {
            for k in targets[t].deltas.indices { targets[t].deltas[k] = m.applyVector(targets[t].deltas[k]) }
            // Normal deltas are differences of unit vectors: rotate them, without the scale.
            let s = length(m.c0)
            for k in targets[t].normalDeltas.indices {
                targets[t].normalDeltas[k] = m.applyVector(targets[t].normalDeltas[k]) / s
            }
        }
        for (bone, pivot) in faceBonePivots { faceBonePivots[bone] = m.apply(pivot) }
        for i in materialsWithWorldOutline { materials[i].mtoon?.outlineWidth *= length(m.c0) }
        nodes = nodes.map { RigNode(name: $0.name, parent: $0.parent, restTransform: m * $0.restTransform) }
    }

    /// Records that `indices[indexStart ..< indexStart + indexCount]` are drawn with `materials[material]`, extending
    /// the last surface when it is the same material and ends where this run starts.
    mutating func appendSurface(indexStart: Int, indexCount: Int, material: Int) {
        guard indexCount > 0 else { return }
        if let last = surfaces.last, last.material == material, last.indexStart + last.indexCount == indexStart {
            surfaces[surfaces.count - 1].indexCount += indexCount
        } else {
            surfaces.append(RigSurface(indexStart: indexStart, indexCount: indexCount, material: material))
        }
    }

    static func skinClass(_ w: SIMD4<Float>) -> Int {
        if w.sum() < 1e-5 { return 0 }
        for g in 0 ..< 4 where w[g] > 0.9999 { return 1 + g }
        return 5
    }

    func build() -> RigModel {
        let n = positions.count
        precondition(normals.count == n && faceBoneWeights.count == n)
        let colours = colors.count == n ? colors : [SIMD4<Float>](repeating: SIMD4(0.8, 0.8, 0.8, 1), count: n)

        // Drop empty targets' entries outside the mesh defensively and collect the touched set.
        var touched = [Bool](repeating: false, count: n)
        for t in targets { for i in t.indices { touched[Int(i)] = true } }

        // Order: touched vertices first (so the per-frame morph pass works on one prefix), then by skin class (so
        // the skinning pass runs over contiguous runs). Counting sort keeps the original order within a class.
        var keys = [Int](repeating: 0, count: n)
        for v in 0 ..< n { keys[v] = (touched[v] ? 0 : 6) + Self.skinClass(faceBoneWeights[v]) }
        var counts = [Int](repeating: 0, count: 13)
        for k in keys { counts[k + 1] += 1 }
        for k in 1 ..< counts.count { counts[k] += counts[k - 1] }
        var newIndex = [UInt32](repeating: 0, count: n)
        var next = counts
        for v in 0 ..< n {
            newIndex[v] = UInt32(next[keys[v]])
            next[keys[v]] += 1
        }
        func permuted<T>(_ a: [T]) -> [T] {
            guard a.count == n, n > 0 else { return a }
            var out = a
            for v in 0 ..< n { out[Int(newIndex[v])] = a[v] }
            return out
        }

        var segments: [SkinSegment] = []
        for key in 0 ..< 12 where counts[key + 1] > counts[key] {
            let cls = key % 6
            let kind: SkinSegment.Kind = cls == 0 ? .rest : cls == 5 ? .blended : .rigid(cls - 1)
            segments.append(SkinSegment(start: counts[key], end: counts[key + 1], kind: kind))
        }
        let morphedVertexCount = counts[6]

        var anyNormalDeltas = false
        let morphTargets: [RigMorphTarget] = targets.map { t in
            var order = Array(t.indices.indices)
            order.sort { newIndex[Int(t.indices[$0])] < newIndex[Int(t.indices[$1])] }
            let hasNormals = t.normalDeltas.count == t.indices.count && !t.indices.isEmpty
            if hasNormals { anyNormalDeltas = true }
            return RigMorphTarget(
                name: t.name,
                vertexIndices: order.map { newIndex[Int(t.indices[$0])] },
                positionDeltas: order.map { t.deltas[$0] },
                normalDeltas: hasNormals ? order.map { t.normalDeltas[$0] } : [])
        }

        let mapping = RigWeightMapping(
            targetNames: targets.map(\.name), expressions: expressions,
            hasEyeBones: faceBonePivots[.leftEye] != nil || faceBonePivots[.rightEye] != nil)

        let orderedPositions = permuted(positions)
        let orderedNormals = permuted(normals)
        let orderedBoneWeights = permuted(faceBoneWeights)
        return RigModel(
            name: name, format: format,
            positions: orderedPositions, normals: orderedNormals, colors: permuted(colours),
            uvs: hasUVs ? permuted(uvs) : [],
            indices: indices.map { newIndex[Int($0)] },
            materials: surfaces.isEmpty ? [.fallback] : materials, textures: textures,
            surfaces: surfaces.isEmpty
                ? [RigSurface(indexStart: 0, indexCount: indices.count, material: 0)] : surfaces,
            morphTargets: morphTargets, nodes: nodes, expressions: expressions,
            faceBoneNodes: faceBoneNodes, faceBonePivots: faceBonePivots,
            faceBoneWeights: orderedBoneWeights, mapping: mapping,
            morphedVertexCount: morphedVertexCount, segments: segments, anyNormalDeltas: anyNormalDeltas,
            deformation: RigDeformationInputs(
                positions: orderedPositions, normals: orderedNormals, boneWeights: orderedBoneWeights,
                segments: segments, targets: morphTargets, withNormalDeltas: anyNormalDeltas))
    }
}

/// Area-weighted vertex normals of a triangle list (for meshes without NORMAL, and for the generated avatar).
func computeVertexNormals(positions: [SIMD3<Float>], indices: [UInt32]) -> [SIMD3<Float>] {
    var acc = [SIMD3<Float>](repeating: .zero, count: positions.count)
    var t = 0
    while t + 2 < indices.count {
        let a = Int(indices[t])
        let b = Int(indices[t + 1])
        let c = Int(indices[t + 2])
        let n = cross(positions[b] - positions[a], positions[c] - positions[a])
        acc[a] += n
        acc[b] += n
        acc[c] += n
        t += 3
    }
    return acc.map { normalized($0) }
}
