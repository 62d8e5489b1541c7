import Foundation
import Testing

@testable import OmoteNeural

/// `UnaryStep` for every operator against scalar math, at lengths below, at and off the vector width.
@Suite struct UnaryKernelTests {
    static let operations: [UnaryOperation] = [.relu, .negate, .squareRoot, .reciprocalSquareRoot, .logistic]

    @Test("equals scalar math", arguments: operations, [1, 8, 21, 64])
    func matchesReference(_ operation: UnaryOperation, _ count: Int) {
        var random = SeededGenerator(seed: UInt64(count))
        let positive = operation == .squareRoot || operation == .reciprocalSquareRoot
        let input = random.floats(count, in: positive ? 0.01 ... 9 : -8 ... 8)
        let inputBuffer = KernelBuffer(input)
        let output = KernelBuffer(count: count)
        UnaryStep(input: inputBuffer.pointer, output: output.pointer, count: count, operation: operation).run()
        let expected = input.map { value -> Double in
            let x = Double(value)
            switch operation {
            case .relu: return max(x, 0)
            case .negate: return -x
            case .squareRoot: return x.squareRoot()
            case .reciprocalSquareRoot: return 1 / x.squareRoot()
            case .logistic: return 1 / (1 + Foundation.exp(-x))
            }
        }
        expectClose(output.values, expected, "\(operation) ×\(count)")
        #expect(output.slackUntouched, "stored past the output")
    }
}
