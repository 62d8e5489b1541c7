// OmoteRig: a 3D character held in memory (glTF/GLB/VRM morph targets + face bones, or the built-in default avatar),
// deformed by the solver's weights and head pose. `RigModel` is immutable; `RigState` holds one frame's deformation.
//
// Model space (every position, normal and pivot here): +x = the avatar's left (the viewer's right), +y up,
// +z out of the face towards the viewer, right-handed; the origin is the centre of the head and one unit is about
// the head's height. Triangles are counter-clockwise seen from the side their normals point to (glTF's rule).

/// The bones face tracking moves. Everything else in a skeleton stays in its rest pose.
public enum RigFaceBone: Int, CaseIterable, Sendable, CustomStringConvertible {
    case neck, head, leftEye, rightEye

    /// VRM humanoid bone name.
    public var description: String {
        switch self {
        case .neck: "neck"
        case .head: "head"
        case .leftEye: "leftEye"
        case .rightEye: "rightEye"
        }
    }
}

/// A morph target stored sparsely: only the vertices it moves, as parallel arrays (index, position delta, normal
/// delta), sorted by vertex index.
public struct RigMorphTarget: Sendable {
    public let name: String
    public let vertexIndices: [UInt32]
    public let positionDeltas: [SIMD3<Float>]
    /// Empty when the source has no normal deltas for this target.
    public let normalDeltas: [SIMD3<Float>]

    public init(name: String, vertexIndices: [UInt32], positionDeltas: [SIMD3<Float>], normalDeltas: [SIMD3<Float>] = []) {
        precondition(vertexIndices.count == positionDeltas.count, "one position delta per vertex index")
        precondition(normalDeltas.isEmpty || normalDeltas.count == vertexIndices.count, "normal deltas parallel to the indices")
        self.name = name
        self.vertexIndices = vertexIndices
        self.positionDeltas = positionDeltas
        self.normalDeltas = normalDeltas
    }
}

/// A node of the source scene graph (bones included), with its rest transform in model space.
public struct RigNode: Sendable {
    public let name: String
    public let parent: Int?
    public let restTransform: RigAffine
}

/// Where a rig came from.
public enum RigSourceFormat: String, Sendable {
    case builtIn = "built-in"
    case gltf = "glTF 2.0"
    case vrm0 = "VRM 0.x"
    case vrm1 = "VRM 1.0"
}

/// VRM's expression presets (VRM 1.0 names; VRM 0.x names are translated: joy→happy, sorrow→sad, fun→relaxed,
/// a/i/u/e/o→aa/ih/ou/ee/oh, blink_l/blink_r→blinkLeft/blinkRight, lookup…→lookUp…).
public enum VRMExpressionPreset: String, CaseIterable, Sendable {
    case happy, angry, sad, relaxed, surprised
    case aa, ih, ou, ee, oh
    case blink, blinkLeft, blinkRight
    case lookUp, lookDown, lookLeft, lookRight
    case neutral

    init?(vrm0Name: String) {
        switch vrm0Name.lowercased() {
        case "joy": self = .happy
        case "angry": self = .angry
        case "sorrow": self = .sad
        case "fun": self = .relaxed
        case "surprised": self = .surprised
        case "a": self = .aa
        case "i": self = .ih
        case "u": self = .ou
        case "e": self = .ee
        case "o": self = .oh
        case "blink": self = .blink
        case "blink_l": self = .blinkLeft
        case "blink_r": self = .blinkRight
        case "lookup": self = .lookUp
        case "lookdown": self = .lookDown
        case "lookleft": self = .lookLeft
        case "lookright": self = .lookRight
        case "neutral": self = .neutral
        default: return nil
        }
    }
}

/// A named set of morph-target weights (a VRM expression / VRM 0.x blend shape group).
public struct RigExpression: Sendable {
    public struct Bind: Sendable, Equatable {
        public let target: Int
        public let weight: Float
    }

    public let name: String
    public let preset: VRMExpressionPreset?
    public let binds: [Bind]
}

/// A run of vertices skinned the same way (vertices are ordered at load so that these runs are contiguous).
struct SkinSegment: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        case rest            // no face-bone influence: copied
        case rigid(Int)      // entirely one face bone (RigFaceBone raw value)
        case blended         // several influences: per-vertex blend of the bone transforms
    }

    var start: Int
    var end: Int
    var kind: Kind
}

