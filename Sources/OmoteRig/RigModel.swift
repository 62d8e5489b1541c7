// OmoteRig: a 3D character held in memory (glTF/GLB/VRM morph targets + face bones, or the built-in default avatar),
// deformed by the tracker's weights and head pose. `RigModel` is immutable; `RigState` holds one frame's deformation.
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

    public init(
        name: String, vertexIndices: [UInt32], positionDeltas: [SIMD3<Float>], normalDeltas: [SIMD3<Float>] = []
    ) {
        precondition(vertexIndices.count == positionDeltas.count, "one position delta per vertex index")
        precondition(
            normalDeltas.isEmpty || normalDeltas.count == vertexIndices.count, "normal deltas parallel to the indices")
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
        case rest  // no face-bone influence: copied
        case rigid(Int)  // entirely one face bone (RigFaceBone raw value)
        case blended  // several influences: per-vertex blend of the bone transforms
    }

    var start: Int
    var end: Int
    var kind: Kind
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
    /// Materials, the textures they sample, and which runs of `indices` each material draws (the runs cover
    /// `indices` in order; a rig without materials has one run with `RigMaterial.fallback`).
    public let materials: [RigMaterial]
    public let textures: [RigTexture]
    public let surfaces: [RigSurface]
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
    /// The rest pose, bone weights and morph targets again, in the owned buffers the per-frame pass reads (see
    /// `RigDeformationInputs`); shared by every `RigState` of this model.
    let deformation: RigDeformationInputs

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
    /// bone weights to rigidly following the head. `surfaces` (runs of `indices` covering it in order) pick from
    /// `materials`, which sample `textures` at `uvs`; without surfaces the whole mesh uses `RigMaterial.fallback`.
    public init(
        name: String, positions: [SIMD3<Float>], normals: [SIMD3<Float>]? = nil, colors: [SIMD4<Float>]? = nil,
        uvs: [SIMD2<Float>]? = nil, indices: [UInt32], materials: [RigMaterial] = [], textures: [RigTexture] = [],
        surfaces: [RigSurface] = [], morphTargets: [RigMorphTarget] = [], faceBoneWeights: [SIMD4<Float>]? = nil,
        faceBonePivots: [RigFaceBone: SIMD3<Float>] = [:], expressions: [RigExpression] = []
    ) {
        let n = positions.count
        precondition(
            indices.allSatisfy { Int($0) < n } && indices.count % 3 == 0, "indices: a triangle list within the vertices"
        )
        precondition(
            morphTargets.allSatisfy { $0.vertexIndices.allSatisfy { Int($0) < n } },
            "morph target indices within the vertices")
        var builder = RigModelBuilder(name: name, format: .builtIn)
        builder.positions = positions
        builder.normals = normals ?? computeVertexNormals(positions: positions, indices: indices)
        builder.colors = colors ?? []
        builder.indices = indices
        if let uvs {
            precondition(uvs.count == n, "a UV per vertex")
            builder.uvs = uvs
            builder.hasUVs = true
        }
        precondition(
            surfaces.allSatisfy { $0.material < materials.count }
                && surfaces.reduce(0, { $0 + $1.indexCount }) == (surfaces.isEmpty ? 0 : indices.count),
            "surfaces cover the indices and name existing materials")
        builder.materials = materials
        builder.textures = textures
        builder.surfaces = surfaces
        builder.faceBoneWeights = faceBoneWeights ?? [SIMD4<Float>](repeating: SIMD4(0, 1, 0, 0), count: n)
        builder.faceBonePivots = faceBonePivots
        if faceBonePivots[.head] == nil, faceBoneWeights == nil { builder.faceBonePivots[.head] = SIMD3(0, -0.45, 0) }
        builder.expressions = expressions
        builder.targets = morphTargets.map {
            RigModelBuilder.Target(
                name: $0.name, indices: $0.vertexIndices, deltas: $0.positionDeltas, normalDeltas: $0.normalDeltas)
        }
        precondition(
            builder.normals.count == n && (builder.colors.isEmpty || builder.colors.count == n)
                && builder.faceBoneWeights.count == n)
        self = builder.build()
    }
}

extension RigModel: CustomStringConvertible {
    public var description: String {
        "RigModel(\(name), \(format.rawValue), \(vertexCount) vertices, \(triangleCount) triangles, "
            + "\(materials.count) materials, \(textures.count) textures, "
            + "\(morphTargets.count) morph targets, \(expressions.count) expressions, "
            + "bones: \(RigFaceBone.allCases.filter(hasBone).map(\.description).joined(separator: ",")))"
    }
}
