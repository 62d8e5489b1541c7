import Testing

@testable import OmoteNeural

/// `Activation` (vector and scalar forms agree with the definition, at the clip points too) and the vector load/store
/// helpers (a partial store writes exactly its lanes).
@Suite struct ActivationTests {
    static let values: [Float] = [-7, -1.5, -0.0, 0, 0.25, 5.999, 6, 6.5, -1e-7, 100, -100, 3, 1, -3, 2, 0.5]

    @Test("vector and scalar forms equal the definition", arguments: ["none", "relu", "relu6", "prelu"])
    func definition(_ name: String) {
        var random = SeededGenerator(seed: 5)
        let slopes = KernelBuffer(random.floats(32, in: 0.05 ... 0.5))
        let activation = Activation.named(name, slopes: slopes)
        func reference(_ value: Float, channel: Int) -> Float {
            switch name {
            case "relu": value < 0 ? 0 : value
            case "relu6": value < 0 ? 0 : (value > 6 ? 6 : value)
            case "prelu": value < 0 ? value * slopes.pointer[channel] : value
            default: value
            }
        }
        for channel in [0, 8] {
            for half in 0 ..< 2 {
                let vector = SIMD8<Float>(Self.values[half * 8 ..< half * 8 + 8])
                let applied = activation.apply(vector, channel: channel)
                for lane in 0 ..< 8 {
                    let expected = reference(vector[lane], channel: channel + lane)
                    #expect(applied[lane] == expected, "\(name) vector lane \(lane) of \(vector[lane])")
                    #expect(
                        activation.apply(vector[lane], channel: channel + lane) == expected,
                        "\(name) scalar \(vector[lane])")
                }
            }
        }
    }

    @Test("a store of n lanes writes those lanes and nothing after them", arguments: 1 ... 8)
    func partialStore(_ lanes: Int) {
        let buffer = KernelBuffer(count: 8)
        buffer.pointer.update(repeating: -1, count: 8)
        let value = SIMD8<Float>(1, 2, 3, 4, 5, 6, 7, 8)
        storeVector(value, buffer.pointer, lanes: lanes)
        #expect(buffer.values == (0 ..< 8).map { $0 < lanes ? Float($0 + 1) : -1 })
        #expect(buffer.slackUntouched)
    }

    @Test("loads and stores need no alignment")
    func unaligned() {
        let buffer = KernelBuffer((0 ..< 24).map(Float.init))
        let loaded = loadVector(buffer.pointer + 3)
        #expect(loaded == SIMD8<Float>((3 ..< 11).map(Float.init)))
        storeVector(loaded * 2, buffer.pointer + 13)
        #expect(Array(buffer.values[13 ..< 21]) == (3 ..< 11).map { Float($0 * 2) })
        #expect(buffer.values[12] == 12 && buffer.values[21] == 21)
    }
}
