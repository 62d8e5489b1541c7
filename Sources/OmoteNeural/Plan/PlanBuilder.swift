import OmoteCore

/// Turns a TFLite graph into a static plan: constants dequantized and folded, weights repacked, convolutions fused
/// with bias, activation and residual ADDs, activations placed in one arena by liveness.
final class PlanBuilder {
    /// Where a value lives: a load-time constant, or an arena buffer (index into `buffers`).
    enum Location {
        case constant(UnsafeMutablePointer<Float>)
        case arena(Int)
    }

    typealias Resolver = (Location) -> UnsafeMutablePointer<Float>

    let model: TFLiteModel
    let file: String
    let store: ConstantStore
    private(set) var buffers: [ArenaLayout.Buffer] = []
    private var locations: [Int: Location] = [:]
    private var pending: [(Resolver) -> PlanStep] = []
    /// The arena buffers each pending step reads or writes (for the bytes-moved report).
    private var touched: [Set<Int>] = []
    private(set) var folding = false
    /// Operators already lowered as part of an earlier fused step.
    var fused: Set<Int> = []
    private var consumers: [Int: [Int]] = [:]
    var currentOperator = 0
    /// False plans every operator as its own step (no activation, residual, token-mixing or layer-norm fusion): the
    /// reference the fusion tests compare the fused plan with.
    let fuses: Bool

    init(model: TFLiteModel, arena: SharedActivationArena? = nil, fuses: Bool = true) {
        self.model = model
        self.fuses = fuses
        store = ConstantStore(sharing: arena)
        self.file = model.file
        for (index, op) in model.operators.enumerated() {
            for input in op.inputs where input >= 0 {
                consumers[input, default: []].append(index)
            }
        }
    }

    // MARK: Values

    func shape(_ tensor: Int) -> [Int] { model.tensors[tensor].shape }

    /// The shape as rank 4 (leading ones), which every kernel works in.
    func shape4(_ tensor: Int) throws(OmoteError) -> [Int] {
        let shape = shape(tensor)
        guard shape.count <= 4 else {
            throw OmoteError.unsupported(
                file,
                "tensor \(model.tensors[tensor].name) has rank \(shape.count) (at most 4)")
        }
        return Array(repeating: 1, count: 4 - shape.count) + shape
    }

    func count(_ tensor: Int) -> Int { shape(tensor).reduce(1, *) }

    func isConstant(_ tensor: Int) -> Bool {
        if case .constant = locations[tensor] { return true }
        return locations[tensor] == nil && model.tensors[tensor].data != nil && model.tensors[tensor].type != .int32
    }

    /// The location of a value that must already exist (graph input, earlier output or float32 constant).
    func location(_ tensor: Int) throws(OmoteError) -> Location {
        if let location = locations[tensor] {
            return location
        }
        let described = model.tensors[tensor]
        guard let data = described.data else {
            throw OmoteError.badModel(file, "tensor \(described.name) is read before any operator writes it")
        }
        guard described.type == .float32 else {
            throw OmoteError.unsupported(
                file,
                "tensor \(described.name) of type \(described.type) feeds a float operator")
        }
        let pointer = store.allocate(count(tensor))
        for index in 0 ..< count(tensor) {
            pointer[index] = Float(
                bitPattern: UInt32(
                    littleEndian: data.loadUnaligned(
                        fromByteOffset: 4 * index,
                        as: UInt32.self)))
        }
        let location = Location.constant(pointer)
        locations[tensor] = location
        return location
    }

    func constant(_ tensor: Int, _ what: String) throws(OmoteError) -> UnsafeMutablePointer<Float> {
        guard isConstant(tensor), case .constant(let pointer) = try location(tensor) else {
            throw OmoteError.unsupported(file, "\(what) (tensor \(model.tensors[tensor].name)) is not a constant")
        }
        return pointer
    }

