/// Layer normalisation over the innermost axis, one step for the ten-operator chain TFLite graphs spell it as
/// (MEAN, NEG, SQUARED_DIFFERENCE, MEAN, ADD ε, RSQRT, MUL γ, MUL, MUL, ADD). Each row is read three times from L1
/// (sum, squared deviations, output) instead of ten tensors going through memory. The output keeps the graph's own
/// arithmetic, x·(r·γ) + (−mean)·(r·γ), so it rounds like TFLite's unfused chain.
final class LayerNormStep: PlanStep {
    let input: UnsafePointer<Float>
    let output: UnsafeMutablePointer<Float>
    let gamma: UnsafePointer<Float>
    let rows: Int
    let channels: Int
    let epsilon: Float

    init(
        input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, gamma: UnsafePointer<Float>, rows: Int,
        channels: Int, epsilon: Float
    ) {
        self.input = input
        self.output = output
        self.gamma = gamma
        self.rows = rows
        self.channels = channels
        self.epsilon = epsilon
    }

    func run() {
        let scale = 1 / Float(channels)
        let vectorEnd = channels / 8 * 8
        for row in 0 ..< rows {
            let source = input + row * channels
            let target = output + row * channels
            var partial = SIMD8<Float>()
            var index = 0
            while index < vectorEnd {
                partial += loadVector(source + index)
                index += 8
            }
            var sum = partial.sum()
            for tail in vectorEnd ..< channels {
                sum += source[tail]
            }
            let mean = sum * scale
            let meanVector = SIMD8<Float>(repeating: mean)
            partial = SIMD8<Float>()
            index = 0
            while index < vectorEnd {
                let deviation = loadVector(source + index) - meanVector
                partial += deviation * deviation
                index += 8
            }
            var squares = partial.sum()
            for tail in vectorEnd ..< channels {
                let deviation = source[tail] - mean
                squares += deviation * deviation
            }
            let reciprocal = 1 / (squares * scale + epsilon).squareRoot()
            let reciprocalVector = SIMD8<Float>(repeating: reciprocal)
            let negatedMean = SIMD8<Float>(repeating: -mean)
            index = 0
            while index < vectorEnd {
                let factor = reciprocalVector * loadVector(gamma + index)
                let value = loadVector(source + index) * factor + negatedMean * factor
                storeVector(value, target + index)
                index += 8
            }
            for tail in vectorEnd ..< channels {
                let factor = reciprocal * gamma[tail]
                target[tail] = source[tail] * factor + -mean * factor
            }
        }
    }
}
