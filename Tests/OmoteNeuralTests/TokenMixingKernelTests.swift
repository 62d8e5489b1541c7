import Testing

@testable import OmoteNeural

/// `TokenMixingStep` against a scalar matrix product, weights[M×K] · input[K×N] + bias, then ReLU or not, then the
/// residual or not: row counts that leave a partial 6-row tile, odd depths, one and several 16-column panels.
@Suite struct TokenMixingKernelTests {
    @Test(
        "equals a scalar matrix product", arguments: [(13, 11, 32), (6, 4, 16), (1, 7, 48), (20, 96, 16)],
        [(false, false), (true, false), (false, true), (true, true)])
    func matchesReference(_ size: (rows: Int, depth: Int, columns: Int), _ options: (relu: Bool, residual: Bool)) {
        var random = SeededGenerator(seed: UInt64(size.rows * 100 + size.depth))
        let weights = random.floats(size.rows * size.depth)
        let bias = random.floats(size.rows)
        let input = random.floats(size.depth * size.columns)
        let residual = options.residual ? random.floats(size.rows * size.columns) : nil
        let weightBuffer = KernelBuffer(weights)
        let biasBuffer = KernelBuffer(bias)
        let inputBuffer = KernelBuffer(input)
        let residualBuffer = residual.map { KernelBuffer($0) }
        let output = KernelBuffer(count: size.rows * size.columns)
        TokenMixingStep(
            weights: weightBuffer.pointer, bias: biasBuffer.pointer, input: inputBuffer.pointer,
            output: output.pointer, residual: residualBuffer.map { UnsafePointer($0.pointer) }, rows: size.rows,
            depth: size.depth, columns: size.columns, relu: options.relu
        ).run()
        var expected: [Double] = []
        var scale: [Double] = []
        for row in 0 ..< size.rows {
            for column in 0 ..< size.columns {
                var sum = Double(bias[row])
                var magnitude = abs(sum)
                for k in 0 ..< size.depth {
                    let term = Double(weights[row * size.depth + k]) * Double(input[k * size.columns + column])
                    sum += term
                    magnitude += abs(term)
                }
                if options.relu { sum = max(sum, 0) }
                if let residual {
                    sum += Double(residual[row * size.columns + column])
                    magnitude += abs(Double(residual[row * size.columns + column]))
                }
                expected.append(sum)
                scale.append(magnitude)
            }
        }
        expectClose(output.values, expected, scale: scale, "\(size) \(options)")
        #expect(output.slackUntouched, "stored past the output")
    }
}
