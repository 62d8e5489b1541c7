import Testing

@testable import OmoteNeural

/// `BinaryStep` for every operator against scalar arithmetic: same shapes, broadcasting along each kind of dimension
/// (a single element, a per-channel vector, a per-row column), an inner size off the vector width, every activation.
@Suite struct BinaryKernelTests {
    enum Operator: CaseIterable {
        case add, subtract, multiply, divide, squaredDifference, prelu

        func reference(_ a: Double, _ b: Double) -> Double {
            switch self {
            case .add: a + b
            case .subtract: a - b
            case .multiply: a * b
            case .divide: a / b
            case .squaredDifference: (a - b) * (a - b)
            case .prelu: a < 0 ? a * b : a
            }
        }
    }

    /// (a's shape, b's shape); the output takes the larger size of each dimension.
    static let shapes: [([Int], [Int])] = [
        ([1, 3, 5, 13], [1, 3, 5, 13]),
        ([1, 3, 5, 13], [1, 1, 1, 13]),
        ([1, 1, 1, 13], [1, 3, 5, 13]),
        ([1, 3, 5, 13], [1, 1, 1, 1]),
        ([1, 1, 1, 1], [1, 2, 4, 17]),
        ([1, 3, 5, 8], [1, 3, 5, 1]),
        ([2, 3, 1, 21], [1, 1, 4, 21]),
    ]

    /// Element strides of `operand` read at every index of `output` (0 along broadcast dimensions), as the planner
    /// gives them.
    static func strides(_ operand: [Int], to output: [Int]) -> [Int] {
        let natural = [operand[1] * operand[2] * operand[3], operand[2] * operand[3], operand[3], 1]
        return (0 ..< 4).map { operand[$0] == 1 ? 0 : natural[$0] }
    }

    @Test(
        "equals scalar arithmetic with broadcasting", arguments: Operator.allCases, ["none", "relu", "relu6", "prelu"])
    func matchesReference(_ operation: Operator, _ activationName: String) {
        var random = SeededGenerator(seed: 7)
        for (shapeA, shapeB) in Self.shapes {
            let shape = zip(shapeA, shapeB).map { max($0, $1) }
            let a = random.floats(shapeA.reduce(1, *), in: -4 ... 4)
            // Away from zero, so DIV stays well conditioned.
            let b = random.floats(shapeB.reduce(1, *), in: 0.5 ... 2).map { Bool.random(using: &random) ? $0 : -$0 }
            let slopes = random.floats((shape[3] + 15) / 16 * 16, in: 0.05 ... 0.5)
            let slopeBuffer = KernelBuffer(slopes)
            let activation = Activation.named(activationName, slopes: slopeBuffer)
            let bufferA = KernelBuffer(a)
            let bufferB = KernelBuffer(b)
            let output = KernelBuffer(count: shape.reduce(1, *))
            let stridesA = Self.strides(shapeA, to: shape)
            let stridesB = Self.strides(shapeB, to: shape)
            func run<Operation: BinaryOperation>(_: Operation.Type) {
                BinaryStep<Operation>(
                    a: bufferA.pointer, b: bufferB.pointer, output: output.pointer, shape: shape, stridesA: stridesA,
                    stridesB: stridesB, activation: activation
                ).run()
            }
            switch operation {
            case .add: run(AddOperation.self)
            case .subtract: run(SubtractOperation.self)
            case .multiply: run(MultiplyOperation.self)
            case .divide: run(DivideOperation.self)
            case .squaredDifference: run(SquaredDifferenceOperation.self)
            case .prelu: run(PReLUOperation.self)
            }
            var expected: [Double] = []
            var scale: [Double] = []
            for i0 in 0 ..< shape[0] {
                for i1 in 0 ..< shape[1] {
                    for i2 in 0 ..< shape[2] {
                        for i3 in 0 ..< shape[3] {
                            let index = [i0, i1, i2, i3]
                            let x = Double(a[zip(index, stridesA).map { $0 * $1 }.reduce(0, +)])
                            let y = Double(b[zip(index, stridesB).map { $0 * $1 }.reduce(0, +)])
                            var value = operation.reference(x, y)
                            switch activationName {
                            case "relu": value = max(value, 0)
                            case "relu6": value = min(max(value, 0), 6)
                            case "prelu": value = leakyReference(value, slope: slopes[i3])
                            default: break
                            }
                            expected.append(value)
                            // Subtraction cancels: hold it to the operands' size, not the difference's.
                            scale.append(abs(x) + abs(y))
                        }
                    }
                }
            }
            expectClose(output.values, expected, scale: scale, "\(operation) \(shapeA) \(shapeB) \(activationName)")
            #expect(output.slackUntouched, "stored past the output")
        }
    }
}
