import OmoteCore
import Testing

@testable import OmoteRig

@Test("ARKit names match exactly, case-insensitively and through common aliases")
func aliasMatching() {
    let cases: [(String, ARKitBlendshape, BlendshapeNameMatcher.Level)] = [
        ("eyeBlinkLeft", .eyeBlinkLeft, .exact),
        ("EyeBlinkLeft", .eyeBlinkLeft, .caseInsensitive),
        ("EYEBLINKLEFT", .eyeBlinkLeft, .caseInsensitive),
        ("eyeBlink_L", .eyeBlinkLeft, .alias),
        ("Eye_Blink_L", .eyeBlinkLeft, .alias),
        ("eye_blink_left", .eyeBlinkLeft, .alias),
        ("eyeBlink.R", .eyeBlinkRight, .alias),
        ("blendShape1.jawOpen", .jawOpen, .alias),
        ("blendShape2.EyeLookInRight", .eyeLookInRight, .alias),
        ("Face:mouthSmile_R", .mouthSmileRight, .alias),
        ("BS_mouthSmileLeft", .mouthSmileLeft, .alias),
        ("A01_Brow_Inner_Up", .browInnerUp, .alias),
        ("A14_Eye_Blink_Left", .eyeBlinkLeft, .alias),
        ("Left_EyeSquint", .eyeSquintLeft, .alias),
        ("cheek-puff", .cheekPuff, .alias),
        ("TongueOut", .tongueOut, .caseInsensitive),
        ("mouth_roll_upper", .mouthRollUpper, .alias),
        ("noseSneer_R", .noseSneerRight, .alias),
        ("mouthLeft", .mouthLeft, .exact),
        ("Mouth_L", .mouthLeft, .alias),
    ]
    for (name, shape, level) in cases {
        let m = BlendshapeNameMatcher.match(name)
        #expect(m?.shape == shape && m?.level == level, "\(name) → \(String(describing: m))")
    }
    for name in ["Fcl_EYE_Close_L", "blink", "mouth", "eyeBlink", "Joy", "A", "target0", "", "jaw_open_wide"] {
        #expect(BlendshapeNameMatcher.match(name) == nil, "\(name) should not match")
    }
}

@Test("The mapping is one linear map: per-frame weights equal the coefficient rows times the ARKit weights")
func mappingIsLinear() throws {
    let expressions = [
        RigExpression(name: "blink", preset: .blink, binds: [.init(target: 0, weight: 1)]),
        RigExpression(name: "aa", preset: .aa, binds: [.init(target: 1, weight: 0.7), .init(target: 2, weight: 0.3)]),
        RigExpression(name: "lookLeft", preset: .lookLeft, binds: [.init(target: 3, weight: 1)]),
    ]
    let mapping = RigWeightMapping(
        targetNames: ["Blink", "MouthA", "TeethA", "EyeL"], expressions: expressions, hasEyeBones: false)
    #expect(
        mapping.coefficient(target: 0, shape: .eyeBlinkLeft) == 0.5
            && mapping.coefficient(target: 0, shape: .eyeBlinkRight) == 0.5)
    #expect(mapping.coefficient(target: 2, shape: .jawOpen) == 0.3)
    #expect(
        mapping.coefficient(target: 3, shape: .eyeLookOutLeft) == 0.5
            && mapping.coefficient(target: 3, shape: .eyeLookInRight) == 0.5)
    #expect(mapping.coverage.source(for: .eyeLookOutLeft) == .presets([.lookLeft]))
    var values = SIMD64<Float>.zero
    values[ARKitBlendshape.eyeBlinkLeft.rawValue] = 1
    values[ARKitBlendshape.eyeBlinkRight.rawValue] = 0.5
    values[ARKitBlendshape.jawOpen.rawValue] = 0.5
    var out = [Float](repeating: 0, count: 4)
    out.withUnsafeMutableBufferPointer { mapping.apply(values, into: $0) }
    #expect(out == [0.75, 0.35, 0.15, 0])

    // With eye bones, gaze goes to the bones and the look presets stay idle.
    let withBones = RigWeightMapping(
        targetNames: ["Blink", "MouthA", "TeethA", "EyeL"], expressions: expressions, hasEyeBones: true)
    #expect(withBones.coefficient(target: 3, shape: .eyeLookOutLeft) == 0)
    #expect(withBones.coverage.source(for: .eyeLookOutLeft) == .eyeBones)
    #expect(withBones.coverage.description.contains("via eye bones"))
}

@Test("A blink preset is not used when blinkLeft/blinkRight exist; the coverage report lists what is missing")
func blinkPresetChoice() {
    let expressions = [
        RigExpression(name: "blink", preset: .blink, binds: [.init(target: 0, weight: 1)]),
        RigExpression(name: "blinkLeft", preset: .blinkLeft, binds: [.init(target: 1, weight: 1)]),
        RigExpression(name: "blinkRight", preset: .blinkRight, binds: [.init(target: 2, weight: 1)]),
    ]
    let mapping = RigWeightMapping(targetNames: ["B", "BL", "BR"], expressions: expressions, hasEyeBones: false)
    #expect(mapping.drivenPresets == [.blinkLeft, .blinkRight])
    #expect(mapping.coefficient(target: 0, shape: .eyeBlinkLeft) == 0)
    #expect(mapping.coefficient(target: 2, shape: .eyeBlinkRight) == 1)
    #expect(
        mapping.coverage.shownMask == (1 << UInt64(ARKitBlendshape.eyeBlinkLeft.rawValue))
            | (1 << UInt64(ARKitBlendshape.eyeBlinkRight.rawValue)))
    #expect(mapping.coverage.description.contains("50 not shown"))
}
