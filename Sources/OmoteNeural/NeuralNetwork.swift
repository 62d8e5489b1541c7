import OmoteCore

/// One planned network: fixed input and output buffers, a list of steps over one activation arena. Write the inputs,
/// call `run()`, read the outputs; running allocates nothing. Not thread-safe: one inference at a time per instance.
public final class NeuralNetwork {
    public struct TensorInfo: Sendable, Equatable {
        public let name: String
        public let shape: [Int]
        public var count: Int { shape.reduce(1, *) }
    }

    public let name: String
    public let inputs: [TensorInfo]
    public let outputs: [TensorInfo]
    /// Multiply-adds × 2 in the convolutions per run (the bulk of the work), for GFLOP/s reports.
    public let convolutionFlops: Int
    /// Floats in the activation arena (all intermediate tensors share it).
    public let arenaFloatCount: Int
    /// Bytes of activations the steps read and write per run (each tensor a step touches counted once for that step),
    /// and bytes of weights the convolutions read: the memory traffic an inference asks for before caches help.
    public let activationBytesMoved: Int
    public let weightBytesRead: Int
    public let stepCount: Int

    private let steps: [PlanStep]
    private let inputPointers: [UnsafeMutablePointer<Float>]
    private let outputPointers: [UnsafeMutablePointer<Float>]
    /// Keeps the weights and the arena alive.
    private let store: ConstantStore

    /// Plans `model`; with `arena`, its activations share that memory with the other networks planned on it (they
    /// must never run at the same time). `fuses: false` (tests) plans every operator as its own step.
    init(
        name: String, model: TFLiteModel, arena: SharedActivationArena? = nil, fuses: Bool = true
    ) throws(OmoteError) {
        let builder = PlanBuilder(model: model, arena: arena, fuses: fuses)
        let result = try builder.build()
        self.name = name
        inputs = model.inputs.map { TensorInfo(name: model.tensors[$0].name, shape: model.tensors[$0].shape) }
        outputs = model.outputs.map { TensorInfo(name: model.tensors[$0].name, shape: model.tensors[$0].shape) }
        steps = result.steps
        inputPointers = result.inputs
        outputPointers = result.outputs
        store = builder.store
        arenaFloatCount = result.arenaCount
        activationBytesMoved = 4 * result.activationFloatsMoved
        weightBytesRead =
            4
            * result.steps.reduce(0) { total, step in
                if let convolution = step as? ConvolutionStep {
                    let panels = (convolution.outputChannels + 15) / 16
                    return total + panels * 16 * convolution.tapOffsets.count * convolution.tapDepth
                }
                if let depthwise = step as? DepthwiseStep {
                    let g = depthwise.geometry
                    return total + g.kernelHeight * g.kernelWidth * depthwise.paddedChannels
                }
                if let mixing = step as? TokenMixingStep {
                    return total + mixing.rows * mixing.depth
                }
                return total
            }
        stepCount = result.steps.count
        convolutionFlops = result.steps.reduce(0) { total, step in
            total + ((step as? ConvolutionStep)?.flops ?? 0) + ((step as? DepthwiseStep)?.flops ?? 0)
                + ((step as? TokenMixingStep)?.flops ?? 0)
        }
    }

    /// Input `index`'s buffer (NHWC, float32); fill it before `run()`.
    public func input(_ index: Int = 0) -> UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(start: inputPointers[index], count: inputs[index].count)
    }

    /// Output `index`'s buffer, valid until the next `run()`.
    public func output(_ index: Int) -> UnsafeBufferPointer<Float> {
        UnsafeBufferPointer(start: outputPointers[index], count: outputs[index].count)
    }

    /// Zeroes the activation arena (the input, every intermediate tensor and the outputs): call when the input's
    /// subject is gone, so nothing derived from it stays in memory until the next run overwrites it.
    public func wipeActivations() { store.wipeArena() }

    /// Whether the activation arena is private memory (locked, out of dumps, wiped on release).
    package var activationsArePrivate: Bool { store.arenaIsPrivate }

    public func outputIndex(named name: String) -> Int? {
        outputs.firstIndex { $0.name == name }
    }

    public func run() {
        // Indexed, not `for step in steps`: the debug build's iterator otherwise heap-allocates once per element.
        steps.withUnsafeBufferPointer { steps in
            var index = 0
            while index < steps.count {
                steps[index].run()
                index += 1
            }
        }
    }
}

extension NeuralNetwork {
    /// Time per step kind, for finding where the time goes (not a hot-path API: it allocates).
    public struct StepProfile: Sendable {
        public let kind: String
        public let count: Int
        public let microseconds: Double
        public let flops: Int
    }

    /// Runs the network `runs` times, timing every step, and returns the fastest time of each step summed by kind.
    public func profile(runs: Int, perStep: Bool = false, clock: () -> UInt64) -> [StepProfile] {
        var best = Array(repeating: UInt64.max, count: steps.count)
        for _ in 0 ..< runs {
            for (index, step) in steps.enumerated() {
                let start = clock()
                step.run()
                best[index] = min(best[index], clock() - start)
            }
        }
        var byKind: [String: (count: Int, nanoseconds: UInt64, flops: Int)] = [:]
        for (index, step) in steps.enumerated() {
            var kind = String(describing: type(of: step))
            var flops = 0
            if let convolution = step as? ConvolutionStep {
                let pointwise = convolution.tapOffsets.count * convolution.tapDepth == convolution.inputChannels
                kind += pointwise ? " 1×1" : " k×k"
                flops = convolution.flops
                if perStep {
                    let depth = convolution.tapOffsets.count * convolution.tapDepth
                    kind +=
                        " #\(index) M\(convolution.pixelCount) K\(depth)"
                        + " N\(convolution.outputChannels)" + (convolution.epilogue.residual == nil ? "" : " +res")
                }
            } else if let depthwise = step as? DepthwiseStep {
                flops = depthwise.flops
                if perStep {
                    let g = depthwise.geometry
                    kind +=
                        " #\(index) \(g.outputHeight)×\(g.outputWidth)×\(g.channels)"
                        + " k\(g.kernelHeight) s\(g.strideY)"
                }
            } else if let mixing = step as? TokenMixingStep {
                flops = mixing.flops
                if perStep {
                    kind +=
                        " #\(index) M\(mixing.rows) K\(mixing.depth) N\(mixing.columns)"
                        + (mixing.residual == nil ? "" : " +res")
                }
            } else if perStep {
                kind += " #\(index)"
            }
            let entry = byKind[kind] ?? (0, 0, 0)
            byKind[kind] = (entry.count + 1, entry.nanoseconds + best[index], entry.flops + flops)
        }
        return byKind.map {
            StepProfile(
                kind: $0.key, count: $0.value.count,
                microseconds: Double($0.value.nanoseconds) / 1000, flops: $0.value.flops)
        }
        .sorted { $0.microseconds > $1.microseconds }
    }
}
