/// The elementwise binary operators, each with a vector and a scalar form (the scalar form handles tails).
protocol BinaryOperation {
    static func vector(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float>
    static func scalar(_ a: Float, _ b: Float) -> Float
}

enum AddOperation: BinaryOperation {
    @inline(__always) static func vector(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> { a + b }
    @inline(__always) static func scalar(_ a: Float, _ b: Float) -> Float { a + b }
}

enum SubtractOperation: BinaryOperation {
    @inline(__always) static func vector(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> { a - b }
    @inline(__always) static func scalar(_ a: Float, _ b: Float) -> Float { a - b }
}

enum MultiplyOperation: BinaryOperation {
    @inline(__always) static func vector(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> { a * b }
    @inline(__always) static func scalar(_ a: Float, _ b: Float) -> Float { a * b }
}

enum DivideOperation: BinaryOperation {
    @inline(__always) static func vector(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> { a / b }
    @inline(__always) static func scalar(_ a: Float, _ b: Float) -> Float { a / b }
}

enum SquaredDifferenceOperation: BinaryOperation {
    @inline(__always) static func vector(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> { (a - b) * (a - b) }
    @inline(__always) static func scalar(_ a: Float, _ b: Float) -> Float { (a - b) * (a - b) }
}

/// PReLU as a binary operator: `b` is the slope for negative `a`.
enum PReLUOperation: BinaryOperation {
    @inline(__always) static func vector(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
        a.replacing(with: a * b, where: a .< 0)
    }
    @inline(__always) static func scalar(_ a: Float, _ b: Float) -> Float { a < 0 ? a * b : a }
}

/// A binary elementwise operator over 4-D shapes with broadcasting (stride 0 along broadcast dimensions), then an
/// activation on the last dimension (fused from the operator's options or a following RELU/PRELU).
final class BinaryStep<Operation: BinaryOperation>: PlanStep {
    let a: UnsafePointer<Float>
    let b: UnsafePointer<Float>
    let output: UnsafeMutablePointer<Float>
    /// Output shape, rank 4.
    let shape: [Int]
    /// Element strides of `a` and `b` per output dimension (0 where broadcast).
    let stridesA: [Int]
    let stridesB: [Int]
    let activation: Activation

    init(
        a: UnsafePointer<Float>, b: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, shape: [Int],
        stridesA: [Int], stridesB: [Int], activation: Activation
    ) {
        self.a = a
        self.b = b
        self.output = output
        self.shape = shape
        self.stridesA = stridesA
        self.stridesB = stridesB
        self.activation = activation
    }

    func run() {
        let inner = shape[3]
        let innerA = stridesA[3]
        let innerB = stridesB[3]
        var out = output
        for i0 in 0 ..< shape[0] {
            for i1 in 0 ..< shape[1] {
                for i2 in 0 ..< shape[2] {
                    let rowA = a + i0 * stridesA[0] + i1 * stridesA[1] + i2 * stridesA[2]
                    let rowB = b + i0 * stridesB[0] + i1 * stridesB[1] + i2 * stridesB[2]
                    if innerA == 1, innerB == 1 {
                        row(rowA, rowB, out, count: inner, stepA: 1, stepB: 1)
                    } else if innerA == 1 {
                        row(rowA, rowB, out, count: inner, stepA: 1, stepB: 0)
                    } else if innerB == 1 {
                        row(rowA, rowB, out, count: inner, stepA: 0, stepB: 1)
                    } else {
                        row(rowA, rowB, out, count: inner, stepA: 0, stepB: 0)
                    }
                    out += inner
                }
            }
        }
    }

    /// One innermost row; a step of 0 broadcasts that operand's single element. The activation, when there is one,
    /// runs as a second pass over the row so the common no-activation loop has no per-vector switch.
    @inline(__always)
    private func row(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
        count: Int, stepA: Int, stepB: Int
    ) {
        var index = 0
        let splatA = SIMD8<Float>(repeating: a[0])
        let splatB = SIMD8<Float>(repeating: b[0])
        while index + 8 <= count {
            let va = stepA == 1 ? loadVector(a + index) : splatA
            let vb = stepB == 1 ? loadVector(b + index) : splatB
            storeVector(Operation.vector(va, vb), out + index)
            index += 8
        }
        while index < count {
            out[index] = Operation.scalar(a[index * stepA], b[index * stepB])
            index += 1
        }
        if activation != .none {
            for channel in 0 ..< count {
                out[channel] = activation.apply(out[channel], channel: channel)
            }
        }
    }
}