/// The morph targets as runs of consecutive vertex indices, so the per-frame pass adds each run's deltas to a
/// contiguous stretch of the output (8 floats per instruction) instead of scattering one `SIMD3` at a time. Deltas
/// are stored as `SIMD4` with w = 0, the layout of a `SIMD3<Float>` array element, so a run is one flat float loop.
struct RigMorphRuns: Sendable {
    /// Target t's runs are `targetRunStart[t] ..< targetRunStart[t + 1]`.
    let targetRunStart: [Int32]
    /// First vertex and vertex count of each run; a run's deltas follow the previous run's in `positionDeltas`.
    let runFirstVertex: [Int32]
    let runCount: [Int32]
    /// Target t's deltas start at `targetDeltaStart[t]`.
    let targetDeltaStart: [Int32]
    let positionDeltas: [SIMD4<Float>]
    /// Parallel to `positionDeltas` when any target has normal deltas (zeros for those without), else empty.
    let normalDeltas: [SIMD4<Float>]
    let targetHasNormals: [Bool]

    init(_ targets: [RigMorphTarget], withNormals: Bool) {
        var targetRunStart: [Int32] = [0], runFirstVertex: [Int32] = [], runCount: [Int32] = []
        var targetDeltaStart: [Int32] = [0]
        var positionDeltas: [SIMD4<Float>] = [], normalDeltas: [SIMD4<Float>] = []
        var targetHasNormals: [Bool] = []
        for target in targets {
            let idx = target.vertexIndices
            var k = 0
            while k < idx.count {
                var end = k + 1
                while end < idx.count, idx[end] == idx[end - 1] + 1 { end += 1 }
                runFirstVertex.append(Int32(idx[k]))
                runCount.append(Int32(end - k))
                k = end
            }
            for d in target.positionDeltas { positionDeltas.append(SIMD4(d, 0)) }
            if withNormals {
                if target.normalDeltas.isEmpty {
                    normalDeltas += [SIMD4<Float>](repeating: .zero, count: idx.count)
                } else {
                    for d in target.normalDeltas { normalDeltas.append(SIMD4(d, 0)) }
                }
            }
            targetHasNormals.append(!target.normalDeltas.isEmpty)
            targetRunStart.append(Int32(runCount.count))
            targetDeltaStart.append(Int32(positionDeltas.count))
        }
        self.targetRunStart = targetRunStart
        self.runFirstVertex = runFirstVertex
        self.runCount = runCount
        self.targetDeltaStart = targetDeltaStart
        self.positionDeltas = positionDeltas
        self.normalDeltas = normalDeltas
        self.targetHasNormals = targetHasNormals
    }
}

/// An immutable character: rest mesh, sparse morph targets, face bones with skin weights, expressions and the
/// precomputed mapping from the 52 ARKit weights to its morph-target weights.
public struct RigModel: Sendable {
    public let name: String
    public let format: RigSourceFormat
    /// Rest positions and normals, model space.
    public let positions: [SIMD3<Float>]
    public let normals: [SIMD3<Float>]
    /// Linear RGBA per vertex (COLOR_0 × material base colour for files, painted for the default avatar).
    public let colors: [SIMD4<Float>]
    /// TEXCOORD_0 per vertex, or empty.
    public let uvs: [SIMD2<Float>]
    /// Triangle list, counter-clockwise front faces.
    public let indices: [UInt32]
    public let morphTargets: [RigMorphTarget]
    public let nodes: [RigNode]
    public let expressions: [RigExpression]
    /// Node index of each face bone present (nil when absent; the default avatar has no scene nodes but has pivots).
    public let faceBoneNodes: [RigFaceBone: Int]
    /// Rotation centre of each face bone present, model space.
    public let faceBonePivots: [RigFaceBone: SIMD3<Float>]
    /// Per vertex: weights of (neck, head, leftEye, rightEye); the rest (1 − sum) stays at rest pose.
    public let faceBoneWeights: [SIMD4<Float>]
    public let mapping: RigWeightMapping
    /// Vertices `0 ..< morphedVertexCount` are the ones some morph target moves.
    let morphedVertexCount: Int
    let segments: [SkinSegment]
    let anyNormalDeltas: Bool
    /// The morph targets again, in the layout the per-frame pass reads (see `RigMorphRuns`).
    let morphRuns: RigMorphRuns

    public var vertexCount: Int { positions.count }
    public var triangleCount: Int { indices.count / 3 }
    /// Which of the 52 ARKit shapes this avatar can show, and how.
    public var coverage: RigCoverage { mapping.coverage }
    public func hasBone(_ bone: RigFaceBone) -> Bool { faceBonePivots[bone] != nil }
}

