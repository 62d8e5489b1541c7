import Testing

@testable import OmoteNeural

/// `LayerNormStep` against a double-precision layer normalisation, (x − mean) / √(variance + ε) · γ per row, at
/// channel counts below, at and off the vector width.
@Suite struct LayerNormKernelTests {
    @Test("equals a scalar layer normalisation", arguments: [1, 7, 8, 13, 37, 64])
    func matchesReference(_ channels: Int) {
        var random = SeededGenerator(seed: UInt64(channels))
        let rows = 5
        let epsilon: Float = 1e-6
        // An offset, so the mean matters.
        let input = random.floats(rows * channels, in: -2 ... 3)
        let gamma = random.floats(channels, in: 0.5 ... 1.5)
        let inputBuffer = KernelBuffer(input)
        let gammaBuffer = KernelBuffer(gamma)
        let output = KernelBuffer(count: rows * channels)
        LayerNormStep(
            input: inputBuffer.pointer, output: output.pointer, gamma: gammaBuffer.pointer, rows: rows,
            channels: channels, epsilon: epsilon
        ).run()
        var expected: [Double] = []
        var scale: [Double] = []
        for row in 0 ..< rows {
            let values = input[row * channels ..< (row + 1) * channels].map(Double.init)
            let mean = values.reduce(0, +) / Double(channels)
            let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(channels)
            let reciprocal = 1 / (variance + Double(epsilon)).squareRoot()
            for (channel, x) in values.enumerated() {
                let factor = reciprocal * Double(gamma[channel])
                expected.append((x - mean) * factor)
                // The step computes x·f + (−mean)·f: its rounding is relative to those two terms.
                scale.append((abs(x) + abs(mean)) * abs(factor))
            }
        }
        expectClose(output.values, expected, scale: scale, "\(rows)×\(channels)")
        #expect(output.slackUntouched, "stored past the output")
    }
}
