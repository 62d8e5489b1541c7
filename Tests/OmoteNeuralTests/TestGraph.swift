@testable import OmoteNeural

/// A small TFLite graph assembled in parts (no FlatBuffer): tensors, operators without options (so the schema's
/// defaults apply: stride 1, SAME padding, no fused activation), seeded random constants. Keeps the constants' bytes
/// alive until it goes; planning copies them.
final class TestGraph {
    private(set) var tensors: [TFLiteModel.Tensor] = []
    private(set) var operators: [TFLiteModel.Operator] = []
    private var storage: [UnsafeMutableRawBufferPointer] = []
    var random: SeededGenerator

    init(seed: UInt64) { random = SeededGenerator(seed: seed) }

    deinit {
        for bytes in storage {
            bytes.deallocate()
        }
    }

    /// An activation (graph input or operator output).
    func tensor(_ shape: [Int]) -> Int {
        tensors.append(.init(name: "t\(tensors.count)", shape: shape, type: .float32, data: nil))
        return tensors.count - 1
    }

    func constant(_ shape: [Int], _ values: [Float]) -> Int {
        precondition(values.count == shape.reduce(1, *))
        return stored(shape, type: .float32, values.map(\.bitPattern))
    }

    func randomConstant(_ shape: [Int], in range: ClosedRange<Float> = -1 ... 1) -> Int {
        constant(shape, random.floats(shape.reduce(1, *), in: range))
    }

    func int32s(_ values: [Int32]) -> Int {
        stored([values.count], type: .int32, values.map { UInt32(bitPattern: $0) })
    }

    private func stored(_ shape: [Int], type: TFLiteTensorType, _ words: [UInt32]) -> Int {
        let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: max(4, 4 * words.count), alignment: 16)
        for (index, word) in words.enumerated() {
            bytes.storeBytes(of: word.littleEndian, toByteOffset: 4 * index, as: UInt32.self)
        }
        storage.append(bytes)
        let data = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(bytes)[0 ..< 4 * words.count])
        tensors.append(.init(name: "c\(tensors.count)", shape: shape, type: type, data: data))
        return tensors.count - 1
    }

    /// Adds an operator writing a new tensor of `shape`; returns that tensor.
    @discardableResult
    func op(_ code: TFLiteOperatorCode, _ inputs: [Int], _ shape: [Int]) -> Int {
        let output = tensor(shape)
        operators.append(.init(code: code, inputs: inputs, outputs: [output], options: nil))
        return output
    }

    func model(inputs: [Int], outputs: [Int]) -> TFLiteModel {
        TFLiteModel(file: "test graph", tensors: tensors, operators: operators, inputs: inputs, outputs: outputs)
    }
}
