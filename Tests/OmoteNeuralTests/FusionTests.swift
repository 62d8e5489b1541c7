import OmoteCore
import Testing

@testable import OmoteNeural

/// Every fusion rule of the planner: the fused plan has fewer steps and computes what the unfused plan (every
/// operator its own step) computes, on a small graph built for that rule.
@Suite struct FusionTests {
    /// Plans `graph` both ways, runs both on the same random inputs and compares output 0.
    static func expectFusedEqualsUnfused(
        _ graph: TestGraph, inputs: [Int], output: Int, tolerance: Double = 1e-5,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let model = graph.model(inputs: inputs, outputs: [output])
        let fused = try NeuralNetwork(name: "fused", model: model)
        let unfused = try NeuralNetwork(name: "unfused", model: model, fuses: false)
        #expect(
            fused.stepCount < unfused.stepCount, "\(fused.stepCount) fused steps, \(unfused.stepCount) unfused",
            sourceLocation: sourceLocation)
        var random = SeededGenerator(seed: 99)
        for index in inputs.indices {
            let values = random.floats(fused.input(index).count, in: -2 ... 2)
            _ = fused.input(index).update(fromContentsOf: values)
            _ = unfused.input(index).update(fromContentsOf: values)
        }
        fused.run()
        unfused.run()
        let expected = Array(unfused.output(0)).map(Double.init)
        let largest = expected.map(abs).max() ?? 0
        #expect(expected.contains { $0 != 0 }, "the graph computes something", sourceLocation: sourceLocation)
        expectClose(
            Array(fused.output(0)), expected, scale: Array(repeating: largest, count: expected.count),
            tolerance: tolerance, "fused vs unfused", sourceLocation: sourceLocation)
    }

    @Test("CONV_2D then RELU: the ReLU goes into the convolution's epilogue")
    func convolutionRelu() throws {
        let graph = TestGraph(seed: 1)
        let x = graph.tensor([1, 6, 7, 5])
        let conv = graph.op(
            .conv2D, [x, graph.randomConstant([13, 3, 3, 5]), graph.randomConstant([13])], [1, 6, 7, 13])
        let y = graph.op(.relu, [conv], [1, 6, 7, 13])
        try Self.expectFusedEqualsUnfused(graph, inputs: [x], output: y)
    }

    @Test("CONV_2D then per-channel PRELU: the slopes go into the epilogue")
    func convolutionPrelu() throws {
        let graph = TestGraph(seed: 2)
        let x = graph.tensor([1, 5, 5, 3])
        let conv = graph.op(
            .conv2D, [x, graph.randomConstant([21, 1, 1, 3]), graph.randomConstant([21])], [1, 5, 5, 21])
        let y = graph.op(.prelu, [conv, graph.randomConstant([1, 1, 21], in: 0.05 ... 0.5)], [1, 5, 5, 21])
        try Self.expectFusedEqualsUnfused(graph, inputs: [x], output: y)
    }

    @Test("DEPTHWISE_CONV_2D then PRELU: the slopes go into the depthwise step")
    func depthwisePrelu() throws {
        let graph = TestGraph(seed: 3)
        let x = graph.tensor([1, 7, 9, 11])
        let depthwise = graph.op(
            .depthwiseConv2D, [x, graph.randomConstant([1, 3, 3, 11]), graph.randomConstant([11])], [1, 7, 9, 11])
        let y = graph.op(.prelu, [depthwise, graph.randomConstant([11], in: 0.05 ... 0.5)], [1, 7, 9, 11])
        try Self.expectFusedEqualsUnfused(graph, inputs: [x], output: y)
    }

    @Test("a binary operator then RELU or PRELU: the activation goes into the binary step")
    func binaryActivation() throws {
        let graph = TestGraph(seed: 4)
        let x = graph.tensor([1, 3, 4, 13])
        let z = graph.tensor([1, 3, 4, 13])
        let sum = graph.op(.add, [x, z], [1, 3, 4, 13])
        let relu = graph.op(.relu, [sum], [1, 3, 4, 13])
        let product = graph.op(.mul, [relu, graph.randomConstant([13])], [1, 3, 4, 13])
        let y = graph.op(.prelu, [product, graph.randomConstant([13], in: 0.05 ... 0.5)], [1, 3, 4, 13])
        try Self.expectFusedEqualsUnfused(graph, inputs: [x, z], output: y)
    }

    @Test("CONV_2D then a residual ADD then PRELU: the residual and the second activation go into the epilogue")
    func convolutionResidual() throws {
        let graph = TestGraph(seed: 5)
        let x = graph.tensor([1, 5, 6, 19])
        let inner = graph.op(.relu, [x], [1, 5, 6, 19])
        let conv = graph.op(
            .conv2D, [inner, graph.randomConstant([19, 3, 3, 19]), graph.randomConstant([19])], [1, 5, 6, 19])
        let sum = graph.op(.add, [inner, conv], [1, 5, 6, 19])
        let y = graph.op(.prelu, [sum, graph.randomConstant([19], in: 0.05 ... 0.5)], [1, 5, 6, 19])
        try Self.expectFusedEqualsUnfused(graph, inputs: [x], output: y)
    }

    @Test("CONV_2D then ADD of a channel-padded tensor: the PAD disappears, its zero channels implied")
    func convolutionPaddedResidual() throws {
        let graph = TestGraph(seed: 6)
        let x = graph.tensor([1, 6, 5, 5])
        let conv = graph.op(
            .conv2D, [x, graph.randomConstant([13, 1, 1, 5]), graph.randomConstant([13])], [1, 6, 5, 13])
        // The PAD after the convolution in graph order, as in the landmark network.
        let padded = graph.op(.pad, [x, graph.int32s([0, 0, 0, 0, 0, 0, 0, 8])], [1, 6, 5, 13])
        let y = graph.op(.add, [conv, padded], [1, 6, 5, 13])
        try Self.expectFusedEqualsUnfused(graph, inputs: [x], output: y)
    }

    @Test("TRANSPOSE, two 1×1 CONV_2Ds, TRANSPOSE back, residual ADD: two token-mixing steps")
    func tokenMixing() throws {
        let graph = TestGraph(seed: 7)
        let (tokens, channels, hidden) = (7, 32, 9)
        let x = graph.tensor([1, 1, tokens, channels])
        let swap = graph.int32s([0, 1, 3, 2])
        // Each 1×1 convolution sees the transposed tensor as a 1 × channels image of `tokens` channels.
        let transposed = graph.op(.transpose, [x, swap], [1, 1, channels, tokens])
        let first = graph.op(
            .conv2D, [transposed, graph.randomConstant([hidden, 1, 1, tokens]), graph.randomConstant([hidden])],
            [1, 1, channels, hidden])
        let second = graph.op(
            .conv2D, [first, graph.randomConstant([tokens, 1, 1, hidden]), graph.randomConstant([tokens])],
            [1, 1, channels, tokens])
        let back = graph.op(.transpose, [second, swap], [1, 1, tokens, channels])
        let y = graph.op(.add, [back, x], [1, 1, tokens, channels])
        try Self.expectFusedEqualsUnfused(graph, inputs: [x], output: y)
    }

    @Test("MEAN, NEG, SQUARED_DIFFERENCE, MEAN, ADD ε, RSQRT, MUL γ, MUL, MUL, ADD: one layer-norm step")
    func layerNormalization() throws {
        let graph = TestGraph(seed: 8)
        let (rows, channels) = (5, 21)
        let x = graph.tensor([1, rows, channels])
        let axis = graph.int32s([-1])
        let mean = graph.op(.mean, [x, axis], [1, rows, 1])
        let negated = graph.op(.neg, [mean], [1, rows, 1])
        let squares = graph.op(.squaredDifference, [x, mean], [1, rows, channels])
        let variance = graph.op(.mean, [squares, axis], [1, rows, 1])
        let shifted = graph.op(.add, [variance, graph.constant([1], [1e-6])], [1, rows, 1])
        let reciprocal = graph.op(.rsqrt, [shifted], [1, rows, 1])
        let factor = graph.op(
            .mul, [reciprocal, graph.randomConstant([channels], in: 0.5 ... 1.5)], [1, rows, channels])
        let scaled = graph.op(.mul, [x, factor], [1, rows, channels])
        let shift = graph.op(.mul, [negated, factor], [1, rows, channels])
        let y = graph.op(.add, [scaled, shift], [1, rows, channels])
        try Self.expectFusedEqualsUnfused(graph, inputs: [x], output: y)
    }
}
