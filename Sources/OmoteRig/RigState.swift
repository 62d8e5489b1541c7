import Foundation
import OmoteCore

/// One frame's deformation of a `RigModel`: morph targets from the ARKit weights, then neck/head/eye rotations from
/// the head pose and gaze with linear blend skinning (RigState+Deformation.swift).
///
/// Everything it holds about the frame (deformed vertices, bone transforms, morph weights) is expression data, so it
/// lives in one private mapping (a `RigidPrivateBuffer`: locked out of swap, excluded from core dumps, wiped when the
/// state is released and at exit), made once in `init`; `apply` allocates nothing. A reference type: the state is
/// deformed in place by its one owner (a pipeline's result slot, a test) and never duplicated, so the expression
/// exists once, in that memory. Readers get `MemoryView`s of it (`positions`, `normals`, …), valid while they hold
/// the state.
public final class RigState {
    /// How head pose and gaze turn into bone rotations.
    public struct Options: Sendable {
        /// Share of the head rotation given to the neck when the rig has both bones (the head takes the rest).
        public var neckShare: Float = 0.35
        /// Eye rotation at a full eyeLookOut/eyeLookIn weight, radians.
        public var maxEyeYaw: Float = 0.45
        /// Eye rotation at a full eyeLookUp/eyeLookDown weight, radians.
        public var maxEyePitch: Float = 0.35
        /// Rotate eye bones from the eyeLook* weights (rigs with eye bones).
        public var gazeRotatesEyeBones = true
        public init() {}
    }

    public let model: RigModel
    public var options = Options()

    // The private mapping, carved as: deformed positions | deformed normals (16 bytes per vertex each: a
    // `SIMD3<Float>` element, whose padding lane the deformation loops use as the w of a `SIMD4`) | one transform per
    // face bone | one weight per morph target.
    private let memory: RigidPrivateBuffer<UInt8>
    let deformedPositions: UnsafeMutablePointer<SIMD3<Float>>
    let deformedNormals: UnsafeMutablePointer<SIMD3<Float>>
    let bones: UnsafeMutablePointer<RigAffine>
    let weights: UnsafeMutablePointer<Float>

    /// Deformed positions and normals, model space (see `RigModel`), indexed like `model.positions`.
    public var positions: MemoryView<SIMD3<Float>> {
        MemoryView(baseAddress: deformedPositions, count: model.vertexCount)
    }
    public var normals: MemoryView<SIMD3<Float>> { MemoryView(baseAddress: deformedNormals, count: model.vertexCount) }
    /// This frame's weight of each morph target.
    public var morphWeights: MemoryView<Float> { MemoryView(baseAddress: weights, count: model.morphTargets.count) }
    /// This frame's transform of each face bone (rest → posed, model space), indexed by `RigFaceBone.rawValue`.
    public var boneTransforms: MemoryView<RigAffine> {
        MemoryView(baseAddress: bones, count: RigFaceBone.allCases.count)
    }

    /// The rest pose, in private memory. Throws when the kernel refuses to map or lock it (a low RLIMIT_MEMLOCK:
    /// the error says how to raise it); `privateMemoryBytes(for:)` says how much a model needs.
    public init(model: RigModel) throws(OmoteError) {
        self.model = model
        let layout = Layout(model)
        let storage = try RigidPrivateBuffer<UInt8>(count: layout.bytes)
        let base = UnsafeMutableRawPointer(storage.baseAddress)
        deformedPositions = base.bindMemory(to: SIMD3<Float>.self, capacity: layout.vertexCount)
        deformedNormals = (base + layout.normals).bindMemory(to: SIMD3<Float>.self, capacity: layout.vertexCount)
        bones = (base + layout.bones).bindMemory(to: RigAffine.self, capacity: layout.boneCount)
        weights = (base + layout.weights).bindMemory(to: Float.self, capacity: layout.targetCount)
        memory = storage
        // The rest pose with its w lanes (zeros) from the model's SIMD4 copy: every padding lane starts defined.
        let inputs = model.deformation
        UnsafeMutableRawPointer(deformedPositions).copyMemory(
            from: inputs.restPositions.baseAddress, byteCount: layout.vertexBytes)
        UnsafeMutableRawPointer(deformedNormals).copyMemory(
            from: inputs.restNormals.baseAddress, byteCount: layout.vertexBytes)
        bones.initialize(repeating: .identity, count: layout.boneCount)
        weights.initialize(repeating: 0, count: layout.targetCount)
    }

    /// Bytes of locked memory one state of `model` takes (the kernel rounds the mapping up to whole pages).
    public static func privateMemoryBytes(for model: RigModel) -> Int { Layout(model).bytes }

    /// Byte offsets of the buffers in the private mapping.
    private struct Layout {
        let vertexCount: Int
        let boneCount = RigFaceBone.allCases.count
        let targetCount: Int
        /// Bytes of one per-vertex buffer (positions or normals).
        var vertexBytes: Int { vertexCount * MemoryLayout<SIMD3<Float>>.stride }
        var normals: Int { vertexBytes }
        var bones: Int { 2 * vertexBytes }
        var weights: Int { bones + boneCount * MemoryLayout<RigAffine>.stride }
        var bytes: Int { weights + targetCount * MemoryLayout<Float>.stride }

        init(_ model: RigModel) {
            vertexCount = model.vertexCount
            targetCount = model.morphTargets.count
        }
    }

    /// The mapping, for tests that check it is private memory.
    package var privateMemory: UnsafeMutableRawBufferPointer { memory.bytes }

