/// output[M×N] = weights[M×K] · input[K×N] + bias[M] (one bias per row), then ReLU or not, then an optional residual
/// [M×N] added. This is an MLP-Mixer token-mixing 1×1 convolution with the TRANSPOSEs around it folded into the
/// addressing: the activation is read as it lies (tokens × channels), so the columns are the channels (a multiple of
/// 16, no padded lanes) and no transposed copy is made. Register tile: 6 weight rows × 16 columns.
final class TokenMixingStep: PlanStep {
    let weights: UnsafePointer<Float>
    let bias: UnsafePointer<Float>
    let input: UnsafePointer<Float>
    let output: UnsafeMutablePointer<Float>
    let residual: UnsafePointer<Float>?
    let rows: Int
    let depth: Int
    /// A multiple of 16.
    let columns: Int
    let relu: Bool
    let flops: Int

    init(
        weights: UnsafePointer<Float>, bias: UnsafePointer<Float>, input: UnsafePointer<Float>,
        output: UnsafeMutablePointer<Float>, residual: UnsafePointer<Float>?, rows: Int, depth: Int, columns: Int,
        relu: Bool
    ) {
        precondition(columns % 16 == 0, "token mixing needs a multiple of 16 columns")
        self.weights = weights
        self.bias = bias
        self.input = input
        self.output = output
        self.residual = residual
        self.rows = rows
        self.depth = depth
        self.columns = columns
        self.relu = relu
        self.flops = 2 * rows * depth * columns
    }

    func run() {
        var row = 0
        while row < rows {
            let count = min(6, rows - row)
            var column = 0
            while column < columns {
                tile(row: row, count: count, column: column)
                column += 16
            }
            row += count
        }
    }

    @inline(__always)
    private func tile(row: Int, count: Int, column: Int) {
        // Rows past the end repeat the last row: computed, never stored.
        let r1 = row + min(1, count - 1)
        let r2 = row + min(2, count - 1)
        let r3 = row + min(3, count - 1)
        let r4 = row + min(4, count - 1)
        let r5 = row + min(5, count - 1)
        let a0 = weights + row * depth
        let a1 = weights + r1 * depth
        let a2 = weights + r2 * depth
        let a3 = weights + r3 * depth
        let a4 = weights + r4 * depth
        let a5 = weights + r5 * depth
        var c00 = SIMD8<Float>(repeating: bias[row])
        var c01 = c00
        var c10 = SIMD8<Float>(repeating: bias[r1])
        var c11 = c10
        var c20 = SIMD8<Float>(repeating: bias[r2])
        var c21 = c20
        var c30 = SIMD8<Float>(repeating: bias[r3])
        var c31 = c30
        var c40 = SIMD8<Float>(repeating: bias[r4])
        var c41 = c40
        var c50 = SIMD8<Float>(repeating: bias[r5])
        var c51 = c50
        var b = input + column
        let stride = columns
        // Six rows unrolled on purpose (twelve accumulators in registers); the repeats are deliberate (`duplicates`).
        for k in 0 ..< depth {
            let b0 = loadVector(b)
            let b1 = loadVector(b + 8)
            b += stride
            let x0 = SIMD8<Float>(repeating: a0[k])
            c00.accumulate(x0, b0)
            c01.accumulate(x0, b1)
            let x1 = SIMD8<Float>(repeating: a1[k])
            c10.accumulate(x1, b0)
            c11.accumulate(x1, b1)
            let x2 = SIMD8<Float>(repeating: a2[k])
            c20.accumulate(x2, b0)
            c21.accumulate(x2, b1)
            let x3 = SIMD8<Float>(repeating: a3[k])
            c30.accumulate(x3, b0)
            c31.accumulate(x3, b1)
            let x4 = SIMD8<Float>(repeating: a4[k])
            c40.accumulate(x4, b0)
            c41.accumulate(x4, b1)
            let x5 = SIMD8<Float>(repeating: a5[k])
            c50.accumulate(x5, b0)
            c51.accumulate(x5, b1)
        }
        finish(c00, c01, row: row, column: column)
        guard count > 1 else { return }
        finish(c10, c11, row: row + 1, column: column)
        guard count > 2 else { return }
        finish(c20, c21, row: row + 2, column: column)
        guard count > 3 else { return }
        finish(c30, c31, row: row + 3, column: column)
        guard count > 4 else { return }
        finish(c40, c41, row: row + 4, column: column)
        guard count > 5 else { return }
        finish(c50, c51, row: row + 5, column: column)
    }

    @inline(__always)
    private func finish(_ low: SIMD8<Float>, _ high: SIMD8<Float>, row: Int, column: Int) {
        var low = low
        var high = high
        if relu {
            low = low.replacing(with: 0, where: low .< 0)
            high = high.replacing(with: 0, where: high .< 0)
        }
        let offset = row * columns + column
        if let residual {
            low += loadVector(residual + offset)
            high += loadVector(residual + offset + 8)
        }
        storeVector(low, output + offset)
        storeVector(high, output + offset + 8)
    }
}
