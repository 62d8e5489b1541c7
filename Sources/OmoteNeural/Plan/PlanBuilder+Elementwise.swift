import OmoteCore

extension PlanBuilder {
    /// Row-major element strides of a rank-4 shape.
    func strides(_ shape: [Int]) -> [Int] {
        [shape[1] * shape[2] * shape[3], shape[2] * shape[3], shape[3], 1]
    }

    /// Strides of `operand` read at every index of `output` (0 along broadcast dimensions).
    func broadcastStrides(_ operand: [Int], to output: [Int], _ what: String) throws(OmoteError) -> [Int] {
        let natural = strides(operand)
        return try (0 ..< 4).map { dimension throws(OmoteError) in
            if operand[dimension] == output[dimension] { return operand[dimension] == 1 ? 0 : natural[dimension] }
            guard operand[dimension] == 1 else {
                throw OmoteError.badModel(file, "\(what): shape \(operand) does not broadcast to \(output)")
            }
            return 0
        }
    }

    /// ADD, SUB, MUL, DIV, SQUARED_DIFFERENCE and PRELU with broadcasting; RELU/PRELU readers fused when possible.
    func lowerBinary(_ op: TFLiteModel.Operator) throws(OmoteError) {
        try requireCounts(op, inputs: 2 ... 2, outputs: 1)
        let shapeA = try shape4(op.inputs[0])
        let shapeB = try shape4(op.inputs[1])
        var output = try shape4(op.outputs[0])
        let stridesA = try broadcastStrides(shapeA, to: output, "\(op.code)")
        let stridesB = try broadcastStrides(shapeB, to: output, "\(op.code)")
        let hasActivationOption = [.add, .sub, .mul, .div].contains(op.code)
        var activation = hasActivationOption ? try activation(try op.options?.u8(0) ?? 0, "\(op.code)") : .none
        var tail = op.outputs[0]
        if !folding, activation == .none,
            let (fusedActivation, next) = try fusibleActivation(
                after: tail,
                channels: output[3])
        {
            activation = fusedActivation
            tail = next
            output = try shape4(tail)
        }
        let a = try location(op.inputs[0])
        let b = try location(op.inputs[1])
        use(a)
        use(b)
        let target = define(tail)
        let finalActivation = activation
        func step<Operation: BinaryOperation>(_ operation: Operation.Type) {
            emit { resolve in
                BinaryStep<Operation>(
                    a: resolve(a), b: resolve(b), output: resolve(target), shape: output,
                    stridesA: stridesA, stridesB: stridesB, activation: finalActivation)
            }
        }
        switch op.code {
        case .add: step(AddOperation.self)
        case .sub: step(SubtractOperation.self)
        case .mul: step(MultiplyOperation.self)
        case .div: step(DivideOperation.self)
        case .squaredDifference: step(SquaredDifferenceOperation.self)
        default: step(PReLUOperation.self)
        }
    }

    func lowerUnary(_ op: TFLiteModel.Operator) throws(OmoteError) {
        try requireCounts(op, inputs: 1 ... 1, outputs: 1)
        guard count(op.inputs[0]) == count(op.outputs[0]) else {
            throw OmoteError.badModel(file, "\(op.code) changes the element count")
        }
        let operation: UnaryOperation
        switch op.code {
        case .relu: operation = .relu
        case .neg: operation = .negate
        case .sqrt: operation = .squareRoot
        case .rsqrt: operation = .reciprocalSquareRoot
        default: operation = .logistic
        }
        let source = try location(op.inputs[0])
        use(source)
        let target = define(op.outputs[0])
        let elements = count(op.outputs[0])
        emit { resolve in
            UnaryStep(
                input: resolve(source), output: resolve(target), count: elements,
                operation: operation)
        }
    }

    /// MEAN and SUM over constant axes (keep_dims or not: the output's element order is the same).
    func lowerReduce(_ op: TFLiteModel.Operator) throws(OmoteError) {
        try requireCounts(op, inputs: 2 ... 2, outputs: 1)
        let rank = shape(op.inputs[0]).count
        let input = try shape4(op.inputs[0])
        var reduced = [false, false, false, false]
        for axis in try int32s(op.inputs[1], "\(op.code) axes") {
            let normalized = axis < 0 ? axis + rank : axis
            guard normalized >= 0, normalized < rank else {
                throw OmoteError.badModel(file, "\(op.code) axis \(axis) for rank \(rank)")
            }
            reduced[normalized + 4 - rank] = true
        }
        let kept = (0 ..< 4).filter { !reduced[$0] }.map { input[$0] }.reduce(1, *)
        guard kept == count(op.outputs[0]) else {
            throw OmoteError.badModel(
                file,
                "\(op.code) of \(input) over \(reduced) cannot give \(shape(op.outputs[0]))")
        }
        let source = try location(op.inputs[0])
        use(source)
        let target = define(op.outputs[0])
        let mean = op.code == .mean
        emit { resolve in
            ReduceStep(input: resolve(source), output: resolve(target), inputShape: input, reduced: reduced, mean: mean)
        }
    }
}
