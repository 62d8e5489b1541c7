import OmoteCore

extension PlanBuilder {
    /// PAD with zeros: the whole output zeroed, then the input copied into its interior.
    func lowerPad(_ op: TFLiteModel.Operator) throws(OmoteError) {
        try requireCounts(op, inputs: 2 ... 2, outputs: 1)
        let rank = shape(op.inputs[0]).count
        let input = try shape4(op.inputs[0])
        let output = try shape4(op.outputs[0])
        let amounts = try int32s(op.inputs[1], "PAD amounts")
        guard amounts.count == 2 * rank, amounts.allSatisfy({ $0 >= 0 }) else {
            throw OmoteError.badModel(file, "PAD amounts \(amounts) for rank \(rank)")
        }
        let before = Array(repeating: 0, count: 4 - rank) + (0 ..< rank).map { amounts[2 * $0] }
        let after = Array(repeating: 0, count: 4 - rank) + (0 ..< rank).map { amounts[2 * $0 + 1] }
        guard (0 ..< 4).allSatisfy({ input[$0] + before[$0] + after[$0] == output[$0] }) else {
            throw OmoteError.badModel(file, "PAD \(input) by \(amounts) cannot give \(output)")
        }
        let source = try location(op.inputs[0])
        use(source)
        let target = define(op.outputs[0])
        let total = count(op.outputs[0])
        let outputStrides = strides(output)
        let offset = (0 ..< 4).map { before[$0] * outputStrides[$0] }.reduce(0, +)
        let inputStrides = strides(input)
        emit { resolve in ZeroStep(destination: resolve(target), count: total) }
        use(source)
        use(target)
        emit { resolve in
            StridedCopyStep(
                source: resolve(source), sourceStrides: inputStrides, destination: resolve(target) + offset,
                destinationStrides: outputStrides, shape: input)
        }
    }

    func lowerConcatenation(_ op: TFLiteModel.Operator) throws(OmoteError) {
        guard !op.inputs.isEmpty, op.outputs.count == 1 else {
            throw OmoteError.badModel(file, "CONCATENATION with \(op.inputs.count) inputs")
        }
        let rank = shape(op.outputs[0]).count
        let rawAxis = Int(try op.options?.i32(0) ?? 0)
        let axis = (rawAxis < 0 ? rawAxis + rank : rawAxis) + 4 - rank
        guard axis >= 4 - rank, axis < 4 else {
            throw OmoteError.badModel(file, "CONCATENATION axis \(rawAxis) for rank \(rank)")
        }
        guard try activation(try op.options?.u8(1) ?? 0, "CONCATENATION") == .none else {
            throw OmoteError.unsupported(file, "CONCATENATION with a fused activation")
        }
        let output = try shape4(op.outputs[0])
        let outputStrides = strides(output)
        let pieces = try op.inputs.map { input throws(OmoteError) in
            (location: try location(input), shape: try shape4(input))
        }
        guard pieces.map({ $0.shape[axis] }).reduce(0, +) == output[axis],
            pieces.allSatisfy({ piece in
                (0 ..< 4).allSatisfy { $0 == axis || piece.shape[$0] == output[$0] }
            })
        else {
            throw OmoteError.badModel(
                file,
                "CONCATENATION of \(pieces.map(\.shape)) along \(axis) cannot give \(output)")
        }
        for piece in pieces { use(piece.location) }
        let target = define(op.outputs[0])
        var start = 0
        for piece in pieces {
            let offset = start * outputStrides[axis]
            let pieceStrides = strides(piece.shape)
            use(piece.location)
            use(target)
            emit { resolve in
                StridedCopyStep(
                    source: resolve(piece.location), sourceStrides: pieceStrides,
                    destination: resolve(target) + offset, destinationStrides: outputStrides,
                    shape: piece.shape)
            }
            start += piece.shape[axis]
        }
    }