    func int32s(_ tensor: Int, _ what: String) throws(OmoteError) -> [Int] {
        let described = model.tensors[tensor]
        guard described.type == .int32, let data = described.data else {
            throw OmoteError.unsupported(file, "\(what) (tensor \(described.name)) must be a constant int32 tensor")
        }
        return (0 ..< data.count / 4).map {
            Int(Int32(bitPattern: UInt32(littleEndian: data.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))))
        }
    }

    /// Gives `tensor` a fresh buffer: a constant while folding, otherwise an arena buffer defined at this step.
    @discardableResult
    func define(_ tensor: Int) -> Location {
        let location = scratch(count(tensor))
        locations[tensor] = location
        return location
    }

    /// A buffer of `count` floats that is not a graph tensor (e.g. a padded copy of a convolution's input).
    func scratch(_ count: Int) -> Location {
        if folding {
            return .constant(store.allocate(count))
        }
        buffers.append(ArenaLayout.Buffer(count: count, firstStep: pending.count, lastStep: pending.count))
        touch(buffers.count - 1)
        return .arena(buffers.count - 1)
    }

    /// Another name for the same bytes (RESHAPE).
    func alias(_ tensor: Int, to source: Int) throws(OmoteError) {
        locations[tensor] = try location(source)
    }

    /// Records that the step about to be emitted reads `location`, extending its buffer's lifetime.
    func use(_ location: Location) {
        if case .arena(let index) = location {
            buffers[index].lastStep = max(buffers[index].lastStep, pending.count)
            touch(index)
        }
    }

    /// Records that the step about to be emitted reads or writes arena buffer `index`.
    private func touch(_ index: Int) {
        while touched.count <= pending.count {
            touched.append([])
        }
        touched[pending.count].insert(index)
    }

    func pin(_ location: Location) {
        if case .arena(let index) = location {
            buffers[index].firstStep = 0
            buffers[index].lastStep = Int.max
        }
    }

    /// Adds a step; while folding constants it runs at once instead.
    func emit(_ make: @escaping (Resolver) -> PlanStep) {
        if folding {
            make { location in
                guard case .constant(let pointer) = location else { preconditionFailure("folding reads an activation") }
                return pointer
            }.run()
        } else {
            pending.append(make)
        }
    }

    // MARK: Fusion helpers

    /// The single operator reading `tensor`, if exactly one does and it is not a graph output.
    func soleConsumer(of tensor: Int) -> Int? {
        guard !model.outputs.contains(tensor), let readers = consumers[tensor], readers.count == 1,
            let reader = readers.first, reader > currentOperator, !fused.contains(reader)
        else { return nil }
        return reader
    }

    /// Every operator reading `tensor` (in graph order), or nil when none does.
    func readers(of tensor: Int) -> [Int]? { consumers[tensor] }

    func isDefined(_ tensor: Int) -> Bool { locations[tensor] != nil }

    // MARK: Building

    struct Result {
        let steps: [PlanStep]
        let arena: UnsafeMutablePointer<Float>
        let arenaCount: Int
        /// Floats of activations the steps read and write per run: each buffer a step touches, counted once per step.
        let activationFloatsMoved: Int
        let inputs: [UnsafeMutablePointer<Float>]
        let outputs: [UnsafeMutablePointer<Float>]
    }

    func build() throws(OmoteError) -> Result {
        for input in model.inputs {
            pin(define(input))
        }
        // Weights first: a fused epilogue may need a PReLU slope whose DEQUANTIZE comes after the convolution.
        for (index, op) in model.operators.enumerated() where op.code == .dequantize {
            currentOperator = index
            try lowerDequantize(op)
        }
        for (index, op) in model.operators.enumerated() where !fused.contains(index) && op.code != .dequantize {
            currentOperator = index
            let dataInputs = op.inputs.filter { $0 >= 0 && model.tensors[$0].type != .int32 }
            folding = op.code != .dequantize && !dataInputs.isEmpty && dataInputs.allSatisfy(isConstant)
            try lower(op, index: index)
            folding = false
        }
        for output in model.outputs {
            guard let location = locations[output], case .arena = location else {
                throw OmoteError.unsupported(
                    file,
                    "graph output \(model.tensors[output].name) is a constant or never written")
            }
            pin(location)
        }
        let layout = ArenaLayout(buffers)
        let arena = try store.allocateArena(layout.totalCount, network: file)
        let resolve: Resolver = { location in
            switch location {
            case .constant(let pointer):
                return pointer
            case .arena(let index):
                return arena + layout.offsets[index]
            }
        }
        let steps = pending.map { $0(resolve) }
        let moved = touched.prefix(pending.count).reduce(0) { total, step in
            total + step.reduce(0) { $0 + buffers[$1].count }
        }
        return Result(
            steps: steps, arena: arena, arenaCount: layout.totalCount, activationFloatsMoved: moved,
            inputs: try model.inputs.map { tensor throws(OmoteError) in resolve(try location(tensor)) },
            outputs: try model.outputs.map { tensor throws(OmoteError) in resolve(try location(tensor)) }
        )
    }

    private func lower(_ op: TFLiteModel.Operator, index: Int) throws(OmoteError) {
        switch op.code {
        case .dequantize:
            break
        case .conv2D:
            try lowerConvolution(op)
        case .depthwiseConv2D:
            try lowerDepthwise(op)
        case .add, .sub, .mul, .div, .squaredDifference, .prelu:
            try lowerBinary(op)
        case .relu, .neg, .sqrt, .rsqrt, .logistic:
            try lowerUnary(op)
        case .maxPool2D:
            try lowerMaxPool(op)
        case .pad:
            try lowerPad(op)
        case .reshape:
            try requireCounts(op, inputs: 1 ... 2, outputs: 1)
            guard count(op.inputs[0]) == count(op.outputs[0]) else {
                throw OmoteError.badModel(
                    file,
                    "RESHAPE \(shape(op.inputs[0])) → \(shape(op.outputs[0])) changes the size")
            }
            try alias(op.outputs[0], to: op.inputs[0])
        case .concatenation:
            try lowerConcatenation(op)
        case .transpose:
            let mixed = try fuses ? lowerTokenMixing(op) : false
            if !mixed {
                try lowerTranspose(op)
            }
        case .stridedSlice:
            try lowerStridedSlice(op)
        case .mean, .sum:
            let normalized = try fuses ? lowerLayerNormalization(op) : false
            if !normalized {
                try lowerReduce(op)
            }
        }
    }

    func requireCounts(_ op: TFLiteModel.Operator, inputs: ClosedRange<Int>, outputs: Int) throws(OmoteError) {
        guard inputs.contains(op.inputs.count), op.outputs.count == outputs else {
            throw OmoteError.badModel(file, "\(op.code) has \(op.inputs.count) inputs and \(op.outputs.count) outputs")
        }
    }

    private func lowerDequantize(_ op: TFLiteModel.Operator) throws(OmoteError) {
        try requireCounts(op, inputs: 1 ... 1, outputs: 1)
        let source = model.tensors[op.inputs[0]]
        guard source.type == .float16, let data = source.data else {
            throw OmoteError.unsupported(
                file,
                "DEQUANTIZE of \(source.name): only constant float16 weights are supported")
        }
        let pointer = store.allocate(count(op.inputs[0]))
        for index in 0 ..< count(op.inputs[0]) {
            let bits = UInt16(littleEndian: data.loadUnaligned(fromByteOffset: 2 * index, as: UInt16.self))
            pointer[index] = Float(Float16(bitPattern: bits))
        }
        locations[op.outputs[0]] = .constant(pointer)
    }
}
