import OmoteCore
import OmoteSolver
import Testing

@Test("The face model is mirror-symmetric and every Right field is the mirror image of its Left field")
func faceModelSymmetry() {
    let mirrored = FaceModel.mirrorFace(FaceModel.neutral)
    for k in 0 ..< 68 { #expect(mirrored[k] == FaceModel.neutral[k], "point \(k)") }
    for k in 0 ..< 68 { #expect(FaceModel.mirrorIndex[FaceModel.mirrorIndex[k]] == k) }
    for shape in ARKitBlendshape.allCases {
        guard let field = FaceModel.displacementField(shape) else { continue }
        #expect(field.count == 68 && field.allSatisfy { $0.x.isFinite && $0.y.isFinite && $0.z.isFinite })
        let mirrorShape = ARKitBlendshape(
            name: shape.name.replacingOccurrences(of: "Left", with: "#")
                .replacingOccurrences(of: "Right", with: "Left").replacingOccurrences(of: "#", with: "Right"))!
        let other = FaceModel.mirrorFace(FaceModel.displacementField(mirrorShape)!)
        for k in 0 ..< 68 { #expect(simd_distance(other[k], field[k]) < 1e-4, "\(shape) point \(k)") }
        // Left shapes move the subject's left side (+x) more than the right.
        if shape.name.hasSuffix("Left") && shape != .mouthLeft && shape != .jawLeft {
            var left: Float = 0
            var right: Float = 0
            for k in 0 ..< 68 {
                let size = (field[k] * field[k]).sum()
                if FaceModel.neutral[k].x > 0.5 { left += size } else if FaceModel.neutral[k].x < -0.5 { right += size }
            }
            #expect(left > 2 * right, "\(shape) moves mostly the left side")
        }
    }
}

@Test("Every one of the 52 shapes is solved, derived or not tracked, exactly once")
func shapeCategoriesPartition() {
    let solved = SolvedShapes.linear + SolvedShapes.jaw + SolvedShapes.signedPairs.flatMap { [$0.left, $0.right] }
    let all = solved + SolvedShapes.derived + SolvedShapes.fieldOnly + SolvedShapes.invisible
    #expect(all.count == 52 && Set(all).count == 52)
    #expect(SolvedShapes.trackedMask.nonzeroBitCount == 46)
    for shape in SolvedShapes.fieldOnly + SolvedShapes.invisible {
        #expect(SolvedShapes.trackedMask & (1 << UInt64(shape.rawValue)) == 0)
    }
    // Shapes the solver fits must move landmarks; invisible ones must not.
    for shape in solved { #expect(FaceModel.displacementField(shape) != nil, "\(shape)") }
    for shape in SolvedShapes.invisible { #expect(FaceModel.displacementField(shape) == nil) }
}

@Test("The eyelids close onto the lower lid and the jaw rotates about its hinge")
func anatomicalFields() {
    var blink = BlendshapeWeights()
    blink[.eyeBlinkLeft] = 1
    let closed = FaceModel.shape(weights: blink)
    #expect(abs(closed[43].y - closed[47].y) < 0.6 && abs(closed[44].y - closed[46].y) < 0.6)
    var open = BlendshapeWeights()
    open[.jawOpen] = 1
    let jaw = FaceModel.shape(weights: open)
    // Every attached point keeps its distance to the hinge (rotation); the chin drops, the lips part by ≈ 45 mm.
    for k in [5, 8, 11, 57, 66] {
        let before = FaceModel.neutral[k] - FaceModel.jawPivot
        let after = jaw[k] - FaceModel.jawPivot
        #expect(abs((before * before).sum().squareRoot() - (after * after).sum().squareRoot()) < 1e-3)
    }
    #expect(jaw[8].y - FaceModel.neutral[8].y > 20 && jaw[57].y - jaw[51].y > 35)
    #expect(jaw[27] == FaceModel.neutral[27])
}

func simd_distance(_ a: SIMD3<Float>, _ b: SIMD3<Float>) -> Float {
    let d = a - b
    return (d * d).sum().squareRoot()
}
