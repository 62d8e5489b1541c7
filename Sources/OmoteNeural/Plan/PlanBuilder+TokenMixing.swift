import OmoteCore

extension PlanBuilder {
    /// MLP-Mixer token mixing as TFLite spells it: TRANSPOSE (swap the last two axes) → 1×1 CONV_2D → 1×1 CONV_2D →
    /// TRANSPOSE back, optionally followed by a residual ADD. Lowered as two `TokenMixingStep`s that multiply the
    /// weights from the left onto the untransposed activation, so neither transposed copy is made and the residual is
    /// added in the second step's epilogue. Returns false (nothing emitted) when the graph differs.
    func lowerTokenMixing(_ transpose: TFLiteModel.Operator) throws(OmoteError) -> Bool {
        guard !folding, transpose.inputs.count == 2, transpose.outputs.count == 1 else { return false }
        let input = transpose.inputs[0]
        guard isDefined(input), !isConstant(input), try swapsLastTwoAxes(transpose) else { return false }
        let dims = try shape4(input)
        let (tokens, channels) = (dims[2], dims[3])
        guard dims[0] == 1, dims[1] == 1, channels % 16 == 0,
            let (firstIndex, first) = try pointwise(after: transpose.outputs[0], depth: tokens, columns: channels),
            let (secondIndex, second) = try pointwise(
                after: first.op.outputs[0], depth: first.rows,
                columns: channels),
            let back = soleConsumer(of: second.op.outputs[0]), model.operators[back].code == .transpose,
            model.operators[back].outputs.count == 1, try swapsLastTwoAxes(model.operators[back])
        else { return false }
        var tail = model.operators[back].outputs[0]
        var fusedOperators = [firstIndex, secondIndex, back]
        var residual: Location?
        if let addIndex = soleConsumer(of: tail), model.operators[addIndex].code == .add, !second.relu {
            let add = model.operators[addIndex]
            let other = add.inputs.first(where: { $0 != tail }) ?? tail
            if add.inputs.count == 2, add.outputs.count == 1, other != tail, isDefined(other), !isConstant(other),
                shape(other) == shape(tail), shape(add.outputs[0]) == shape(tail), try (add.options?.u8(0) ?? 0) == 0
            {
                residual = try location(other)
                fusedOperators.append(addIndex)
                tail = add.outputs[0]
            }
        }
        fused.formUnion(fusedOperators)

        let source = try location(input)
        use(source)
        let hidden = scratch(first.rows * channels)
        emit { resolve in
            TokenMixingStep(
                weights: first.weights, bias: first.bias, input: resolve(source), output: resolve(hidden),
                residual: nil, rows: first.rows, depth: tokens, columns: channels, relu: first.relu)
        }
        use(hidden)
        if let residual { use(residual) }
        let target = define(tail)
        emit { resolve in
            TokenMixingStep(
                weights: second.weights, bias: second.bias, input: resolve(hidden),
                output: resolve(target), residual: residual.map { UnsafePointer(resolve($0)) },
                rows: second.rows, depth: first.rows, columns: channels, relu: second.relu)
        }
        return true
    }

    struct PointwiseWeights {
        let op: TFLiteModel.Operator
        let weights: UnsafePointer<Float>
        let bias: UnsafePointer<Float>
        let rows: Int
        let relu: Bool
    }

    /// The sole reader of `tensor` when it is a stride-1 1×1 CONV_2D over `depth` input channels on a 1×1×`columns`
    /// image, with no activation or a ReLU: its weights [rows][depth] and bias (zeros when absent).
    private func pointwise(after tensor: Int, depth: Int, columns: Int) throws(OmoteError) -> (Int, PointwiseWeights)? {
        guard let index = soleConsumer(of: tensor) else { return nil }
        let op = model.operators[index]
        guard op.code == .conv2D, op.inputs.count >= 2, op.outputs.count == 1, op.inputs[0] == tensor,
            isConstant(op.inputs[1])
        else { return nil }
        let filter = shape(op.inputs[1])
        let output = try shape4(op.outputs[0])
        guard filter.count == 4, filter[1] == 1, filter[2] == 1, filter[3] == depth,
            output == [1, 1, columns, filter[0]],
            try (op.options?.i32(1, default: 1) ?? 1) == 1, try (op.options?.i32(2, default: 1) ?? 1) == 1,
            try (op.options?.i32(4, default: 1) ?? 1) == 1, try (op.options?.i32(5, default: 1) ?? 1) == 1
        else { return nil }
        let relu: Bool
        switch try activation(try op.options?.u8(3) ?? 0, "CONV_2D") {
        case .none:
            relu = false
        case .relu:
            relu = true
        default:
            return nil
        }
        let rows = filter[0]
        let bias = store.allocate(rows)
        if op.inputs.count == 3, op.inputs[2] >= 0 {
            guard isConstant(op.inputs[2]), count(op.inputs[2]) == rows else { return nil }
            bias.update(from: try constant(op.inputs[2], "CONV_2D bias"), count: rows)
        }
        let weights = try constant(op.inputs[1], "CONV_2D filter")
        return (index, PointwiseWeights(op: op, weights: weights, bias: bias, rows: rows, relu: relu))
    }

    private func swapsLastTwoAxes(_ op: TFLiteModel.Operator) throws(OmoteError) -> Bool {
        let rank = shape(op.inputs[0]).count
        guard rank >= 2 else { return false }
        let permutation = try int32s(op.inputs[1], "TRANSPOSE permutation")
        return permutation == Array(0 ..< rank - 2) + [rank - 1, rank - 2]
    }
}
