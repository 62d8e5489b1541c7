import OmoteCore

// The per-frame deformation: morph targets, then linear blend skinning, on plain pointers to the state's private
// memory and the model's aligned inputs (`RigDeformationInputs`).
//
// The morphed vertices are the prefix `0 ..< model.morphedVertexCount`. Their morphed positions (and normals, with
// normal deltas) are built in the output buffers themselves and skinned there in place: rest copied in, then each
// target's runs added as flat float loops. A `SIMD3<Float>` element is 16 bytes (x, y, z, padding), the layout of the
// packed deltas (w = 0), so a run of n vertices is 4n floats, and the skinning loops read and write whole elements as
// `SIMD4<Float>`. The padding lane only ever receives w·0 and is never read back as a coordinate. Per lane the
// arithmetic (out + w·delta, target by target) is the one the straightforward `out[i] = out[i] + w * d[k]` scatter
// does, so the results are the same.
extension RigState {
    // MARK: Morph targets

    func applyMorphs() {
        let count = model.morphedVertexCount
        guard count > 0 else { return }
        let inputs = model.deformation
        let positions = Lanes<SIMD4<Float>>(deformedPositions)
        positions.copy(from: inputs.restPositions.baseAddress, count: count)
        addMorphs(inputs, deltas: inputs.positionDeltas.baseAddress, into: positions.floats, normals: false)
        guard model.anyNormalDeltas else { return }
        let normals = Lanes<SIMD4<Float>>(deformedNormals)
        normals.copy(from: inputs.restNormals.baseAddress, count: count)
        addMorphs(inputs, deltas: inputs.normalDeltas.baseAddress, into: normals.floats, normals: true)
    }

    /// `out[v] += w[t] · delta` for every target t with a non-negligible weight and every vertex v it moves.
    private func addMorphs(
        _ inputs: RigDeformationInputs, deltas: UnsafePointer<Float>, into out: Lanes<Float>, normals: Bool
    ) {
        let runStart = inputs.targetRunStart.baseAddress
        let deltaStart = inputs.targetDeltaStart.baseAddress
        let firstVertex = inputs.runFirstVertex.baseAddress
        let runCount = inputs.runCount.baseAddress
        let hasNormals = inputs.targetHasNormals.baseAddress
        for t in 0 ..< inputs.targetCount {
            let w = weights[t]
            guard abs(w) > 1e-5, !normals || hasNormals[t] else { continue }
            var d = deltas + 4 * Int(deltaStart[t])
            for r in Int(runStart[t]) ..< Int(runStart[t + 1]) {
                let o = out + 4 * Int(firstVertex[r])
                let n = 4 * Int(runCount[r])
                for j in 0 ..< n { o[j] = o[j] + w * d[j] }
                d += n
            }
        }
    }

    // MARK: Linear blend skinning

    /// Each vertex goes to Σ_b w_b · (bone b's transform) applied to it, plus (1 − Σ w_b) of it at rest. Vertices
    /// were ordered at load into segments that are at rest, rigidly on one bone, or blended (`SkinSegment`), so the
    /// first two are copies and 3×4 transforms over contiguous runs; only blended vertices build their own matrix.
    func skin() {
        let morphedCount = model.morphedVertexCount
        let withNormalDeltas = model.anyNormalDeltas
        let inputs = model.deformation
        let restP = Lanes<SIMD4<Float>>(inputs.restPositions.baseAddress)
        let restN = Lanes<SIMD4<Float>>(inputs.restNormals.baseAddress)
        let boneWeights = inputs.boneWeights.baseAddress
        let outP = Lanes<SIMD4<Float>>(deformedPositions)
        let outN = Lanes<SIMD4<Float>>(deformedNormals)
        let posed = (Bone(bones[0]), Bone(bones[1]), Bone(bones[2]), Bone(bones[3]))
        let segments = inputs.segments.baseAddress
        for s in 0 ..< inputs.segments.count {
            let segment = segments[s]
            let start = segment.start
            let end = segment.end
            let morphed = start < morphedCount
            // Morphed vertices were morphed in place in the output buffers (see applyMorphs).
            let srcP = morphed ? outP : restP
            let renormalise = morphed && withNormalDeltas
            let srcN = renormalise ? outN : restN
            switch segment.kind {
            case .rest:
                if !morphed { outP.copy(from: srcP, start ..< end) }
                if renormalise {
                    Self.normalize(outN, start ..< end)
                } else {
                    outN.copy(from: srcN, start ..< end)
                }
            case .rigid(let bone):
                let m = bone == 0 ? posed.0 : bone == 1 ? posed.1 : bone == 2 ? posed.2 : posed.3
                Self.transform(srcP, outP, start ..< end, m, translate: true)
                Self.transform(srcN, outN, start ..< end, m, translate: false)
                if renormalise { Self.normalize(outN, start ..< end) }
            case .blended:
                for i in start ..< end {
                    let w = boneWeights[i]
                    let rest = 1 - w.sum()
                    var c0 = SIMD4<Float>(rest, 0, 0, 0)
                    var c1 = SIMD4<Float>(0, rest, 0, 0)
                    var c2 = SIMD4<Float>(0, 0, rest, 0)
                    var t = SIMD4<Float>.zero
                    Self.accumulate(posed.0, w[0], &c0, &c1, &c2, &t)
                    Self.accumulate(posed.1, w[1], &c0, &c1, &c2, &t)
                    Self.accumulate(posed.2, w[2], &c0, &c1, &c2, &t)
                    Self.accumulate(posed.3, w[3], &c0, &c1, &c2, &t)
                    let p = srcP[i]
                    let n = srcN[i]
                    outP[i] = c0 * p.x + c1 * p.y + c2 * p.z + t
                    outN[i] = c0 * n.x + c1 * n.y + c2 * n.z
                }
                Self.normalize(outN, start ..< end)
            }
        }
    }

