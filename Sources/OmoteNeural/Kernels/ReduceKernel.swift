/// MEAN or SUM over a set of dimensions of a rank-4 tensor (kept as size-1 dimensions in the output).
final class ReduceStep: PlanStep {
    let input: UnsafePointer<Float>
    let output: UnsafeMutablePointer<Float>
    let inputShape: [Int]
    /// Output element strides per input dimension (0 along reduced dimensions).
    let outputStrides: [Int]
    let outputCount: Int
    let scale: Float

    init(
        input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, inputShape: [Int], reduced: [Bool],
        mean: Bool
    ) {
        self.input = input
        self.output = output
        self.inputShape = inputShape
        var strides = [0, 0, 0, 0]
        var stride = 1
        var reducedCount = 1
        for dimension in (0 ..< 4).reversed() {
            if reduced[dimension] {
                reducedCount *= inputShape[dimension]
            } else {
                strides[dimension] = stride
                stride *= inputShape[dimension]
            }
        }
        outputStrides = strides
        outputCount = stride
        scale = mean ? 1 / Float(reducedCount) : 1
    }

    func run() {
        output.update(repeating: 0, count: outputCount)
        var source = input
        for i0 in 0 ..< inputShape[0] {
            for i1 in 0 ..< inputShape[1] {
                for i2 in 0 ..< inputShape[2] {
                    let row = output + i0 * outputStrides[0] + i1 * outputStrides[1] + i2 * outputStrides[2]
                    let step = outputStrides[3]
                    if step == 0 {
                        // The innermost axis reduced (layer norm's MEAN over channels): eight partial sums.
                        let count = inputShape[3]
                        var partial = SIMD8<Float>()
                        var i3 = 0
                        while i3 + 8 <= count {
                            partial += loadVector(source + i3)
                            i3 += 8
                        }
                        var sum = partial.sum()
                        while i3 < count {
                            sum += source[i3]
                            i3 += 1
                        }
                        row[0] += sum
                    } else {
                        for i3 in 0 ..< inputShape[3] {
                            row[i3] += source[i3]
                        }
                    }
                    source += inputShape[3]
                }
            }
        }
        if scale != 1 {
            for index in 0 ..< outputCount {
                output[index] *= scale
            }
        }
    }
}
