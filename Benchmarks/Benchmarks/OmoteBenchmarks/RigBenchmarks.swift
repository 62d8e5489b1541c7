import Benchmark
import Foundation
import Omote

/// Rig deformation per frame: ARKit weights → morph-target weights → sparse morphs → neck/head/eye skinning.
func rigBenchmarks() {
    let configuration = Benchmark.Configuration(scalingFactor: .one)
    Benchmark("rig/deform-default-avatar", configuration: configuration) { benchmark in
        let model = RigModel.defaultAvatar()
        try runDeform(benchmark, model)
    }
    Benchmark("rig/deform-30k-vertices-52-targets", configuration: configuration) { benchmark in
        try runDeform(benchmark, makeDenseRig())
    }
}

/// A frame stream in which every one of the 52 weights is non-zero (the worst case) and the head and eyes move.
private func runDeform(_ benchmark: Benchmark, _ model: RigModel) throws {
    var state = RigState(model: model)
    var frames: [(BlendshapeWeights, HeadPose)] = []
    for f in 0 ..< 64 {
        var w = BlendshapeWeights()
        for shape in ARKitBlendshape.allCases { w[shape] = Float((shape.rawValue * 7 + f * 3) % 17 + 1) / 18 }
        let a = Float(f) * 0.01
        let pose = HeadPose(rotation: (SIMD3(1 - a * a / 2, 0, a), SIMD3(0, 1, 0), SIMD3(-a, 0, 1 - a * a / 2)))
        frames.append((w, pose))
    }
    state.apply(weights: frames[0].0, headPose: frames[0].1)
    benchmark.startMeasurement()
    for i in benchmark.scaledIterations {
        let (w, pose) = frames[i % frames.count]
        state.apply(weights: w, headPose: pose)
        blackHole(state.positions[i % model.vertexCount])
    }
}

/// 30,000 vertices (a 150 × 200 latitude-longitude ellipsoid, head-sized) with 52 ARKit-named targets that each move
/// a 30 × 40 patch (1,200 vertices, 4 % of the mesh); the lowest rows blend into the neck, two patches are eyes.
func makeDenseRig() -> RigModel {
    let rows = 150, cols = 200
    var positions: [SIMD3<Float>] = []
    var weights: [SIMD4<Float>] = []
    for r in 0 ..< rows {
        for c in 0 ..< cols {
            let phi = Float.pi * (Float(r) + 0.5) / Float(rows), theta = 2 * Float.pi * Float(c) / Float(cols)
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
            let a = UInt32(r * cols + c), b = UInt32(r * cols + (c + 1) % cols), d = a + UInt32(cols), e = b + UInt32(cols)
            indices += [a, d, b, b, d, e]
        }
    }
    var targets: [RigMorphTarget] = []
    for shape in ARKitBlendshape.allCases {
        let r0 = 10 + (shape.rawValue * 13) % (rows - 50), c0 = (shape.rawValue * 37) % cols
        var idx: [UInt32] = []
        var deltas: [SIMD3<Float>] = []
        for r in r0 ..< r0 + 30 {
            for c in 0 ..< 40 {
                idx.append(UInt32(r * cols + (c0 + c) % cols))
                deltas.append(SIMD3(0.001 * Float(c % 5), -0.002 * Float(r % 3), 0.001))
            }
        }
        let order = idx.indices.sorted { idx[$0] < idx[$1] }
        targets.append(RigMorphTarget(name: shape.name, vertexIndices: order.map { idx[$0] }, positionDeltas: order.map { deltas[$0] }))
    }
    return RigModel(name: "bench-30k", positions: positions, indices: indices, morphTargets: targets, faceBoneWeights: weights,
                    faceBonePivots: [.neck: SIMD3(0, -0.7, 0), .head: SIMD3(0, -0.4, 0), .leftEye: SIMD3(0.14, 0.07, 0.35), .rightEye: SIMD3(-0.14, 0.07, 0.35)])
}
