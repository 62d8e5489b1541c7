import Testing

@testable import OmoteNeural

/// `ReduceStep` (MEAN and SUM) against scalar sums over every kind of axis set: the innermost axis alone (its
/// eight-partial-sums path, at lengths off the vector width), outer axes, mixed, and everything.
@Suite struct ReduceKernelTests {
    static let axisSets: [[Bool]] = [
        [false, false, false, true],
        [false, true, true, false],
        [false, false, true, false],
        [true, false, true, true],
        [true, true, true, true],
    ]

    @Test("equals scalar sums and means", arguments: axisSets, [true, false])
    func matchesReference(_ reduced: [Bool], _ mean: Bool) {
        var random = SeededGenerator(seed: 11)
        for shape in [[2, 3, 5, 13], [1, 4, 3, 21], [1, 1, 2, 7]] {
            let input = random.floats(shape.reduce(1, *))
            let kept = (0 ..< 4).filter { !reduced[$0] }
            let outputShape = kept.map { shape[$0] }
            let outputCount = outputShape.reduce(1, *)
            let reducedCount = (0 ..< 4).filter { reduced[$0] }.map { shape[$0] }.reduce(1, *)
            let inputBuffer = KernelBuffer(input)
            let output = KernelBuffer(count: outputCount)
            // Stale values in the output: the step must overwrite, not accumulate onto them.
            output.pointer.update(repeating: 99, count: outputCount)
            ReduceStep(
                input: inputBuffer.pointer, output: output.pointer, inputShape: shape, reduced: reduced, mean: mean
            ).run()
            var expected = Array(repeating: 0.0, count: outputCount)
            var scale = Array(repeating: 0.0, count: outputCount)
            var flat = 0
            for i0 in 0 ..< shape[0] {
                for i1 in 0 ..< shape[1] {
                    for i2 in 0 ..< shape[2] {
                        for i3 in 0 ..< shape[3] {
                            let index = [i0, i1, i2, i3]
                            var target = 0
                            for dimension in kept {
                                target = target * shape[dimension] + index[dimension]
                            }
                            expected[target] += Double(input[flat])
                            scale[target] += abs(Double(input[flat]))
                            flat += 1
                        }
                    }
                }
            }
            if mean {
                expected = expected.map { $0 / Double(reducedCount) }
                scale = scale.map { $0 / Double(reducedCount) }
            }
            expectClose(output.values, expected, scale: scale, "\(mean ? "MEAN" : "SUM") \(shape) over \(reduced)")
            #expect(output.slackUntouched, "stored past the output")
        }
    }
}
