/// Owns every buffer made at load time (dequantized and repacked weights, folded constants, the activation arena).
/// Each buffer is 64-byte aligned with 16 floats of slack, so vector loads at a channel tail stay inside it.
final class ConstantStore {
    private var buffers: [UnsafeMutableRawPointer] = []
    private(set) var floatCount = 0

    static let slack = 16

    func allocate(_ count: Int) -> UnsafeMutablePointer<Float> {
        let total = count + Self.slack
        let raw = UnsafeMutableRawPointer.allocate(byteCount: total * 4, alignment: 64)
        raw.initializeMemory(as: Float.self, repeating: 0, count: total)
        buffers.append(raw)
        floatCount += total
        return raw.assumingMemoryBound(to: Float.self)
    }

    deinit {
        for buffer in buffers {
            buffer.deallocate()
        }
    }
}
