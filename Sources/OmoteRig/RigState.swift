import Foundation
import OmoteCore

/// One frame's deformation of a `RigModel`: morph targets from the ARKit weights, then neck/head/eye rotations from
/// the head pose and gaze with linear blend skinning. All buffers are allocated once in `init`; `apply` allocates
/// nothing (as long as this state's arrays are not shared with a copy).
public struct RigState {
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
    /// Deformed positions and normals, model space (see `RigModel`), indexed like `model.positions`.
    public private(set) var positions: [SIMD3<Float>]
    public private(set) var normals: [SIMD3<Float>]
    /// This frame's weight of each morph target.
    public private(set) var morphWeights: [Float]
    /// This frame's transform of each face bone (rest → posed, model space), indexed by `RigFaceBone.rawValue`.
    public private(set) var boneTransforms: [RigAffine]

    public init(model: RigModel) {
        self.model = model
        positions = model.positions
        normals = model.normals
        morphWeights = [Float](repeating: 0, count: model.morphTargets.count)
        boneTransforms = [RigAffine](repeating: .identity, count: RigFaceBone.allCases.count)
    }

    /// Deforms the rig for one frame. `headPose` is in the camera frame (+x right, +y down, +z forward; identity =
    /// facing the camera); only its rotation is used. Gaze comes from the eyeLook* weights.
    public mutating func apply(weights: BlendshapeWeights, headPose: HeadPose = HeadPose()) {
        morphWeights.withUnsafeMutableBufferPointer { model.mapping.apply(weights.values, into: $0) }
        applyMorphs()
        computeBoneTransforms(weights: weights, headPose: headPose)
        skin()
    }

    /// Deforms the rig from morph-target weights given directly (one per `model.morphTargets`), head at rest.
    public mutating func apply(morphWeights newWeights: [Float], headPose: HeadPose = HeadPose()) {
        precondition(newWeights.count == morphWeights.count, "one weight per morph target")
        morphWeights.withUnsafeMutableBufferPointer { w in
            for i in 0 ..< w.count { w[i] = newWeights[i] }
        }
        applyMorphs()
        computeBoneTransforms(weights: BlendshapeWeights(), headPose: headPose)
        skin()
    }

    // MARK: Morph targets

    // The morphed vertices are the prefix `0 ..< model.morphedVertexCount`. Their morphed positions (and normals,
    // with normal deltas) are built in `positions`/`normals` themselves and skinned there in place: rest copied in,
    // then each target's runs added as flat float loops. `SIMD3<Float>` elements are 16 bytes (x, y, z, padding), the
    // layout of the packed `SIMD4` deltas (w = 0), so a run of n vertices is 4n floats. The padding lane only ever
    // receives w·0 and is never read back as a coordinate. Per lane the arithmetic (out + w·delta, target by target)
    // is the one the straightforward `out[i] = out[i] + w * d[k]` scatter does, so the results are the same.

    private mutating func applyMorphs() {
        let count = model.morphedVertexCount
        guard count > 0 else { return }
        let withNormals = model.anyNormalDeltas
        let runs = model.morphRuns
        model.positions.withUnsafeBufferPointer { rest in
            positions.withUnsafeMutableBufferPointer { out in
                out.baseAddress!.update(from: rest.baseAddress!, count: count)
            }
        }
        morphWeights.withUnsafeBufferPointer { weights in
            positions.withUnsafeMutableBufferPointer { out in
                runs.positionDeltas.withUnsafeBufferPointer { deltas in
                    Self.addRuns(runs, weights: weights, deltas: deltas, into: out, normals: false)
                }
            }
        }
        guard withNormals else { return }
        model.normals.withUnsafeBufferPointer { rest in
            normals.withUnsafeMutableBufferPointer { out in
                out.baseAddress!.update(from: rest.baseAddress!, count: count)
            }
        }
        morphWeights.withUnsafeBufferPointer { weights in
            normals.withUnsafeMutableBufferPointer { out in
                runs.normalDeltas.withUnsafeBufferPointer { deltas in
                    Self.addRuns(runs, weights: weights, deltas: deltas, into: out, normals: true)
                }
            }
        }
    }