    /// `dst[i] = m · src[i]` (+ m.t when `translate`) over `range`, two vertices per 8-lane instruction: each half
    /// of an 8-lane register holds one vertex, its x, y, z broadcast within the half. Per lane the arithmetic is
    /// `c0·x + c1·y + c2·z (+ t)` in that order, as one vertex at a time.
    @inline(__always)
    private static func transform(
        _ src: Lanes<SIMD4<Float>>, _ dst: Lanes<SIMD4<Float>>, _ range: Range<Int>, _ m: Bone, translate: Bool
    ) {
        let c0 = SIMD8(lowHalf: m.c0, highHalf: m.c0)
        let c1 = SIMD8(lowHalf: m.c1, highHalf: m.c1)
        let c2 = SIMD8(lowHalf: m.c2, highHalf: m.c2)
        let t = SIMD8(lowHalf: m.t, highHalf: m.t)
        var i = range.lowerBound
        while i + 2 <= range.upperBound {
            let p = src.pair(at: i)
            let x = SIMD8(lowHalf: SIMD4(repeating: p[0]), highHalf: SIMD4(repeating: p[4]))
            let y = SIMD8(lowHalf: SIMD4(repeating: p[1]), highHalf: SIMD4(repeating: p[5]))
            let z = SIMD8(lowHalf: SIMD4(repeating: p[2]), highHalf: SIMD4(repeating: p[6]))
            var r = c0 * x + c1 * y + c2 * z
            if translate { r = r + t }
            dst.setPair(r, at: i)
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
    private static func normalize(_ n: Lanes<SIMD4<Float>>, _ range: Range<Int>) {
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
}

/// Element access through a raw pointer, for the deformation loops: the output buffers are bound as `SIMD3<Float>`
/// for their readers, and the loops read and write them as `SIMD4<Float>` elements or flat floats. Raw loads and
/// stores are valid whatever the memory is bound to, and compile to the same instructions as typed ones.
struct Lanes<Lane: BitwiseCopyable> {
    let base: UnsafeMutableRawPointer

    init(_ pointer: UnsafeMutablePointer<some BitwiseCopyable>) { base = UnsafeMutableRawPointer(pointer) }
    private init(raw: UnsafeMutableRawPointer) { base = raw }

    subscript(index: Int) -> Lane {
        @inline(__always) get { base.load(fromByteOffset: index &* MemoryLayout<Lane>.stride, as: Lane.self) }
        @inline(__always) nonmutating set {
            base.storeBytes(of: newValue, toByteOffset: index &* MemoryLayout<Lane>.stride, as: Lane.self)
        }
    }

    /// The same memory as flat floats (4 per `SIMD4<Float>` element).
    var floats: Lanes<Float> { Lanes<Float>(raw: base) }

    @inline(__always)
    static func + (lanes: Lanes, offset: Int) -> Lanes {
        Lanes(raw: lanes.base + offset &* MemoryLayout<Lane>.stride)
    }

    /// Two consecutive elements (unaligned: a vertex pair starts every 16 bytes) as one 8-lane vector.
    @inline(__always)
    func pair(at index: Int) -> SIMD8<Float> {
        base.loadUnaligned(fromByteOffset: index &* MemoryLayout<Lane>.stride, as: SIMD8<Float>.self)
    }

    @inline(__always)
    func setPair(_ value: SIMD8<Float>, at index: Int) {
        base.storeBytes(of: value, toByteOffset: index &* MemoryLayout<Lane>.stride, as: SIMD8<Float>.self)
    }

    /// `self[range] = source[range]`.
    @inline(__always)
    func copy(from source: Lanes, _ range: Range<Int>) {
        guard base != source.base else { return }
        (base + range.lowerBound * MemoryLayout<Lane>.stride).copyMemory(
            from: source.base + range.lowerBound * MemoryLayout<Lane>.stride,
            byteCount: range.count * MemoryLayout<Lane>.stride)
    }

    /// `self[0 ..< count] = source[0 ..< count]`.
    @inline(__always)
    func copy(from source: UnsafePointer<Lane>, count: Int) {
        base.copyMemory(from: source, byteCount: count * MemoryLayout<Lane>.stride)
    }
}
