import Foundation
import OmoteCore
import Testing

@testable import OmoteRig

// Pins RigState's optimised per-frame path (run-packed morphs in the output buffers, SIMD4 skinning, sparse weight
// mapping) against a straightforward per-vertex computation written from the documented semantics.

/// Morph weights the plain way: a dot product of each target's coefficients with the 52 ARKit weights.
private func referenceMorphWeights(_ model: RigModel, _ weights: BlendshapeWeights) -> [Float] {
    (0 ..< model.morphTargets.count).map { t in
        var sum: Float = 0
        for shape in ARKitBlendshape.allCases {
            sum += model.mapping.coefficient(target: t, shape: shape) * weights[shape]
        }
        return sum
    }
}

/// Scatter every target's deltas, then blend the four bone transforms per vertex (rest share = identity).
private func referenceDeform(_ model: RigModel, morphWeights: [Float], bones: [RigAffine])
    -> (positions: [SIMD3<Float>], normals: [SIMD3<Float>])
{
    var p = model.positions
    var n = model.normals
    var touched = [Bool](repeating: false, count: model.vertexCount)
    var anyNormalDeltas = false
    for (t, target) in model.morphTargets.enumerated() {
        for v in target.vertexIndices { touched[Int(v)] = true }
        if !target.normalDeltas.isEmpty { anyNormalDeltas = true }
        let w = morphWeights[t]
        guard abs(w) > 1e-5 else { continue }
        for (k, v) in target.vertexIndices.enumerated() {
            p[Int(v)] += w * target.positionDeltas[k]
            if !target.normalDeltas.isEmpty { n[Int(v)] += w * target.normalDeltas[k] }
        }
    }
    for v in 0 ..< model.vertexCount {
        let w = model.faceBoneWeights[v]
        let rest = 1 - w.sum()
        var m = RigAffine(c0: SIMD3(rest, 0, 0), c1: SIMD3(0, rest, 0), c2: SIMD3(0, 0, rest), t: .zero)
        for b in 0 ..< 4 {
            m.c0 += bones[b].c0 * w[b]
            m.c1 += bones[b].c1 * w[b]
            m.c2 += bones[b].c2 * w[b]
            m.t += bones[b].t * w[b]
        }
        p[v] = m.apply(p[v])
        var normal = m.applyVector(n[v])
        let rigidOrRest = w.sum() < 1e-5 || (0 ..< 4).contains { w[$0] > 0.9999 }
        if !rigidOrRest || (touched[v] && anyNormalDeltas) { normal = normal / length(normal) }
        n[v] = normal
    }
    return (p, n)
}

