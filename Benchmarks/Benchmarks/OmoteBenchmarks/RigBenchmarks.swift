import Benchmark
import Foundation
import Omote
import OmoteCore

/// Rig deformation per frame: ARKit weights → morph-target weights → sparse morphs → neck/head/eye skinning.
func rigBenchmarks() {
    // One frame per measured iteration; the rig, its state and the frame stream are built once (a benchmark closure
    // runs once per iteration: rebuilding a 30k rig there would measure a cold cache, not a frame).
    let configuration = Benchmark.Configuration(scalingFactor: .one, maxDuration: .seconds(2), maxIterations: 2_000)
    nonisolated(unsafe) var defaultAvatar: DeformLoop?
    Benchmark("rig/deform-default-avatar", configuration: configuration) { benchmark in
        if defaultAvatar == nil { defaultAvatar = DeformLoop(RigModel.defaultAvatar()) }
        benchmark.startMeasurement()
        defaultAvatar!.step()
    }
    nonisolated(unsafe) var dense: DeformLoop?
    Benchmark("rig/deform-30k-vertices-52-targets", configuration: configuration) { benchmark in
        if dense == nil { dense = DeformLoop(makeDenseRig()) }
        benchmark.startMeasurement()
        dense!.step()
    }
}

/// A frame stream in which every one of the 52 weights is non-zero (the worst case) and the head and eyes move.
final class DeformLoop {
    let state: RigState
    let frames: [(BlendshapeWeights, HeadPose)]
    var index = 0

    init(_ model: RigModel) {
        state = try! RigState(model: model)
        var frames: [(BlendshapeWeights, HeadPose)] = []
        for f in 0 ..< 64 {
            var w = BlendshapeWeights()
            for shape in ARKitBlendshape.allCases { w[shape] = Float((shape.rawValue * 7 + f * 3) % 17 + 1) / 18 }
            let a = Float(f) * 0.01
            let pose = HeadPose(
                rotation: Rotation3(SIMD3(1 - a * a / 2, 0, a), SIMD3(0, 1, 0), SIMD3(-a, 0, 1 - a * a / 2)))
            frames.append((w, pose))
        }
        self.frames = frames
        for _ in 0 ..< 64 { step() }
    }

    func step() {
        let (w, pose) = frames[index % frames.count]
        state.apply(weights: w, headPose: pose)
        blackHole(state.positions[index % state.model.vertexCount])
        index += 1
    }
}

/// 30,000 vertices (a 150 × 200 latitude-longitude ellipsoid, head-sized) with 52 ARKit-named targets that each move
/// a 30 × 40 patch (1,200 vertices, 4 % of the mesh); the lowest rows blend into the neck, two patches are eyes.
func makeDenseRig() -> RigModel {
    let rows = 150
    let cols = 200
    var positions: [SIMD3<Float>] = []
    var weights: [SIMD4<Float>] = []
    for r in 0 ..< rows {
        for c in 0 ..< cols {
            let phi = Float.pi * (Float(r) + 0.5) / Float(rows)
            let theta = 2 * Float.pi * Float(c) / Float(cols)
            positions.append(SIMD3(0.36 * sinf(phi) * sinf(theta), 0.5 * cosf(phi), 0.42 * sinf(phi) * cosf(theta)))
            let neck: Float = r >= rows - 15 ? Float(r - (rows - 15)) / 15 : 0
            var w = SIMD4<Float>(neck, 1 - neck, 0, 0)
            if (60 ..< 70).contains(r) && (10 ..< 20).contains(c) { w = SIMD4(0, 0, 1, 0) }
            if (60 ..< 70).contains(r) && (180 ..< 190).contains(c) { w = SIMD4(0, 0, 0, 1) }
            weights.append(w)
        }
    }
    var indices: [UInt32] = []
    for r in 0 ..< rows - 1 {
        for c in 0 ..< cols {
            let a = UInt32(r * cols + c)
            let b = UInt32(r * cols + (c + 1) % cols)
            let d = a + UInt32(cols)
            let e = b + UInt32(cols)
            indices += [a, d, b, b, d, e]
        }
    }
    var targets: [RigMorphTarget] = []
    for shape in ARKitBlendshape.allCases {
        let r0 = 10 + (shape.rawValue * 13) % (rows - 50)
        let c0 = (shape.rawValue * 37) % cols
        var idx: [UInt32] = []
        var deltas: [SIMD3<Float>] = []
        for r in r0 ..< r0 + 30 {
            for c in 0 ..< 40 {
                idx.append(UInt32(r * cols + (c0 + c) % cols))
                deltas.append(SIMD3(0.001 * Float(c % 5), -0.002 * Float(r % 3), 0.001))
            }
        }
        let order = idx.indices.sorted { idx[$0] < idx[$1] }
        targets.append(
            RigMorphTarget(
                name: shape.name, vertexIndices: order.map { idx[$0] }, positionDeltas: order.map { deltas[$0] }))
    }
    return RigModel(
        name: "bench-30k", positions: positions, indices: indices, morphTargets: targets, faceBoneWeights: weights,
        faceBonePivots: [
            .neck: SIMD3(0, -0.7, 0), .head: SIMD3(0, -0.4, 0), .leftEye: SIMD3(0.14, 0.07, 0.35),
            .rightEye: SIMD3(-0.14, 0.07, 0.35),
        ])
}
