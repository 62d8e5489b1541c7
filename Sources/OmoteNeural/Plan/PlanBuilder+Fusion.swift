import OmoteCore

extension PlanBuilder {
    /// Rounds a channel count up to the 16-float panels the kernels read.
    func padded16(_ count: Int) -> Int { (count + 15) / 16 * 16 }

    /// A copy of `count` floats padded with zeros to a multiple of 16 (bias, PReLU slopes).
    func paddedCopy(_ source: UnsafePointer<Float>?, count: Int) -> UnsafeMutablePointer<Float> {
        let pointer = store.allocate(padded16(count))
        if let source {
            pointer.update(from: source, count: count)
        }
        return pointer
    }

    /// A RELU or per-channel PRELU that is the sole reader of `tensor` (NHWC, `channels` last), folded into the
    /// producer's epilogue: returns the activation and the tensor it now produces.
    func fusibleActivation(after tensor: Int, channels: Int) throws(OmoteError) -> (Activation, Int)? {
        guard fuses, let reader = soleConsumer(of: tensor) else { return nil }
        let op = model.operators[reader]
        switch op.code {
        case .relu where op.inputs.count == 1:
            fused.insert(reader)
            return (.relu, op.outputs[0])
        case .prelu
        where op.inputs.count == 2 && op.inputs[0] == tensor && isConstant(op.inputs[1])
            && count(op.inputs[1]) == channels && shape(op.inputs[1]).last == channels:
            let slopes = paddedCopy(try constant(op.inputs[1], "PRELU slope"), count: channels)
            fused.insert(reader)
            return (.prelu(slopes), op.outputs[0])
        default:
            return nil
        }
    }

    func activation(_ raw: UInt8, _ what: String) throws(OmoteError) -> Activation {
        switch TFLiteActivation(rawValue: raw) {
        case .none?:
            return .none
        case .relu?:
            return .relu
        case .relu6?:
            return .relu6
        default:
            throw OmoteError.unsupported(file, "\(what) has fused activation \(raw) (only none, RELU, RELU6)")
        }
    }

    /// A residual ADD reading `tensor` (and nothing else reading it) whose other operand is ready before the
    /// convolution runs — either an existing activation, or a PAD that only appends zero channels to one (then the
    /// un-padded tensor is added and the PAD disappears). Returns the residual, its real channel count, the ADD's
    /// activation and the ADD's output.
    func fusibleResidual(after tensor: Int) throws(OmoteError)
        -> (residual: Location, channels: Int, activation: Activation, output: Int)?
    {
        guard fuses, let reader = soleConsumer(of: tensor) else { return nil }
        let add = model.operators[reader]
        guard add.code == .add, add.inputs.count == 2, add.outputs.count == 1,
            shape(add.inputs[0]) == shape(add.inputs[1]), shape(add.outputs[0]) == shape(tensor)
        else { return nil }
        let other = add.inputs[0] == tensor ? add.inputs[1] : add.inputs[0]
        let channels = try shape4(tensor)[3]
        var residual: Location
        var residualChannels = channels
        if isDefined(other) {
            guard !isConstant(other) else { return nil }
            residual = try location(other)
        } else if let padIndex = model.operators.indices.first(where: { model.operators[$0].outputs == [other] }),
            padIndex > currentOperator, !fused.contains(padIndex), soleConsumer(of: other) == reader
        {
            let pad = model.operators[padIndex]
            guard pad.code == .pad, pad.inputs.count == 2, isDefined(pad.inputs[0]), !isConstant(pad.inputs[0])
            else { return nil }
            let source = try shape4(pad.inputs[0])
            let amounts = try int32s(pad.inputs[1], "PAD amounts")
            let rank = shape(pad.inputs[0]).count
            // Only "append zero channels": every amount zero except the last dimension's trailing one.
            guard amounts.count == 2 * rank, amounts.dropLast().allSatisfy({ $0 == 0 }),
                source[3] + amounts[2 * rank - 1] == channels,
                Array(source[0 ..< 3]) == Array(try shape4(tensor)[0 ..< 3])
            else { return nil }
            residual = try location(pad.inputs[0])
            residualChannels = source[3]
            fused.insert(padIndex)
        } else {
            return nil
        }
        fused.insert(reader)
        var output = add.outputs[0]
        var after = try activation(try add.options?.u8(0) ?? 0, "ADD")
        if after == .none, let (next, tail) = try fusibleActivation(after: output, channels: channels) {
            after = next
            output = tail
        }
        return (residual, residualChannels, after, output)
    }

    /// `tensor` with zero borders added: the original when no padding is needed, else a scratch copy (batch 1).
    func paddedInput(_ tensor: Int, top: Int, bottom: Int, left: Int, right: Int) throws(OmoteError)
        -> (location: Location, width: Int)
    {
        let source = try location(tensor)
        let dims = try shape4(tensor)
        guard top > 0 || bottom > 0 || left > 0 || right > 0 else { return (source, dims[2]) }
        let height = dims[1] + top + bottom
        let width = dims[2] + left + right
        let channels = dims[3]
        let target = scratch(height * width * channels)
        use(source)
        emit { resolve in ZeroStep(destination: resolve(target), count: height * width * channels) }
        use(source)
        use(target)
        emit { resolve in
            StridedCopyStep(
                source: resolve(source), sourceStrides: [0, dims[2] * channels, channels, 1],
                destination: resolve(target) + (top * width + left) * channels,
                destinationStrides: [0, width * channels, channels, 1], shape: [1, dims[1], dims[2], channels])
        }
        return (target, width)
    }

    /// TFLite SAME/VALID geometry along one axis, checked against the declared output size.
    func padding(input: Int, kernel: Int, stride: Int, output: Int, mode: UInt8, _ what: String) throws(OmoteError)
        -> (before: Int, after: Int)
    {
        guard stride >= 1, kernel >= 1 else {
            throw OmoteError.badModel(file, "\(what) has stride \(stride) and kernel \(kernel)")
        }
        let expected: Int
        switch TFLitePadding(rawValue: mode) {
        case .same?:
            expected = (input + stride - 1) / stride
        case .valid?:
            expected = (input - kernel) / stride + 1
        default:
            throw OmoteError.badModel(file, "\(what) has padding mode \(mode)")
        }
        guard expected == output else {
            throw OmoteError.badModel(
                file,
                "\(what): input \(input), kernel \(kernel), stride \(stride) gives \(expected), "
                    + "but the output is \(output)")
        }
        guard TFLitePadding(rawValue: mode) == .same else { return (0, max(0, (output - 1) * stride + kernel - input)) }
        let total = max(0, (output - 1) * stride + kernel - input)
        return (total / 2, total - total / 2)
    }
}
