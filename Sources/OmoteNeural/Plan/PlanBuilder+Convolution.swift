import OmoteCore

extension PlanBuilder {
    /// CONV_2D: weights [out][kh][kw][in] repacked into 16-channel panels; bias, activation, a following PRELU/RELU
    /// and a residual ADD fused into the epilogue.
    func lowerConvolution(_ op: TFLiteModel.Operator) throws(OmoteError) {
        try requireCounts(op, inputs: 2 ... 3, outputs: 1)
        let options = op.options
        let input = try shape4(op.inputs[0])
        let filter = shape(op.inputs[1])
        var output = try shape4(op.outputs[0])
        guard input[0] == 1, filter.count == 4, filter[3] == input[3], filter[0] == output[3] else {
            throw OmoteError.badModel(file, "CONV_2D shapes: input \(input), filter \(filter), output \(output)")
        }
        let strideX = Int(try options?.i32(1, default: 1) ?? 1)
        let strideY = Int(try options?.i32(2, default: 1) ?? 1)
        let dilationX = try options?.i32(4, default: 1) ?? 1
        let dilationY = try options?.i32(5, default: 1) ?? 1
        guard dilationX == 1, dilationY == 1 else {
            throw OmoteError.unsupported(file, "CONV_2D with dilation \(dilationY)×\(dilationX)")
        }
        let mode = try options?.u8(0) ?? 0
        let (kernelHeight, kernelWidth, inputChannels, outputChannels) = (filter[1], filter[2], filter[3], filter[0])
        let vertical = try padding(
            input: input[1], kernel: kernelHeight, stride: strideY, output: output[1],
            mode: mode,
            "CONV_2D height")
        let horizontal = try padding(
            input: input[2], kernel: kernelWidth, stride: strideX, output: output[2],
            mode: mode, "CONV_2D width")
        let weights = try constant(op.inputs[1], "CONV_2D filter")
        let bias = op.inputs.count == 3 && op.inputs[2] >= 0 ? try constant(op.inputs[2], "CONV_2D bias") : nil

        // Repack: [channel block of 16][tap][input channel][16 lanes], zeros past the last output channel.
        let taps = kernelHeight * kernelWidth
        let blocks = (outputChannels + 15) / 16
        let packed = store.allocate(blocks * taps * inputChannels * 16)
        for channel in 0 ..< outputChannels {
            let (block, lane) = (channel / 16, channel % 16)
            for tap in 0 ..< taps {
                for inputChannel in 0 ..< inputChannels {
                    packed[((block * taps + tap) * inputChannels + inputChannel) * 16 + lane] =
                        weights[(channel * taps + tap) * inputChannels + inputChannel]
                }
            }
        }

        var tail = op.outputs[0]
        var first = try activation(try options?.u8(3) ?? 0, "CONV_2D")
        if !folding, first == .none,
            let (fusedActivation, next) = try fusibleActivation(
                after: tail,
                channels: outputChannels)
        {
            first = fusedActivation
            tail = next
        }
        let residual = folding ? nil : try fusibleResidual(after: tail)
        if let residual {
            tail = residual.output
        }
        output = try shape4(tail)

        let (source, width) = try paddedInput(
            op.inputs[0], top: vertical.before, bottom: vertical.after,
            left: horizontal.before, right: horizontal.after)
        // One run per kernel row: its kernelWidth × inputChannels inputs are contiguous, as are its packed weights.
        let tapOffsets = (0 ..< kernelHeight).map { y in y * width * inputChannels }
        let biasPadded = paddedCopy(bias, count: outputChannels)
        let slopes = try epilogueSlopes(first, channels: outputChannels)
        let slopesAfter = try epilogueSlopes(residual?.activation ?? .none, channels: outputChannels)
        use(source)
        if let residual { use(residual.residual) }
        let target = define(tail)
        emit { resolve in
            ConvolutionStep(
                input: resolve(source), inputWidth: width, inputChannels: inputChannels, output: resolve(target),
                outputHeight: output[1], outputWidth: output[2], outputChannels: outputChannels,
                strideY: strideY, strideX: strideX, tapOffsets: tapOffsets,
                tapDepth: kernelWidth * inputChannels, weights: packed, bias: biasPadded,
                epilogue: ConvolutionEpilogue(
                    slopes: slopes, residual: residual.map { UnsafePointer(resolve($0.residual)) },
                    residualChannels: residual?.channels ?? 0, slopesAfterResidual: slopesAfter,
                    channels: outputChannels))
        }
    }

    /// An activation as per-channel slopes for negative values (padded to 16): none → 1, ReLU → 0, PReLU → α.
    func epilogueSlopes(_ activation: Activation, channels: Int) throws(OmoteError) -> UnsafePointer<Float> {
        let slopes = store.allocate(padded16(channels))
        switch activation {
        case .none:
            slopes.update(repeating: 1, count: padded16(channels))
        case .relu:
            break
        case .prelu(let alpha):
            slopes.update(from: alpha, count: channels)
        case .relu6:
            throw OmoteError.unsupported(file, "CONV_2D with a fused RELU6 (not used by these networks)")
        }
        return UnsafePointer(slopes)
    }

