import Foundation

/// Elementwise unary operators over a contiguous tensor.
enum UnaryOperation {
    case relu
    case negate
    case squareRoot
    case reciprocalSquareRoot
    case logistic
}

final class UnaryStep: PlanStep {
    let input: UnsafePointer<Float>
    let output: UnsafeMutablePointer<Float>
    let count: Int
    let operation: UnaryOperation

    init(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, count: Int, operation: UnaryOperation) {
        self.input = input
        self.output = output
        self.count = count
        self.operation = operation
    }

    func run() {
        switch operation {
        case .relu:
            apply {
                $0.replacing(with: 0, where: $0 .< 0)
            } scalar: {
                max($0, 0)
            }
        case .negate:
            apply {
                -$0
            } scalar: {
                -$0
            }
        case .squareRoot:
            apply {
                $0.squareRoot()
            } scalar: {
                $0.squareRoot()
            }
        case .reciprocalSquareRoot:
            apply {
                1 / $0.squareRoot()
            } scalar: {
                1 / $0.squareRoot()
            }
        case .logistic:
            // Few elements in these graphs (a presence logit, a few dozen scores): scalar libm exp is exact enough.
            for index in 0 ..< count {
                output[index] = 1 / (1 + Foundation.exp(-input[index]))
            }
        }
    }

    @inline(__always)
    private func apply(_ vector: (SIMD8<Float>) -> SIMD8<Float>, scalar: (Float) -> Float) {
        var index = 0
        while index + 8 <= count {
            storeVector(vector(loadVector(input + index)), output + index)
            index += 8
        }
        while index < count {
            output[index] = scalar(input[index])
            index += 1
        }
    }
}
