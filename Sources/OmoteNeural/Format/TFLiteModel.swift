import OmoteCore

/// The subset of the TFLite FlatBuffers schema these graphs use: one subgraph of tensors and operators, constant
/// buffers, operator options. Field numbers follow tensorflow/lite/schema/schema.fbs. Quantization must be absent.
struct TFLiteModel {
    struct Tensor {
        let name: String
        let shape: [Int]
        let type: TFLiteTensorType
        /// Constant contents (nil for activations and graph inputs).
        let data: UnsafeRawBufferPointer?
    }

    struct Operator {
        let code: TFLiteOperatorCode
        /// Tensor indices; -1 marks an omitted optional input.
        let inputs: [Int]
        let outputs: [Int]
        let options: FlatBufferTable?
    }

    let file: String
    let tensors: [Tensor]
    let operators: [Operator]
    let inputs: [Int]
    let outputs: [Int]

    /// A graph already in parts (the fusion tests build small graphs this way instead of writing FlatBuffers).
    init(file: String, tensors: [Tensor], operators: [Operator], inputs: [Int], outputs: [Int]) {
        self.file = file
        self.tensors = tensors
        self.operators = operators
        self.inputs = inputs
        self.outputs = outputs
    }

    init(_ bytes: UnsafeRawBufferPointer, file: String) throws(OmoteError) {
        self.file = file
        let buffer = CheckedBytes(bytes: bytes, file: file)
        // File identifier "TFL3" follows the root offset.
        guard bytes.count >= 8, Array(bytes[4 ..< 8]) == Array("TFL3".utf8) else {
            throw OmoteError.badModel(file, "not a TFLite FlatBuffer (identifier TFL3 missing)")
        }
        let model = try FlatBufferTable.root(buffer, "Model")
        let version = try model.u32(0)
        guard version == 3 else {
            throw OmoteError.unsupported(file, "TFLite schema version \(version) (expected 3)")
        }
        let codes = try model.tables(1, "operator_codes").map { code throws(OmoteError) -> Int32 in
            // builtin_code (field 3) superseded deprecated_builtin_code (field 0, a byte); the larger is the real one.
            max(Int32(Int8(bitPattern: try code.u8(0))), try code.i32(3))
        }
        let buffers = try model.tables(4, "buffers").enumerated().map {
            index, table throws(OmoteError) -> UnsafeRawBufferPointer? in
            if let data = try table.bytes(0, "buffers[\(index)].data"), data.count > 0 {
                return data
            }
            // Large models keep data outside the FlatBuffer: offset/size from the file start (fields 1 and 2).
            let offset = try table.u64(1)
            let size = try table.u64(2)
            guard offset > 1, size > 0 else { return nil }
            guard offset < UInt64(bytes.count), size <= UInt64(bytes.count) - offset else {
                throw OmoteError.badModel(file, "buffers[\(index)] points outside the file")
            }
            return UnsafeRawBufferPointer(rebasing: bytes[Int(offset) ..< Int(offset + size)])
        }
        let subgraphs = try model.tables(2, "subgraphs")
        guard subgraphs.count == 1, let graph = subgraphs.first else {
            throw OmoteError.unsupported(file, "\(subgraphs.count) subgraphs (expected exactly 1)")
        }
        tensors = try graph.tables(0, "tensors").enumerated().map { index, table throws(OmoteError) in
            try Self.tensor(table, index: index, buffers: buffers, file: file)
        }
        let tensorCount = tensors.count
        func checkedIndices(_ raw: [Int32], _ what: String, optional: Bool) throws(OmoteError) -> [Int] {
            try raw.map { value throws(OmoteError) in
                guard (value >= 0 && Int(value) < tensorCount) || (optional && value == -1) else {
                    throw OmoteError.badModel(file, "\(what) names tensor \(value) of \(tensorCount)")
                }
                return Int(value)
            }
        }
        inputs = try checkedIndices(try graph.int32s(1, "subgraph inputs"), "subgraph input", optional: false)
        outputs = try checkedIndices(try graph.int32s(2, "subgraph outputs"), "subgraph output", optional: false)
        operators = try graph.tables(3, "operators").enumerated().map { index, table throws(OmoteError) in
            let codeIndex = Int(try table.u32(0))
            guard codeIndex < codes.count else {
                throw OmoteError.badModel(file, "operator \(index) uses opcode \(codeIndex) of \(codes.count)")
            }
            guard let code = TFLiteOperatorCode(rawValue: codes[codeIndex]) else {
                throw OmoteError.unsupported(
                    file,
                    "operator \(index) is builtin operator \(codes[codeIndex]), "
                        + "which this engine does not implement (supported: \(TFLiteOperatorCode.allCases))")
            }
            return Operator(
                code: code,
                inputs: try checkedIndices(
                    try table.int32s(1, "operator inputs"),
                    "operator \(index) input", optional: true),
                outputs: try checkedIndices(
                    try table.int32s(2, "operator outputs"),
                    "operator \(index) output", optional: false),
                options: try table.table(4, "operator \(index) options")
            )
        }
    }

    private static func tensor(
        _ table: FlatBufferTable, index: Int, buffers: [UnsafeRawBufferPointer?],
        file: String
    ) throws(OmoteError) -> Tensor {
        let name = try table.string(3, "tensor name") ?? "tensor\(index)"
        let shape = try table.int32s(0, "tensor \(name) shape").map(Int.init)
        guard shape.count <= 6, shape.allSatisfy({ $0 >= 1 && $0 <= 1 << 24 }),
            shape.reduce(1, { $0.multipliedReportingOverflow(by: $1).partialValue }) <= 1 << 24
        else {
            throw OmoteError.badModel(file, "tensor \(name) has an unsupported shape \(shape)")
        }
        let rawType = try table.u8(1)
        guard let type = TFLiteTensorType(rawValue: rawType) else {
            throw OmoteError.unsupported(
                file,
                "tensor \(name) has element type \(rawType) (float32/float16/int32 only)")
        }
        // QuantizationParameters field 2 is `scale`: any scale means a quantized tensor.
        if let quantization = try table.table(4, "tensor \(name) quantization"),
            let scales = try quantization.vector(2, elementSize: 4, "tensor \(name) scales"), scales.count > 0
        {
            throw OmoteError.unsupported(file, "tensor \(name) is quantized")
        }
        let bufferIndex = Int(try table.u32(2))
        guard bufferIndex < buffers.count || bufferIndex == 0 else {
            throw OmoteError.badModel(file, "tensor \(name) names buffer \(bufferIndex) of \(buffers.count)")
        }
        let data = bufferIndex < buffers.count ? buffers[bufferIndex] : nil
        if let data {
            let elementSize = type == .float16 ? 2 : 4
            let expected = shape.reduce(1, *) * elementSize
            guard data.count == expected else {
                throw OmoteError.badModel(
                    file,
                    "tensor \(name) holds \(data.count) bytes, its shape \(shape) needs \(expected)")
            }
        }
        return Tensor(name: name, shape: shape, type: type, data: data)
    }
}
