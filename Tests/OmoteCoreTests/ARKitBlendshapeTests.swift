import OmoteCore
import Testing

@Test("The vocabulary has ARKit's 52 names, spelled as ARKit spells them, in alphabetical order")
func arkitVocabulary() {
    let names = ARKitBlendshape.allCases.map(\.name)
    #expect(names.count == 52)
    #expect(names == names.sorted())
    #expect(names.first == "browDownLeft" && names.last == "tongueOut")
    #expect(ARKitBlendshape(name: "eyeBlinkLeft") == .eyeBlinkLeft)
    #expect(ARKitBlendshape(name: "EyeBlinkLeft") == nil)
    var weights = BlendshapeWeights()
    weights[.jawOpen] = 0.5
    #expect(weights.values[ARKitBlendshape.jawOpen.rawValue] == 0.5)
    #expect("\(weights)".contains("redacted"))
}
