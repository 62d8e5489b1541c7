import Testing

@testable import OmoteNeural

/// `accumulate` is exactly the fused multiply-add (one rounding) where the build has hardware FMA, and exactly a
/// multiply then an add (two roundings) where it does not: the values are chosen so the two differ.
@Suite struct MultiplyAddTests {
    @Test("accumulate rounds as the build's multiply-add should")
    func roundsAsTheBuildSays() {
        var random = SeededGenerator(seed: 3)
        var differing = 0
        for _ in 0 ..< 64 {
            let a = SIMD8<Float>(random.floats(8, in: 1 ... 2))
            // b ≈ 1/a, so a·b ≈ 1 and the product's low bits decide the sum: fused and unfused often differ.
            let b = SIMD8<Float>((0 ..< 8).map { 1 / a[$0] })
            let c = SIMD8<Float>(repeating: -1)
            var accumulator = c
            accumulator.accumulate(a, b)
            for lane in 0 ..< 8 {
                let fused = c[lane].addingProduct(a[lane], b[lane])
                let unfused = c[lane] + a[lane] * b[lane]
                if fused != unfused { differing += 1 }
                let expected = SIMD8<Float>.targetHasFusedMultiplyAdd ? fused : unfused
                #expect(accumulator[lane] == expected, "a \(a[lane]) b \(b[lane])")
            }
        }
        #expect(differing > 0, "the inputs should tell fused from unfused")
    }
}
