import OmoteCore

/// What the per-frame pass reads from a `RigModel`, in owned aligned buffers it reads through plain pointers: the
/// rest pose and face-bone weights as `SIMD4` lanes, and the morph targets as runs of consecutive vertices. Built once
/// with the model and never changed, so every `RigState` of the model (one per result slot) shares it. None of it is
/// expression data (that lives in each state's private memory).
///
/// Morph runs: a target's vertices come in runs of consecutive indices, so the per-frame pass adds each run's deltas
/// to a contiguous stretch of the output (8 floats per instruction) instead of scattering one `SIMD3` at a time.
/// Deltas are stored as 4 floats per vertex (x, y, z, 0), the layout of a `SIMD3<Float>` element, so a run is one
/// flat float loop.
final class RigDeformationInputs: @unchecked Sendable {  // immutable after init; the buffers are only read
    /// Rest positions and normals with w = 0, indexed like `RigModel.positions`.
    let restPositions: AlignedBuffer<SIMD4<Float>>
    let restNormals: AlignedBuffer<SIMD4<Float>>
    /// Per vertex: weights of (neck, head, leftEye, rightEye), as `RigModel.faceBoneWeights`.
    let boneWeights: AlignedBuffer<SIMD4<Float>>
    /// The vertex ranges skinned alike, as `RigModel.segments`.
    let segments: AlignedBuffer<SkinSegment>

    let targetCount: Int
    /// Target t's runs are `targetRunStart[t] ..< targetRunStart[t + 1]`.
    let targetRunStart: AlignedBuffer<Int32>
    /// First vertex and vertex count of each run; a run's deltas follow the previous run's.
    let runFirstVertex: AlignedBuffer<Int32>
    let runCount: AlignedBuffer<Int32>
    /// Target t's deltas start at vertex slot `targetDeltaStart[t]` (4 floats per slot).
    let targetDeltaStart: AlignedBuffer<Int32>
    let positionDeltas: AlignedBuffer<Float>
    /// Parallel to `positionDeltas` when any target has normal deltas (zeros for those without), else empty.
    let normalDeltas: AlignedBuffer<Float>
    let targetHasNormals: AlignedBuffer<Bool>

    init(
        positions: [SIMD3<Float>], normals: [SIMD3<Float>], boneWeights: [SIMD4<Float>], segments: [SkinSegment],
        targets: [RigMorphTarget], withNormalDeltas: Bool
    ) {
        restPositions = alignedCopy(positions.map { SIMD4($0, 0) }, filler: .zero)
        restNormals = alignedCopy(normals.map { SIMD4($0, 0) }, filler: .zero)
        self.boneWeights = alignedCopy(boneWeights, filler: .zero)
        self.segments = alignedCopy(segments, filler: SkinSegment(start: 0, end: 0, kind: .rest))
        var targetRunStart: [Int32] = [0]
        var runFirstVertex: [Int32] = []
        var runCount: [Int32] = []
        var targetDeltaStart: [Int32] = [0]
        var positionDeltas: [Float] = []
        var normalDeltas: [Float] = []
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
            for d in target.positionDeltas { positionDeltas += [d.x, d.y, d.z, 0] }
            if withNormalDeltas {
                if target.normalDeltas.isEmpty {
                    normalDeltas += [Float](repeating: 0, count: 4 * idx.count)
                } else {
                    for d in target.normalDeltas { normalDeltas += [d.x, d.y, d.z, 0] }
                }
            }
            targetHasNormals.append(!target.normalDeltas.isEmpty)
            targetRunStart.append(Int32(runCount.count))
            targetDeltaStart.append(Int32(positionDeltas.count / 4))
        }
        targetCount = targets.count
        self.targetRunStart = alignedCopy(targetRunStart, filler: 0)
        self.runFirstVertex = alignedCopy(runFirstVertex, filler: 0)
        self.runCount = alignedCopy(runCount, filler: 0)
        self.targetDeltaStart = alignedCopy(targetDeltaStart, filler: 0)
        self.positionDeltas = alignedCopy(positionDeltas, filler: 0)
        self.normalDeltas = alignedCopy(normalDeltas, filler: 0)
        self.targetHasNormals = alignedCopy(targetHasNormals, filler: false)
    }

}

/// An aligned copy of `values` (`filler` only gives an empty buffer its element value).
func alignedCopy<T: BitwiseCopyable>(_ values: [T], filler: T) -> AlignedBuffer<T> {
    let buffer = AlignedBuffer<T>(count: values.count, repeating: filler)
    for (i, value) in values.enumerated() { buffer[i] = value }
    return buffer
}
