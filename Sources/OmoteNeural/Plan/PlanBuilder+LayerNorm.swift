import OmoteCore

extension PlanBuilder {
    /// Recognises layer normalisation starting at a MEAN over the innermost axis and lowers the whole chain as one
    /// `LayerNormStep`: MEAN → {NEG, SQUARED_DIFFERENCE} → MEAN → ADD ε → RSQRT → MUL γ → {MUL x, MUL −mean} → ADD.
    /// Every intermediate must be read only inside the chain. Returns false (nothing emitted) when the graph differs.
    func lowerLayerNormalization(_ mean: TFLiteModel.Operator) throws(OmoteError) -> Bool {
        guard !folding, mean.code == .mean, mean.inputs.count == 2, mean.outputs.count == 1 else { return false }
        let input = mean.inputs[0]
        let average = mean.outputs[0]
        guard isDefined(input), !isConstant(input), try reducesInnermost(mean) else { return false }
        let channels = try shape4(input)[3]
        guard channels > 0, count(average) * channels == count(input) else { return false }

        guard let averageReaders = chainReaders(of: average), averageReaders.count == 2,
            let negIndex = averageReaders.first(where: { model.operators[$0].code == .neg }),
            let differenceIndex = averageReaders.first(where: { model.operators[$0].code == .squaredDifference })
        else { return false }
        let negation = model.operators[negIndex]
        let difference = model.operators[differenceIndex]
        guard negation.inputs == [average], Set(difference.inputs) == [input, average],
            difference.inputs.count == 2
        else { return false }

        guard let (varianceIndex, variance) = soleChainReader(of: difference.outputs[0], .mean),
            variance.inputs[0] == difference.outputs[0], try reducesInnermost(variance),
            let (epsilonIndex, addEpsilon) = soleChainReader(of: variance.outputs[0], .add),
            try unactivated(addEpsilon),
            let epsilonTensor = addEpsilon.inputs.first(where: { $0 != variance.outputs[0] }),
            isConstant(epsilonTensor), count(epsilonTensor) == 1,
            let (rsqrtIndex, rsqrt) = soleChainReader(of: addEpsilon.outputs[0], .rsqrt),
            let (scaleIndex, scale) = soleChainReader(of: rsqrt.outputs[0], .mul), try unactivated(scale),
            let gammaTensor = scale.inputs.first(where: { $0 != rsqrt.outputs[0] }),
            isConstant(gammaTensor), count(gammaTensor) == channels, shape(gammaTensor).last == channels,
            count(scale.outputs[0]) == count(input)
        else { return false }

        let factor = scale.outputs[0]
        guard let factorReaders = chainReaders(of: factor), factorReaders.count == 2,
            let scaledIndex = factorReaders.first(where: { Set(model.operators[$0].inputs) == [input, factor] }),
            let shiftIndex = factorReaders.first(where: {
                Set(model.operators[$0].inputs) == [negation.outputs[0], factor]
            }),
            model.operators[scaledIndex].code == .mul, model.operators[shiftIndex].code == .mul,
            try unactivated(model.operators[scaledIndex]), try unactivated(model.operators[shiftIndex]),
            chainReaders(of: negation.outputs[0]) == [shiftIndex],
            let (sumIndex, sum) = soleChainReader(of: model.operators[scaledIndex].outputs[0], .add),
            chainReaders(of: model.operators[shiftIndex].outputs[0]) == [sumIndex],
            try unactivated(sum), count(sum.outputs[0]) == count(input)
        else { return false }

        let epsilon = try constant(epsilonTensor, "layer norm ε")[0]
        let gamma = try constant(gammaTensor, "layer norm γ")
        fused.formUnion([
            negIndex, differenceIndex, varianceIndex, epsilonIndex, rsqrtIndex, scaleIndex, scaledIndex,
            shiftIndex, sumIndex,
        ])
        let source = try location(input)
        use(source)
        let target = define(sum.outputs[0])
        let rows = count(input) / channels
        emit { resolve in
            LayerNormStep(
                input: resolve(source), output: resolve(target), gamma: gamma, rows: rows,
                channels: channels, epsilon: epsilon)
        }
        return true
    }

    /// True when a MEAN reduces exactly the last axis.
    private func reducesInnermost(_ op: TFLiteModel.Operator) throws(OmoteError) -> Bool {
        guard op.inputs.count == 2, op.outputs.count == 1 else { return false }
        let rank = shape(op.inputs[0]).count
        let axes = try int32s(op.inputs[1], "MEAN axes").map { $0 < 0 ? $0 + rank : $0 }
        return axes == [rank - 1]
    }

    private func unactivated(_ op: TFLiteModel.Operator) throws(OmoteError) -> Bool {
        try (op.options?.u8(0) ?? 0) == 0
    }

    /// The readers of `tensor` when all come later, none is lowered yet and it is not a graph output.
    private func chainReaders(of tensor: Int) -> [Int]? {
        guard !model.outputs.contains(tensor), let readers = readers(of: tensor),
            readers.allSatisfy({ $0 > currentOperator && !fused.contains($0) })
        else { return nil }
        return readers
    }

    private func soleChainReader(of tensor: Int, _ code: TFLiteOperatorCode) -> (Int, TFLiteModel.Operator)? {
        guard let reader = soleConsumer(of: tensor), model.operators[reader].code == code,
            model.operators[reader].outputs.count == 1
        else { return nil }
        return (reader, model.operators[reader])
    }
}
