import OmoteCore
import Testing

@Suite("RigidPrivateBuffer: a fixed number of values in private memory")
struct RigidPrivateBufferTests {
    @Test("is zeroed, writable through its view, page-backed and wiped on request")
    func zeroedWritableWiped() throws {
        let buffer = try RigidPrivateBuffer<UInt8>(count: 10_000)
        let view = buffer.view
        #expect(view.count == 10_000 && view.allSatisfy { $0 == 0 })
        for i in view.indices { view[i] = 0xAB }
        #expect(buffer.bytes.allSatisfy { $0 == 0xAB })
        buffer.wipe()
        #expect(view.allSatisfy { $0 == 0 })
        #expect(buffer.isLocked && buffer.isPrivate)
    }

    @Test("holds one value, or repeated values, of any plain type")
    func repeatedValues() throws {
        let one = try RigidPrivateBuffer(repeating: SIMD4<Float>(1, 2, 3, 4))
        #expect(one.count == 1 && one.value == SIMD4(1, 2, 3, 4))
        one.value.w = 9
        #expect(one[0] == SIMD4(1, 2, 3, 9))
        let many = try RigidPrivateBuffer(repeating: Float(-1), count: 37)
        #expect(many.view.allSatisfy { $0 == -1 })
        let loaded: SIMD8<Float> = many.view.load(at: 29)
        #expect(loaded == SIMD8(repeating: -1))
    }

    @Test("is registered for the exit-time wipe, wiped by it, and leaves the registry when released")
    func exitWipeAndRelease() throws {
        var address: UnsafeMutableRawPointer?
        do {
            let buffer = try RigidPrivateBuffer<UInt8>(count: 4096)
            let base = UnsafeMutableRawPointer(buffer.baseAddress)
            address = base
            #expect(PrivateMemory.isLive(base))
            #expect(PrivateMemory.wipesAtExit)
            buffer.view.fill(with: 0x5A)
            // The exit wipe's own loop, limited to this buffer (other tests' buffers are live concurrently).
            PrivateMemory.wipeLiveBuffers { $0 == base }
            #expect(buffer.view.allSatisfy { $0 == 0 })
        }
        #expect(!PrivateMemory.isLive(address!), "a released buffer must leave the exit-wipe registry")
    }

    @Test("a mapping the kernel refuses is a clear error, not a crash")
    func refusedMapping() {
        // 2^44 bytes: more than this machine's memory and swap, so the heuristic overcommit check refuses it.
        #expect {
            _ = try RigidPrivateBuffer<UInt8>(count: 1 << 44)
        } throws: { error in
            let error = error as? OmoteError
            return error?.code == .memoryMapRefused && "\(error!)".contains("bytes")
        }
    }
}

@Suite("UniquePrivateArray: growable private memory whose growth throws")
struct UniquePrivateArrayTests {
    @Test("appends, grows in locked memory and keeps its contents")
    func growsAndKeeps() throws {
        var array = UniquePrivateArray<Float>()
        #expect(array.count == 0)
        for value in 0 ..< 1000 { try array.append(Float(value)) }
        #expect(array.count == 1000)
        #expect(array.capacity >= 1000)
        #expect(array.isLocked && array.isPrivate)
        #expect(array[999] == 999)
        #expect(array.view.reduce(0, +) == Float(999 * 1000 / 2))
        let extra: [Float] = [1, 2, 3]
        try extra.withUnsafeBufferPointer { try array.append(contentsOf: $0) }
        #expect(Array(array.view.suffix(3)) == extra)
    }

    @Test("emptying for reuse wipes the used part and keeps the capacity")
    func wipesOnReuse() throws {
        var array = try UniquePrivateArray<UInt8>(capacity: 4096)
        let text = Array("jawOpen 0.83".utf8)
        try text.withUnsafeBufferPointer { try array.append(contentsOf: $0) }
        let base = array.bytes.baseAddress!
        let capacity = array.capacity
        array.removeAll()
        #expect(array.count == 0)
        #expect(array.capacity == capacity)
        // The memory is still mapped (capacity kept): the old bytes must be zeros now.
        let stale = UnsafeRawBufferPointer(start: base, count: text.count)
        #expect(stale.allSatisfy { $0 == 0 })
    }

    @Test("resize fills exactly, wiping what was there")
    func resizeFills() throws {
        var array = UniquePrivateArray<Float>()
        try array.resize(to: 10, repeating: 7)
        #expect(Array(array.view) == Array(repeating: 7, count: 10))
        array[3] = 1
        #expect(array.view[3] == 1)
        try array.resize(to: 4, repeating: -.infinity)
        #expect(array.count == 4 && array.view.allSatisfy { $0 == -.infinity })
        try array.resize(to: 0, repeating: 1)
        #expect(array.count == 0)
    }

    @Test("a growth the kernel refuses throws and leaves every element in place")
    func refusedGrowthKeepsElements() throws {
        var array = UniquePrivateArray<UInt8>()
        for byte in 0 ..< UInt8(100) { try array.append(byte) }
        let capacity = array.capacity
        #expect(throws: OmoteError.self) { try array.reserveCapacity(1 << 44) }
        #expect(array.count == 100 && array.capacity == capacity)
        #expect(Array(array.view) == Array(0 ..< 100))
        try array.append(100)
        #expect(array.count == 101)
    }

    @Test("its memory is tracked as private memory and released when the array goes away")
    func tracked() throws {
        var base: UnsafeMutableRawPointer?
        do {
            let array = try UniquePrivateArray<SIMD3<Float>>(capacity: 100)
            base = UnsafeMutableRawPointer(mutating: array.bytes.baseAddress)
            #expect(PrivateMemory.isLive(base!), "registered for the exit-time wipe")
            #expect(array.capacity >= 100)
        }
        #expect(!PrivateMemory.isLive(base!), "released (wiped and unmapped) with the array")
    }
}