    /// DEPTHWISE_CONV_2D (depth multiplier 1): weights [1][kh][kw][channels] as [tap][channels padded to 16].
    func lowerDepthwise(_ op: TFLiteModel.Operator) throws(OmoteError) {
        try requireCounts(op, inputs: 2 ... 3, outputs: 1)
        let options = op.options
        let input = try shape4(op.inputs[0])
        let filter = shape(op.inputs[1])
        let output = try shape4(op.outputs[0])
        let channels = input[3]
        guard input[0] == 1, filter.count == 4, filter[0] == 1, filter[3] == channels, output[3] == channels else {
            throw OmoteError.unsupported(
                file,
                "DEPTHWISE_CONV_2D shapes input \(input), filter \(filter), output \(output) "
                    + "(only depth multiplier 1)")
        }
        let strideX = Int(try options?.i32(1, default: 1) ?? 1)
        let strideY = Int(try options?.i32(2, default: 1) ?? 1)
        let dilationX = try options?.i32(5, default: 1) ?? 1
        let dilationY = try options?.i32(6, default: 1) ?? 1
        guard dilationX == 1, dilationY == 1 else {
            throw OmoteError.unsupported(file, "DEPTHWISE_CONV_2D with dilation \(dilationY)×\(dilationX)")
        }
        let mode = try options?.u8(0) ?? 0
        let (kernelHeight, kernelWidth) = (filter[1], filter[2])
        let vertical = try padding(
            input: input[1], kernel: kernelHeight, stride: strideY, output: output[1],
            mode: mode,
            "DEPTHWISE_CONV_2D height")
        let horizontal = try padding(
            input: input[2], kernel: kernelWidth, stride: strideX, output: output[2],
            mode: mode, "DEPTHWISE_CONV_2D width")
        let weights = try constant(op.inputs[1], "DEPTHWISE_CONV_2D filter")
        let bias =
            op.inputs.count == 3 && op.inputs[2] >= 0
            ? try constant(
                op.inputs[2],
                "DEPTHWISE_CONV_2D bias") : nil
        let paddedChannels = padded16(channels)
        let taps = kernelHeight * kernelWidth
        let packed = store.allocate(taps * paddedChannels)
        for tap in 0 ..< taps {
            (packed + tap * paddedChannels).update(from: weights + tap * channels, count: channels)
        }
        var tail = op.outputs[0]
        var activation = try activation(try options?.u8(4) ?? 0, "DEPTHWISE_CONV_2D")
        if !folding, activation == .none,
            let (fusedActivation, next) = try fusibleActivation(
                after: tail,
                channels: channels)
        {
            activation = fusedActivation
            tail = next
        }
        let source = try location(op.inputs[0])
        let biasPadded = paddedCopy(bias, count: channels)
        use(source)
        let target = define(tail)
        let slopes = try epilogueSlopes(activation, channels: channels)
        let geometry = DepthwiseStep.Geometry(
            inputHeight: input[1], inputWidth: input[2], channels: channels, outputHeight: output[1],
            outputWidth: output[2], kernelHeight: kernelHeight, kernelWidth: kernelWidth, strideY: strideY,
            strideX: strideX, padTop: vertical.before, padLeft: horizontal.before)
        emit { resolve in
            DepthwiseStep(
                input: resolve(source), output: resolve(target), geometry: geometry, weights: packed,
                paddedChannels: paddedChannels, bias: biasPadded, slopes: slopes)
        }
    }

    /// MAX_POOL_2D with SAME or VALID padding (padding taps are skipped, as TFLite does).
    func lowerMaxPool(_ op: TFLiteModel.Operator) throws(OmoteError) {
        try requireCounts(op, inputs: 1 ... 1, outputs: 1)
        guard let options = op.options else {
            throw OmoteError.badModel(file, "MAX_POOL_2D without options")
        }
        let input = try shape4(op.inputs[0])
        let output = try shape4(op.outputs[0])
        guard input[0] == 1, output[0] == 1, input[3] == output[3] else {
            throw OmoteError.badModel(file, "MAX_POOL_2D shapes \(input) → \(output)")
        }
        let strideX = Int(try options.i32(1, default: 1))
        let strideY = Int(try options.i32(2, default: 1))
        let kernelWidth = Int(try options.i32(3, default: 1))
        let kernelHeight = Int(try options.i32(4, default: 1))
        let mode = try options.u8(0)
        let vertical = try padding(
            input: input[1], kernel: kernelHeight, stride: strideY, output: output[1],
            mode: mode,
            "MAX_POOL_2D height")
        let horizontal = try padding(
            input: input[2], kernel: kernelWidth, stride: strideX, output: output[2],
            mode: mode, "MAX_POOL_2D width")
        let activation = try activation(try options.u8(5), "MAX_POOL_2D")
        let source = try location(op.inputs[0])
        use(source)
        let target = define(op.outputs[0])
        emit { resolve in
            MaxPoolStep(
                input: resolve(source), inputHeight: input[1], inputWidth: input[2], channels: input[3],
                output: resolve(target), outputHeight: output[1], outputWidth: output[2], kernelHeight: kernelHeight,
                kernelWidth: kernelWidth, strideY: strideY, strideX: strideX, padTop: vertical.before,
                padLeft: horizontal.before, activation: activation)
        }
    }
}
