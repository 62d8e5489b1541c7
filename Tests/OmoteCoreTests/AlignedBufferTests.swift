import OmoteCore
import Testing

@Suite("AlignedBuffer: one owner, cache-line aligned, SIMD access")
struct AlignedBufferTests {
    @Test("A new buffer is 64-byte aligned and filled with the given value")
    func alignedAndFilled() {
        let buffer = AlignedBuffer<Float>(count: 37, repeating: 2.5)
        #expect(Int(bitPattern: buffer.baseAddress) % 64 == 0)
        #expect(buffer.count == 37)
        #expect((0 ..< 37).allSatisfy { buffer[$0] == 2.5 })
    }

    @Test("SIMD loads and stores read and write consecutive elements at any offset")
    func simdRoundTrip() {
        let buffer = AlignedBuffer<Float>(zeroedCount: 20)
        for i in 0 ..< 20 { buffer[i] = Float(i) }
        let loaded: SIMD8<Float> = buffer.load(at: 3)
        #expect(loaded == SIMD8(3, 4, 5, 6, 7, 8, 9, 10))
        buffer.store(SIMD4<Float>(repeating: -1), at: 16)
        #expect(buffer[15] == 15 && buffer[16] == -1 && buffer[19] == -1)
    }

    @Test("reserve grows only when asked for more, and refills what it allocates")
    func reserveGrowsOnly() {
        var buffer = AlignedBuffer<Int32>(count: 8, repeating: 7)
        let original = buffer.baseAddress
        buffer.reserve(4, filling: 0)
        #expect(buffer.baseAddress == original && buffer.count == 8 && buffer[0] == 7)
        buffer.reserve(100, filling: 1)
        #expect(buffer.count == 100 && buffer[99] == 1)
        #expect(Int(bitPattern: buffer.baseAddress) % 64 == 0)
        buffer.fill(with: 3)
        #expect(buffer.buffer.allSatisfy { $0 == 3 })
    }
}