extension RigModel {
    /// A rig built in code, already in model space (see the top of this file): a triangle mesh, sparse morph
    /// targets (named after ARKit shapes to be driven by them), per-vertex face-bone weights (neck, head, leftEye,
    /// rightEye) and the bones' pivots. Normals default to area-weighted triangle normals, colours to light grey,
    /// bone weights to rigidly following the head.
    public init(name: String, positions: [SIMD3<Float>], normals: [SIMD3<Float>]? = nil, colors: [SIMD4<Float>]? = nil,
                indices: [UInt32], morphTargets: [RigMorphTarget] = [], faceBoneWeights: [SIMD4<Float>]? = nil,
                faceBonePivots: [RigFaceBone: SIMD3<Float>] = [:], expressions: [RigExpression] = []) {
        let n = positions.count
        precondition(indices.allSatisfy { Int($0) < n } && indices.count % 3 == 0, "indices: a triangle list within the vertices")
        precondition(morphTargets.allSatisfy { $0.vertexIndices.allSatisfy { Int($0) < n } }, "morph target indices within the vertices")
        var builder = RigModelBuilder(name: name, format: .builtIn)
        builder.positions = positions
        builder.normals = normals ?? computeVertexNormals(positions: positions, indices: indices)
        builder.colors = colors ?? []
        builder.indices = indices
        builder.faceBoneWeights = faceBoneWeights ?? [SIMD4<Float>](repeating: SIMD4(0, 1, 0, 0), count: n)
        builder.faceBonePivots = faceBonePivots
        if faceBonePivots[.head] == nil, faceBoneWeights == nil { builder.faceBonePivots[.head] = SIMD3(0, -0.45, 0) }
        builder.expressions = expressions
        builder.targets = morphTargets.map {
            RigModelBuilder.Target(name: $0.name, indices: $0.vertexIndices, deltas: $0.positionDeltas, normalDeltas: $0.normalDeltas)
        }
        precondition(builder.normals.count == n && (builder.colors.isEmpty || builder.colors.count == n) && builder.faceBoneWeights.count == n)
        self = builder.build()
    }
}

extension RigModel: CustomStringConvertible {
    public var description: String {
        "RigModel(\(name), \(format.rawValue), \(vertexCount) vertices, \(triangleCount) triangles, "
            + "\(morphTargets.count) morph targets, \(expressions.count) expressions, "
            + "bones: \(RigFaceBone.allCases.filter(hasBone).map(\.description).joined(separator: ",")))"
    }
}

/// Collects a rig in any vertex order, then orders vertices for the deformation loops and computes the mapping.
struct RigModelBuilder {
    struct Target {
        var name: String
        var indices: [UInt32] = []
        var deltas: [SIMD3<Float>] = []
        var normalDeltas: [SIMD3<Float>] = []   // same count as deltas, or empty
    }

    var name: String
    var format: RigSourceFormat
    var positions: [SIMD3<Float>] = []
    var normals: [SIMD3<Float>] = []
    var colors: [SIMD4<Float>] = []
    var uvs: [SIMD2<Float>] = []
    var hasUVs = false
    var indices: [UInt32] = []
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
        var lo = SIMD3<Float>(repeating: .infinity), hi = SIMD3<Float>(repeating: -.infinity)
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
        nodes = nodes.map { RigNode(name: $0.name, parent: $0.parent, restTransform: m * $0.restTransform) }
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

        return RigModel(
            name: name, format: format,
            positions: permuted(positions), normals: permuted(normals), colors: permuted(colours),
            uvs: hasUVs ? permuted(uvs) : [],
            indices: indices.map { newIndex[Int($0)] },
            morphTargets: morphTargets, nodes: nodes, expressions: expressions,
            faceBoneNodes: faceBoneNodes, faceBonePivots: faceBonePivots,
            faceBoneWeights: permuted(faceBoneWeights), mapping: mapping,
            morphedVertexCount: morphedVertexCount, segments: segments, anyNormalDeltas: anyNormalDeltas,
            morphRuns: RigMorphRuns(morphTargets, withNormals: anyNormalDeltas))
    }
}

/// Area-weighted vertex normals of a triangle list (for meshes without NORMAL, and for the generated avatar).
func computeVertexNormals(positions: [SIMD3<Float>], indices: [UInt32]) -> [SIMD3<Float>] {
    var acc = [SIMD3<Float>](repeating: .zero, count: positions.count)
    var t = 0
    while t + 2 < indices.count {
        let a = Int(indices[t]), b = Int(indices[t + 1]), c = Int(indices[t + 2])
        let n = cross(positions[b] - positions[a], positions[c] - positions[a])
        acc[a] += n
        acc[b] += n
        acc[c] += n
        t += 3
    }
    return acc.map { normalized($0) }
}