/// A lat-long ellipsoid with every skinning kind (rest, rigid per bone, blended), targets with and without normal
/// deltas, short and long runs of consecutive vertices, and a duplicated index.
func referenceRig(normalDeltas: Bool) -> RigModel {
    let rows = 24
    let cols = 30
    var positions: [SIMD3<Float>] = []
    var weights: [SIMD4<Float>] = []
    for r in 0 ..< rows {
        for c in 0 ..< cols {
            let phi = Float.pi * (Float(r) + 0.5) / Float(rows)
            let theta = 2 * Float.pi * Float(c) / Float(cols)
            positions.append(SIMD3(0.36 * sinf(phi) * sinf(theta), 0.5 * cosf(phi), 0.42 * sinf(phi) * cosf(theta)))
            var w = SIMD4<Float>(0, 1, 0, 0)
            if r >= rows - 6 {
                let neck = Float(r - (rows - 6)) / 6
                w = SIMD4(neck, 1 - neck, 0, 0)
            }
            if r == rows - 1 { w = .zero }
            if (8 ..< 11).contains(r) && (2 ..< 6).contains(c) { w = SIMD4(0, 0, 1, 0) }
            if (8 ..< 11).contains(r) && (24 ..< 28).contains(c) { w = SIMD4(0, 0.3, 0, 0.7) }
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
        var idx: [UInt32] = []
        let r0 = (shape.rawValue * 5) % (rows - 4)
        let c0 = (shape.rawValue * 7) % cols
        for r in r0 ..< r0 + 4 {
            for c in 0 ..< (shape.rawValue % 3 == 0 ? 1 : 9) {
                idx.append(UInt32(r * cols + (c0 + c * (1 + shape.rawValue % 2)) % cols))
            }
        }
        if shape.rawValue == 5 { idx.append(idx[3]) }
        idx.sort()
        let deltas = idx.indices.map { k in
            SIMD3<Float>(0.01 * Float(k % 5), -0.02 * Float(k % 3), 0.005 * Float(shape.rawValue % 4))
        }
        let nd =
            normalDeltas && shape.rawValue % 2 == 0
            ? idx.indices.map { k in SIMD3<Float>(0.1, -0.05 * Float(k % 3), 0.02) } : []
        targets.append(RigMorphTarget(name: shape.name, vertexIndices: idx, positionDeltas: deltas, normalDeltas: nd))
    }
    return RigModel(
        name: "reference", positions: positions, indices: indices, morphTargets: targets, faceBoneWeights: weights,
        faceBonePivots: [
            .neck: SIMD3(0, -0.7, 0), .head: SIMD3(0, -0.4, 0), .leftEye: SIMD3(0.14, 0.07, 0.35),
            .rightEye: SIMD3(-0.14, 0.07, 0.35),
        ])
}

private func maxAbs(_ d: SIMD3<Float>) -> Float { max(abs(d.x), abs(d.y), abs(d.z)) }

private func expectMatches(_ state: RigState, _ reference: (positions: [SIMD3<Float>], normals: [SIMD3<Float>])) {
    var worstP: Float = 0
    var worstN: Float = 0
    for v in state.positions.indices {
        worstP = max(worstP, maxAbs(state.positions[v] - reference.positions[v]))
        worstN = max(worstN, maxAbs(state.normals[v] - reference.normals[v]))
    }
    #expect(worstP < 1e-5)
    #expect(worstN < 1e-5)
}

@Test(
    "RigState.apply matches a straightforward per-vertex reference (morphs, mapping, skinning, normals)",
    arguments: [false, true])
func rigStateMatchesReference(normalDeltas: Bool) throws {
    let model = referenceRig(normalDeltas: normalDeltas)
    #expect(model.anyNormalDeltas == normalDeltas)
    let state = try RigState(model: model)
    for f in 0 ..< 6 {
        var w = BlendshapeWeights()
        for shape in ARKitBlendshape.allCases { w[shape] = Float((shape.rawValue * 7 + f * 3) % 17) / 18 }
        if f == 2 { w = BlendshapeWeights() }  // every target skipped
        let a = Float(f) * 0.07
        let pose = HeadPose(
            rotation: Rotation3(SIMD3(cosf(a), 0, sinf(a)), SIMD3(0, 1, 0), SIMD3(-sinf(a), 0, cosf(a))))
        state.apply(weights: w, headPose: pose)
        let morph = referenceMorphWeights(model, w)
        for t in morph.indices { #expect(abs(state.morphWeights[t] - morph[t]) < 1e-6) }
        expectMatches(state, referenceDeform(model, morphWeights: morph, bones: Array(state.boneTransforms)))
    }
    let direct = (0 ..< model.morphTargets.count).map { Float($0 % 4) / 3 - 0.2 }
    state.apply(morphWeights: direct)
    expectMatches(state, referenceDeform(model, morphWeights: direct, bones: Array(state.boneTransforms)))
}

@Test("Default avatar: RigState.apply matches the straightforward reference")
func defaultAvatarMatchesReference() throws {
    let model = RigModel.defaultAvatar()
    let state = try RigState(model: model)
    var w = BlendshapeWeights()
    for shape in ARKitBlendshape.allCases { w[shape] = Float((shape.rawValue * 5) % 11 + 1) / 12 }
    let a: Float = 0.3
    state.apply(
        weights: w,
        headPose: HeadPose(rotation: Rotation3(SIMD3(cosf(a), 0, sinf(a)), SIMD3(0, 1, 0), SIMD3(-sinf(a), 0, cosf(a))))
    )
    let morph = referenceMorphWeights(model, w)
    expectMatches(state, referenceDeform(model, morphWeights: morph, bones: Array(state.boneTransforms)))
}
