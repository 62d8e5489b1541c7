import Foundation
import OmoteCore
import Testing

@testable import OmoteRig

/// Mean position change of the vertices on one side (+x or −x) of the face front.
func meanDelta(_ state: RigState, _ model: RigModel, where include: (SIMD3<Float>) -> Bool) -> SIMD3<Float> {
    var sum = SIMD3<Float>.zero
    var n: Float = 0
    for v in 0 ..< model.vertexCount where include(model.positions[v]) {
        sum += state.positions[v] - model.positions[v]
        n += 1
    }
    return n > 0 ? sum / n : .zero
}

@Test("The default avatar: a few thousand coloured vertices, bones, and all 52 ARKit shapes as sparse targets")
func defaultAvatarContents() throws {
    let model = RigModel.defaultAvatar()
    #expect(model.format == .builtIn)
    #expect((2_000 ... 12_000).contains(model.vertexCount), "\(model.vertexCount) vertices")
    #expect(model.colors.count == model.vertexCount && model.normals.count == model.vertexCount)
    #expect(model.indices.allSatisfy { Int($0) < model.vertexCount } && model.indices.count % 3 == 0)
    #expect(Set(model.morphTargets.map(\.name)) == Set(ARKitBlendshape.allCases.map(\.name)))
    for target in model.morphTargets {
        #expect(!target.vertexIndices.isEmpty, "\(target.name) moves nothing")
        #expect(target.vertexIndices.count < model.vertexCount / 3, "\(target.name) is not sparse")
        #expect(target.normalDeltas.count == target.vertexIndices.count)
    }
    #expect(model.coverage.directCount == 52)
    #expect(model.coverage.shownMask == (1 << 52) - 1)
    for bone in RigFaceBone.allCases { #expect(model.hasBone(bone)) }
    #expect(model.normals.allSatisfy { abs(($0 * $0).sum() - 1) < 1e-3 })
    #expect(model.triangleCount <= 25_000, "\(model.triangleCount) triangles")
    // Model space: about one unit tall for the head (the crown at 0.5, the hair's volume above it), centred near the
    // origin, facing +z.
    let ys = model.positions.map(\.y).filter { $0 > -0.55 }
    #expect((0.5 ... 0.62).contains(ys.max() ?? 0))
    let front = try #require(model.positions.max { $0.z < $1.z })
    #expect(front.z > 0.4 && abs(front.x) < 0.01)  // the nose tip
    // Outward-facing triangles on the whole: the signed volume of the closed head parts is positive.
    var volume: Float = 0
    for t in stride(from: 0, to: model.indices.count, by: 3) {
        let a = model.positions[Int(model.indices[t])]
        let b = model.positions[Int(model.indices[t + 1])]
        let c = model.positions[Int(model.indices[t + 2])]
        volume += (a * cross(b, c)).sum() / 6
    }
    #expect(volume > 0.1)
}

@Test("Default avatar: neutral weights give the rest pose; the same frame applied twice gives the same result")
func defaultAvatarNeutralAndIdempotent() throws {
    let model = RigModel.defaultAvatar()
    let state = try RigState(model: model)
    state.apply(weights: BlendshapeWeights(), headPose: HeadPose())
    for v in 0 ..< model.vertexCount { #expect(close(state.positions[v], model.positions[v], 1e-5)) }
    var weights = BlendshapeWeights()
    for shape in ARKitBlendshape.allCases { weights[shape] = Float(shape.rawValue % 7) / 7 }
    state.apply(weights: weights)
    let first = Array(state.positions)
    state.apply(weights: weights)
    #expect(Array(state.positions) == first)
    #expect(state.positions.allSatisfy { $0.x.isFinite && $0.y.isFinite && $0.z.isFinite })
    #expect(state.normals.allSatisfy { abs(($0 * $0).sum() - 1) < 1e-3 })
    for t in model.morphTargets.indices {
        #expect(state.morphWeights[t] == weights[ARKitBlendshape(name: model.morphTargets[t].name)!])
    }
    #expect("\(state)".contains("redacted"))
}

@Test("Default avatar: Left shapes act on the avatar's left (+x), jawOpen drops the chin, smiles lift the corners")
func defaultAvatarShapes() throws {
    let model = RigModel.defaultAvatar()
    for shape in ARKitBlendshape.allCases where shape.name.hasSuffix("Left") || shape.name.hasSuffix("Right") {
        guard shape != .mouthLeft, shape != .mouthRight, shape != .jawLeft, shape != .jawRight else { continue }
        let t = model.morphTargets.firstIndex { $0.name == shape.name }!
        let target = model.morphTargets[t]
        let left = shape.name.hasSuffix("Left")
        // Allow a sliver around the middle (lip and nose regions taper across it).
        let wrongSide = zip(target.vertexIndices, target.positionDeltas).filter { i, d in
            (d * d).sum() > 1e-8 && (left ? model.positions[Int(i)].x < -0.03 : model.positions[Int(i)].x > 0.03)
        }
        #expect(wrongSide.isEmpty, "\(shape.name) moves \(wrongSide.count) vertices on the other side")
    }
    let state = try RigState(model: model)
    var weights = BlendshapeWeights()
    weights[.jawOpen] = 1
    state.apply(weights: weights)
    let chin = meanDelta(state, model) { $0.z > 0.15 && $0.y < -0.35 && abs($0.x) < 0.1 }
    #expect(chin.y < -0.03)

    weights = BlendshapeWeights()
    weights[.mouthSmileLeft] = 1
    state.apply(weights: weights)
    #expect(meanDelta(state, model) { $0.x > 0.06 && abs($0.y - DefaultAvatar.mouthY) < 0.04 && $0.z > 0.2 }.y > 0.01)
    #expect(meanDelta(state, model) { $0.x < -0.06 && abs($0.y - DefaultAvatar.mouthY) < 0.04 && $0.z > 0.2 }.y == 0)

    weights = BlendshapeWeights()
    weights[.eyeBlinkLeft] = 1
    state.apply(weights: weights)
    // The upper lid's edge comes down over the left eye's centre line.
    let eye = DefaultAvatar.eyeCentre(side: 1)
    let lidDrop = meanDelta(state, model) { abs($0.x - eye.x) < 0.03 && $0.y > eye.y + 0.02 && $0.z > eye.z + 0.05 }
    #expect(lidDrop.y < -0.02)
}

@Test("Default avatar: head pose turns the head about the neck, gaze turns the eyeballs")
func defaultAvatarBones() throws {
    let model = RigModel.defaultAvatar()
    let state = try RigState(model: model)
    let nose = try #require(model.positions.indices.max { model.positions[$0].z < model.positions[$1].z })
    // User turns to their left (face towards camera +x): the avatar's nose goes to +x.
    let a: Float = 0.4
    state.apply(
        weights: BlendshapeWeights(),
        headPose: HeadPose(rotation: Rotation3(SIMD3(cosf(a), 0, sinf(a)), SIMD3(0, 1, 0), SIMD3(-sinf(a), 0, cosf(a))))
    )
    #expect(state.positions[nose].x > 0.1)
    // User tilts the head back (chin up; face towards camera −y): the nose goes up.
    state.apply(
        weights: BlendshapeWeights(),
        headPose: HeadPose(rotation: Rotation3(SIMD3(1, 0, 0), SIMD3(0, cosf(a), -sinf(a)), SIMD3(0, sinf(a), cosf(a))))
    )
    #expect(state.positions[nose].y > model.positions[nose].y + 0.05)
    // The body (the top, the shoulders, the base of the neck) stays put; the neck between bends part of the way.
    let body = model.positions.indices.filter { model.positions[$0].y < -0.78 }
    #expect(body.count > 500)
    for v in body { #expect(close(state.positions[v], model.positions[v], 1e-5)) }
    let neck = try #require(
        model.positions.indices.first { p in
            let q = model.positions[p]
            return abs(q.y + 0.6) < 0.04 && q.z > 0.05 && abs(q.x) < 0.02
        })
    let neckMove = length(state.positions[neck] - model.positions[neck])
    #expect(neckMove > 0.005 && neckMove < length(state.positions[nose] - model.positions[nose]))

    // Gaze: pupils move outwards/inwards with eyeLook*.
    let left = DefaultAvatar.eyeCentre(side: 1)
    let right = DefaultAvatar.eyeCentre(side: -1)
    let leftPupil = try #require(vertex(model, at: left + SIMD3(0, 0, DefaultAvatar.eyeRadius)))
    let rightPupil = try #require(vertex(model, at: right + SIMD3(0, 0, DefaultAvatar.eyeRadius)))
    var weights = BlendshapeWeights()
    weights[.eyeLookOutLeft] = 1
    weights[.eyeLookInRight] = 1
    state.apply(weights: weights)
    #expect(state.positions[leftPupil].x > left.x + 0.02)
    #expect(state.positions[rightPupil].x > right.x + 0.02)
    weights = BlendshapeWeights()
    weights[.eyeLookUpLeft] = 1
    weights[.eyeLookUpRight] = 1
    state.apply(weights: weights)
    #expect(state.positions[leftPupil].y > left.y + 0.015 && state.positions[rightPupil].y > right.y + 0.015)
    // Exact normals on demand stay unit length.
    state.recomputeNormals()
    #expect(state.normals.allSatisfy { abs(($0 * $0).sum() - 1) < 1e-3 })
}

@Test("Default avatar: a jaw narrower than the cranium, hair with volume and a fringe above the brows, ears, shoulders")
func defaultAvatarSilhouette() throws {
    let mesh = DefaultAvatar.buildMesh()
    func points(_ part: DefaultAvatar.Part) -> [SIMD3<Float>] {
        zip(mesh.positions, mesh.parts).filter { $0.1 == part }.map(\.0)
    }
    let head = points(.head)
    let hair = points(.hair)
    let widest = try #require(hair.filter { abs($0.y - 0.15) < 0.05 }.map { abs($0.x) }.max())
    let jaw = try #require(head.filter { abs($0.y + 0.35) < 0.02 }.map { abs($0.x) }.max())
    let skull = try #require(head.filter { abs($0.y - 0.15) < 0.05 }.map { abs($0.x) }.max())
    #expect(widest > skull + 0.025 && jaw < 0.65 * widest, "skull \(skull), with hair \(widest), jaw \(jaw)")
    // The chin stands forward of the throat: the face's lowest tenth reaches well in front of the centre.
    let chin = try #require(head.filter { $0.y < -0.42 && abs($0.x) < 0.03 }.map(\.z).max())
    #expect(chin > 0.25)
    // The hair covers the crown and the back of the head, with volume.
    #expect((hair.map(\.y).max() ?? 0) > 0.55)
    #expect((hair.map(\.z).min() ?? 0) < -0.45)
    #expect(hair.contains { $0.z < -0.2 && $0.y < -0.2 })
    // The fringe hangs over the forehead but stays above the brows at rest, and a raised brow is covered by at
    // most its top edge.
    let browTop = try #require((points(.browLeft) + points(.browRight)).map(\.y).max())
    let fringe = hair.filter { abs($0.x) < 0.2 && $0.z > 0.3 }
    let fringeBottom = try #require(fringe.map(\.y).min())
    #expect(fringeBottom < 0.3 && fringeBottom > browTop + 0.015, "fringe \(fringeBottom), brows \(browTop)")
    // Ears stand off the sides of the head.
    let headSide = try #require(head.filter { abs($0.y) < 0.05 }.map { abs($0.x) }.max())
    let ear = try #require(points(.ear).map { abs($0.x) }.max())
    #expect(ear > headSide + 0.01)
    // Shoulders: about twice the head's width, reaching below the head-and-shoulders framing.
    let torso = points(.torso)
    #expect((torso.map { abs($0.x) }.max() ?? 0) > 0.6)
    #expect((torso.map(\.y).min() ?? 0) < -1.5)
    #expect(mesh.weights.indices.allSatisfy { mesh.parts[$0] != .torso || mesh.weights[$0] == .zero })
}
