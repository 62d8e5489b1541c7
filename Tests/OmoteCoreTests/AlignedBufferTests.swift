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

@Suite("AlignedBuffer in private memory: for expression data on the hot path")
struct PrivateAlignedBufferTests {
    @Test("a private buffer is page-aligned, filled, registered for the exit wipe and locked in whole pages")
    func privateAndFilled() throws {
        let buffer = try AlignedBuffer<Float>(privateCount: 1500, repeating: 1.5)
        #expect(Int(bitPattern: buffer.baseAddress) % 4096 == 0)
        #expect(buffer.count == 1500)
        #expect((0 ..< 1500).allSatisfy { buffer[$0] == 1.5 })
        let registered = buffer.isPrivate && SecureMemory.isLive(UnsafeMutableRawPointer(buffer.baseAddress))
        #expect(registered)
        let locked = buffer.privateBytes
        #expect(locked == 8192)
        let heap = AlignedBuffer<Float>(zeroedCount: 8)
        let heapIsPrivate = heap.isPrivate || heap.privateBytes > 0
        #expect(!heapIsPrivate)
    }

    @Test("SIMD access is the same; wipe zeroes the whole mapping; the exit wipe reaches it")
    func wipes() throws {
        let buffer = try AlignedBuffer<Float>(privateZeroedCount: 20)
        var zeros = buffer.holdsOnlyZeros
        #expect(zeros)
        buffer.store(SIMD8<Float>(repeating: 0.7), at: 9)
        #expect(buffer.load(SIMD8<Float>.self, at: 9) == SIMD8(repeating: 0.7))
        buffer.wipe()
        zeros = buffer.holdsOnlyZeros
        #expect(zeros)
        buffer[3] = 42
        let mine = UnsafeMutableRawPointer(buffer.baseAddress)
        SecureMemory.wipeLiveBuffers { $0 == mine }
        #expect(buffer[3] == 0)
    }

    @Test("a released private buffer leaves the registry (wiped and unmapped)")
    func releaseUnregisters() throws {
        var address: UnsafeMutableRawPointer?
        do {
            let buffer = try AlignedBuffer<SIMD2<Float>>(privateCount: 68, repeating: .zero)
            address = UnsafeMutableRawPointer(buffer.baseAddress)
            #expect(SecureMemory.isLive(address!))
        }
        #expect(!SecureMemory.isLive(address!))
    }
}