    /// `out[v] += w[t] · delta` for every target t with a non-negligible weight and every vertex v it moves.
    private static func addRuns(
        _ runs: RigMorphRuns, weights: UnsafeBufferPointer<Float>,
        deltas: UnsafeBufferPointer<SIMD4<Float>>, into out: UnsafeMutableBufferPointer<SIMD3<Float>>,
        normals: Bool
    ) {
        out.withMemoryRebound(to: Float.self) { outFloats in
            deltas.withMemoryRebound(to: Float.self) { deltaFloats in
                let outFloats = outFloats.baseAddress!
                let deltaFloats = deltaFloats.baseAddress!
                runs.targetRunStart.withUnsafeBufferPointer { runStart in
                    runs.targetDeltaStart.withUnsafeBufferPointer { deltaStart in
                        runs.runFirstVertex.withUnsafeBufferPointer { first in
                            runs.runCount.withUnsafeBufferPointer { runCount in
                                runs.targetHasNormals.withUnsafeBufferPointer { hasNormals in
                                    for t in 0 ..< weights.count {
                                        let w = weights[t]
                                        guard abs(w) > 1e-5, !normals || hasNormals[t] else { continue }
                                        var d = deltaFloats + 4 * Int(deltaStart[t])
                                        for r in Int(runStart[t]) ..< Int(runStart[t + 1]) {
                                            let o = outFloats + 4 * Int(first[r])
                                            let n = 4 * Int(runCount[r])
                                            for j in 0 ..< n { o[j] = o[j] + w * d[j] }
                                            d += n
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    // MARK: Bones

    private mutating func computeBoneTransforms(weights: BlendshapeWeights, headPose: HeadPose) {
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
        boneTransforms.withUnsafeMutableBufferPointer { b in
            b[0] = neck
            b[1] = head
            b[2] = leftEye
            b[3] = rightEye
        }
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

    // MARK: Skinning

    private mutating func skin() {
        let morphedCount = model.morphedVertexCount
        let withNormalDeltas = model.anyNormalDeltas
        let b = boneTransforms
        let bones = (Bone(b[0]), Bone(b[1]), Bone(b[2]), Bone(b[3]))
        model.positions.withUnsafeBufferPointer { restP in
            model.normals.withUnsafeBufferPointer { restN in
                model.faceBoneWeights.withUnsafeBufferPointer { boneWeights in
                    model.segments.withUnsafeBufferPointer { segments in
                        positions.withUnsafeMutableBufferPointer { outP in
                            normals.withUnsafeMutableBufferPointer { outN in
                                // SIMD3<Float> and SIMD4<Float> share size and alignment; the w lanes are padding (see applyMorphs).
                                restP.withMemoryRebound(to: SIMD4<Float>.self) { restP4 in
                                    restN.withMemoryRebound(to: SIMD4<Float>.self) { restN4 in
                                        outP.withMemoryRebound(to: SIMD4<Float>.self) { dstP in
                                            outN.withMemoryRebound(to: SIMD4<Float>.self) { dstN in
                                                let restP4 = restP4.baseAddress!
                                                let restN4 = restN4.baseAddress!
                                                let dstP = dstP.baseAddress!
                                                let dstN = dstN.baseAddress!
                                                let weights = boneWeights.baseAddress!
                                                for segment in segments {
                                                    let morphed = segment.start < morphedCount
                                                    // Morphed vertices were morphed in place in the output buffers (see applyMorphs).
                                                    let srcP = morphed ? UnsafePointer(dstP) : restP4
                                                    let renormalise = morphed && withNormalDeltas
                                                    let srcN = renormalise ? UnsafePointer(dstN) : restN4
                                                    let start = segment.start
                                                    let end = segment.end
                                                    switch segment.kind {
                                                    case .rest:
                                                        if !morphed {
                                                            (dstP + start).update(
                                                                from: srcP + start, count: end - start)
                                                        }
                                                        if renormalise {
                                                            Self.normalize(dstN, start ..< end)
                                                        } else {
                                                            (dstN + start).update(
                                                                from: srcN + start, count: end - start)
                                                        }
                                                    case .rigid(let bone):
                                                        let m =
                                                            bone == 0
                                                            ? bones.0
                                                            : bone == 1 ? bones.1 : bone == 2 ? bones.2 : bones.3
                                                        Self.transform(srcP, dstP, start ..< end, m, translate: true)
                                                        Self.transform(srcN, dstN, start ..< end, m, translate: false)
                                                        if renormalise { Self.normalize(dstN, start ..< end) }
                                                    case .blended:
                                                        for i in start ..< end {
                                                            let w = weights[i]
                                                            let rest = 1 - w.sum()
                                                            var c0 = SIMD4<Float>(rest, 0, 0, 0)
                                                            var c1 = SIMD4<Float>(0, rest, 0, 0)
                                                            var c2 = SIMD4<Float>(0, 0, rest, 0)
                                                            var t = SIMD4<Float>.zero
                                                            Self.accumulate(bones.0, w[0], &c0, &c1, &c2, &t)
                                                            Self.accumulate(bones.1, w[1], &c0, &c1, &c2, &t)
                                                            Self.accumulate(bones.2, w[2], &c0, &c1, &c2, &t)
                                                            Self.accumulate(bones.3, w[3], &c0, &c1, &c2, &t)
                                                            let p = srcP[i]
                                                            let n = srcN[i]
                                                            dstP[i] = c0 * p.x + c1 * p.y + c2 * p.z + t
                                                            dstN[i] = c0 * n.x + c1 * n.y + c2 * n.z
                                                        }
                                                        Self.normalize(dstN, start ..< end)
                                                    }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// `dst[i] = m · src[i]` (+ m.t when `translate`) over `range`, two vertices per 8-lane instruction: each half
    /// of an 8-lane register holds one vertex, its x, y, z broadcast within the half. Per lane the arithmetic is
    /// `c0·x + c1·y + c2·z (+ t)` in that order, as one vertex at a time.
    @inline(__always)
    private static func transform(
        _ src: UnsafePointer<SIMD4<Float>>, _ dst: UnsafeMutablePointer<SIMD4<Float>>,
        _ range: Range<Int>, _ m: Bone, translate: Bool
    ) {
        let c0 = SIMD8(lowHalf: m.c0, highHalf: m.c0)
        let c1 = SIMD8(lowHalf: m.c1, highHalf: m.c1)
        let c2 = SIMD8(lowHalf: m.c2, highHalf: m.c2)
        let t = SIMD8(lowHalf: m.t, highHalf: m.t)
        let stride = MemoryLayout<SIMD4<Float>>.stride
        let from = UnsafeRawPointer(src)
        let to = UnsafeMutableRawPointer(dst)
        var i = range.lowerBound
        while i + 2 <= range.upperBound {
            let p = from.loadUnaligned(fromByteOffset: i * stride, as: SIMD8<Float>.self)
            let x = SIMD8(lowHalf: SIMD4(repeating: p[0]), highHalf: SIMD4(repeating: p[4]))
            let y = SIMD8(lowHalf: SIMD4(repeating: p[1]), highHalf: SIMD4(repeating: p[5]))
            let z = SIMD8(lowHalf: SIMD4(repeating: p[2]), highHalf: SIMD4(repeating: p[6]))
            var r = c0 * x + c1 * y + c2 * z
            if translate { r = r + t }
            to.storeBytes(of: r, toByteOffset: i * stride, as: SIMD8<Float>.self)
            i += 2
        }
        if i < range.upperBound {
            let p = src[i]
            let r = m.c0 * p.x + m.c1 * p.y + m.c2 * p.z
            dst[i] = translate ? r + m.t : r
        }
    }

    /// A bone transform with `SIMD4` columns (w = 0), the register layout the skinning loops use.
    private struct Bone {
        var c0, c1, c2, t: SIMD4<Float>
        init(_ m: RigAffine) {
            c0 = SIMD4(m.c0, 0)
            c1 = SIMD4(m.c1, 0)
            c2 = SIMD4(m.c2, 0)
            t = SIMD4(m.t, 0)
        }
    }

    @inline(__always)
    private static func accumulate(
        _ m: Bone, _ w: Float, _ c0: inout SIMD4<Float>, _ c1: inout SIMD4<Float>,
        _ c2: inout SIMD4<Float>, _ t: inout SIMD4<Float>
    ) {
        c0 += m.c0 * w
        c1 += m.c1 * w
        c2 += m.c2 * w
        t += m.t * w
    }

    /// `fastNormalize` of `n[range]` in place: squared lengths as `fastNormalize` sums them, then 8 square roots and
    /// divisions per instruction (the same correctly rounded results as one at a time, without a sqrt → div → mul
    /// latency chain per vertex).
    @inline(__always)
    private static func normalize(_ n: UnsafeMutablePointer<SIMD4<Float>>, _ range: Range<Int>) {
        var i = range.lowerBound
        while i + 8 <= range.upperBound {
            var l2 = SIMD8<Float>()
            for k in 0 ..< 8 {
                let v = n[i + k]
                let v3 = SIMD3(v.x, v.y, v.z)
                l2[k] = (v3 * v3).sum()
            }
            let inverse = (1 / l2.squareRoot()).replacing(with: 1, where: .!(l2 .> 1e-24))
            for k in 0 ..< 8 { n[i + k] = n[i + k] * inverse[k] }
            i += 8
        }
        while i < range.upperBound {
            let v = n[i]
            n[i] = SIMD4(fastNormalize(SIMD3(v.x, v.y, v.z)), 0)
            i += 1
        }
    }

    @inline(__always)
    static func fastNormalize(_ v: SIMD3<Float>) -> SIMD3<Float> {
        let l2 = (v * v).sum()
        return l2 > 1e-24 ? v * (1 / l2.squareRoot()) : v
    }

    // MARK: Exact normals

    /// Recomputes `normals` from the deformed triangles (area-weighted). For rigs whose morph targets carry no
    /// normal deltas; costs one pass over the triangles. Allocation-free.
    public mutating func recomputeNormals() {
        model.indices.withUnsafeBufferPointer { idx in
            positions.withUnsafeBufferPointer { p in
                normals.withUnsafeMutableBufferPointer { n in
                    for i in 0 ..< n.count { n[i] = .zero }
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
                    for i in 0 ..< n.count { n[i] = Self.fastNormalize(n[i]) }
                }
            }
        }
    }
}

extension RigState: CustomStringConvertible {
    /// Redacted: the deformed state is expression data.
    public var description: String { "RigState(\(model.name), redacted)" }
}