    /// Deforms the rig for one frame. `headPose` is in the camera frame (+x right, +y down, +z forward; identity =
    /// facing the camera); only its rotation is used. Gaze comes from the eyeLook* weights.
    public func apply(weights arkit: BlendshapeWeights, headPose: HeadPose = HeadPose()) {
        let targetWeights = UnsafeMutableBufferPointer(start: weights, count: model.morphTargets.count)
        model.mapping.apply(arkit.values, into: targetWeights)
        applyMorphs()
        computeBoneTransforms(weights: arkit, headPose: headPose)
        skin()
    }

    /// Deforms the rig from morph-target weights given directly (one per `model.morphTargets`), head at rest.
    public func apply(morphWeights newWeights: [Float], headPose: HeadPose = HeadPose()) {
        precondition(newWeights.count == model.morphTargets.count, "one weight per morph target")
        for (t, w) in newWeights.enumerated() { weights[t] = w }
        applyMorphs()
        computeBoneTransforms(weights: BlendshapeWeights(), headPose: headPose)
        skin()
    }

    // MARK: Bones

    private func computeBoneTransforms(weights: BlendshapeWeights, headPose: HeadPose) {
        // Camera frame (+y down, +z away from the viewer) → model frame (+y up, +z towards the viewer): C·R·C with
        // C = diag(1, −1, −1), so turning one's head to one's left turns the avatar to its own left.
        let r = headPose.rotation
        let m0 = SIMD3(r.c0.x, -r.c0.y, -r.c0.z)
        let m1 = SIMD3(-r.c1.x, r.c1.y, r.c1.z)
        let m2 = SIMD3(-r.c2.x, r.c2.y, r.c2.z)
        let q = RigQuaternion(columns: m0, m1, m2)
        let pivots = model.faceBonePivots
        let neckPivot = pivots[.neck]
        let headPivot = pivots[.head]
        var neck = RigAffine.identity
        var head = RigAffine.identity
        if let neckPivot, let headPivot {
            neck = .rotation(q.power(options.neckShare).matrix, about: neckPivot)
            head = neck * .rotation(q.power(1 - options.neckShare).matrix, about: headPivot)
        } else if let headPivot {
            head = .rotation(q.matrix, about: headPivot)
        } else if let neckPivot {
            neck = .rotation(q.matrix, about: neckPivot)
            head = neck
        }
        var leftEye = head
        var rightEye = head
        if options.gazeRotatesEyeBones {
            let v = weights.values
            let yawLeft =
                (v[ARKitBlendshape.eyeLookOutLeft.rawValue] - v[ARKitBlendshape.eyeLookInLeft.rawValue])
                * options.maxEyeYaw
            let yawRight =
                (v[ARKitBlendshape.eyeLookInRight.rawValue] - v[ARKitBlendshape.eyeLookOutRight.rawValue])
                * options.maxEyeYaw
            let pitchLeft =
                (v[ARKitBlendshape.eyeLookUpLeft.rawValue] - v[ARKitBlendshape.eyeLookDownLeft.rawValue])
                * options.maxEyePitch
            let pitchRight =
                (v[ARKitBlendshape.eyeLookUpRight.rawValue] - v[ARKitBlendshape.eyeLookDownRight.rawValue])
                * options.maxEyePitch
            if let p = pivots[.leftEye] {
                leftEye = head * .rotation(Self.eyeRotation(yaw: yawLeft, pitch: pitchLeft), about: p)
            }
            if let p = pivots[.rightEye] {
                rightEye = head * .rotation(Self.eyeRotation(yaw: yawRight, pitch: pitchRight), about: p)
            }
        }
        bones[RigFaceBone.neck.rawValue] = neck
        bones[RigFaceBone.head.rawValue] = head
        bones[RigFaceBone.leftEye.rawValue] = leftEye
        bones[RigFaceBone.rightEye.rawValue] = rightEye
    }

    /// Yaw towards +x (the avatar's left), then pitch upwards: the eye's forward axis +z goes to
    /// (sin yaw cos pitch, sin pitch, cos yaw cos pitch).
    static func eyeRotation(yaw: Float, pitch: Float) -> RigAffine {
        let cy = cosf(yaw)
        let sy = sinf(yaw)
        let cp = cosf(pitch)
        let sp = sinf(pitch)
        let yawM = RigAffine(c0: SIMD3(cy, 0, -sy), c1: SIMD3(0, 1, 0), c2: SIMD3(sy, 0, cy), t: .zero)
        let pitchM = RigAffine(c0: SIMD3(1, 0, 0), c1: SIMD3(0, cp, -sp), c2: SIMD3(0, sp, cp), t: .zero)
        return yawM * pitchM
    }

    // MARK: Exact normals

    /// Recomputes `normals` from the deformed triangles (area-weighted). For rigs whose morph targets carry no
    /// normal deltas; costs one pass over the triangles. Allocation-free.
    public func recomputeNormals() {
        let p = deformedPositions
        let n = deformedNormals
        let vertexCount = model.vertexCount
        for i in 0 ..< vertexCount { n[i] = .zero }
        let idx = model.indices
        var t = 0
        while t + 2 < idx.count {
            let a = Int(idx[t])
            let b = Int(idx[t + 1])
            let c = Int(idx[t + 2])
            let pa = p[a]
            let e1 = p[b] - pa
            let e2 = p[c] - pa
            let f = SIMD3(e1.y * e2.z - e1.z * e2.y, e1.z * e2.x - e1.x * e2.z, e1.x * e2.y - e1.y * e2.x)
            n[a] += f
            n[b] += f
            n[c] += f
            t += 3
        }
        for i in 0 ..< vertexCount { n[i] = Self.fastNormalize(n[i]) }
    }
}

extension RigState: CustomStringConvertible {
    /// Redacted: the deformed state is expression data.
    public var description: String { "RigState(\(model.name), redacted)" }
}