    func lowerTranspose(_ op: TFLiteModel.Operator) throws(OmoteError) {
        try requireCounts(op, inputs: 2 ... 2, outputs: 1)
        let rank = shape(op.inputs[0]).count
        let permutation = try int32s(op.inputs[1], "TRANSPOSE permutation")
        guard permutation.count == rank, Set(permutation) == Set(0 ..< rank) else {
            throw OmoteError.badModel(file, "TRANSPOSE permutation \(permutation) for rank \(rank)")
        }
        let lead = 4 - rank
        let full = Array(0 ..< lead) + permutation.map { $0 + lead }
        let input = try shape4(op.inputs[0])
        let output = try shape4(op.outputs[0])
        guard (0 ..< 4).allSatisfy({ output[$0] == input[full[$0]] }) else {
            throw OmoteError.badModel(file, "TRANSPOSE \(input) by \(permutation) cannot give \(output)")
        }
        let inputStrides = strides(input)
        let sourceStrides = full.map { inputStrides[$0] }
        try emitCopy(op, sourceStrides: sourceStrides, offset: 0, shape: output)
    }

    /// STRIDED_SLICE with constant begin/end/strides; begin/end masks and shrink-axis are supported.
    func lowerStridedSlice(_ op: TFLiteModel.Operator) throws(OmoteError) {
        try requireCounts(op, inputs: 4 ... 4, outputs: 1)
        let rank = shape(op.inputs[0]).count
        let input = try shape4(op.inputs[0])
        let begins = try int32s(op.inputs[1], "STRIDED_SLICE begin")
        let ends = try int32s(op.inputs[2], "STRIDED_SLICE end")
        let steps = try int32s(op.inputs[3], "STRIDED_SLICE strides")
        let options = op.options
        let beginMask = Int(try options?.i32(0) ?? 0)
        let endMask = Int(try options?.i32(1) ?? 0)
        let ellipsisMask = try options?.i32(2) ?? 0
        let newAxisMask = try options?.i32(3) ?? 0
        let shrinkMask = Int(try options?.i32(4) ?? 0)
        guard begins.count == rank, ends.count == rank, steps.count == rank, ellipsisMask == 0, newAxisMask == 0 else {
            throw OmoteError.unsupported(file, "STRIDED_SLICE with ellipsis/new-axis masks or partial specs")
        }
        let lead = 4 - rank
        let inputStrides = strides(input)
        var box = [1, 1, 1, 1]
        var sourceStrides = [0, 0, 0, 0]
        var offset = 0
        for dimension in 0 ..< rank {
            let size = input[dimension + lead]
            let step = steps[dimension]
            guard step != 0 else { throw OmoteError.badModel(file, "STRIDED_SLICE stride 0") }
            func clamp(_ value: Int, _ low: Int, _ high: Int) -> Int { min(max(value, low), high) }
            var begin = begins[dimension] < 0 ? begins[dimension] + size : begins[dimension]
            var end = ends[dimension] < 0 ? ends[dimension] + size : ends[dimension]
            if step > 0 {
                begin = beginMask & (1 << dimension) != 0 ? 0 : clamp(begin, 0, size)
                end = endMask & (1 << dimension) != 0 ? size : clamp(end, 0, size)
            } else {
                begin = beginMask & (1 << dimension) != 0 ? size - 1 : clamp(begin, -1, size - 1)
                end = endMask & (1 << dimension) != 0 ? -1 : clamp(end, -1, size - 1)
            }
            if shrinkMask & (1 << dimension) != 0 {
                end = begin + 1
                guard begin >= 0, begin < size else {
                    throw OmoteError.badModel(
                        file,
                        "STRIDED_SLICE index out of range")
                }
            }
            let length = step > 0 ? max(0, (end - begin + step - 1) / step) : max(0, (begin - end - step - 1) / -step)
            box[dimension + lead] = length
            sourceStrides[dimension + lead] = inputStrides[dimension + lead] * step
            offset += begin * inputStrides[dimension + lead]
        }
        guard box.reduce(1, *) == count(op.outputs[0]) else {
            throw OmoteError.badModel(file, "STRIDED_SLICE of \(input) gives \(box), not \(shape(op.outputs[0]))")
        }
        try emitCopy(op, sourceStrides: sourceStrides, offset: offset, shape: box)
    }

    /// Copies the box `shape` read with `sourceStrides` from the first input (plus `offset`) into a fresh output.
    private func emitCopy(_ op: TFLiteModel.Operator, sourceStrides: [Int], offset: Int, shape box: [Int])
        throws(OmoteError)
    {
        let source = try location(op.inputs[0])
        use(source)
        let target = define(op.outputs[0])
        let destinationStrides = strides(box)
        emit { resolve in
            StridedCopyStep(
                source: resolve(source) + offset, sourceStrides: sourceStrides,
                destination: resolve(target),
                destinationStrides: destinationStrides, shape: box)
        }
    }
}
