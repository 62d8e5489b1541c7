import OmoteCore
import Testing

@Test("Secure buffers are zeroed, writable, page-backed and wiped on request")
func secureBufferWipe() throws {
    let buffer = try SecureBuffer(count: 10_000)
    let bytes = buffer.bytes
    #expect(bytes.allSatisfy { $0 == 0 })
    for i in bytes.indices { bytes[i] = 0xAB }
    #expect(bytes.allSatisfy { $0 == 0xAB })
    buffer.wipe()
    #expect(bytes.allSatisfy { $0 == 0 })
}

@Test("Live secure buffers are registered for the exit-time wipe and wiped by it")
func secureBufferExitWipe() throws {
    var address: UnsafeMutableRawPointer?
    do {
        let buffer = try SecureBuffer(count: 4096)
        address = buffer.baseAddress
        #expect(SecureMemory.isLive(buffer.baseAddress))
        #expect(SecureMemory.wipesAtExit)
        let bytes = buffer.bytes
        for i in bytes.indices { bytes[i] = 0x5A }
        // The exit wipe's own loop, limited to this buffer (other tests' buffers are live concurrently).
        let mine = buffer.baseAddress
        SecureMemory.wipeLiveBuffers { $0 == mine }
        #expect(bytes.allSatisfy { $0 == 0 })
    }
    #expect(!SecureMemory.isLive(address!), "a released buffer must leave the exit-wipe registry")
}

@Suite("SecureArray: growable private memory for expression data")
struct SecureArrayTests {
    @Test("appends, grows in locked memory and keeps its contents")
    func growsAndKeeps() {
        let array = SecureArray<Float>()
        #expect(array.isEmpty)
        for value in 0 ..< 1000 { array.append(Float(value)) }
        #expect(array.count == 1000)
        #expect(array.capacity >= 1000)
        #expect(array.isLocked)
        #expect(array.growthError == nil)
        #expect(array[999] == 999)
        #expect(array.reduce(0, +) == Float(999 * 1000 / 2))
        let extra: [Float] = [1, 2, 3]
        extra.withUnsafeBufferPointer { array.append(contentsOf: $0) }
        #expect(Array(array.suffix(3)) == extra)
    }

    @Test("emptying for reuse wipes the used part and keeps the capacity")
    func wipesOnReuse() {
        let array = SecureArray<UInt8>()
        array.reserveCapacity(4096)
        let text = Array("jawOpen 0.83".utf8)
        text.withUnsafeBufferPointer { array.append(contentsOf: $0) }
        let base = array.withUnsafeBytes { $0.baseAddress! }
        let capacity = array.capacity
        array.removeAll()
        #expect(array.isEmpty)
        #expect(array.capacity == capacity)
        // The memory is still mapped (capacity kept): the old bytes must be zeros now.
        let stale = UnsafeRawBufferPointer(start: base, count: text.count)
        #expect(stale.allSatisfy { $0 == 0 })
    }

    @Test("resize fills exactly, wiping what was there")
    func resizeFills() {
        let array = SecureArray<Float>()
        #expect(array.resize(to: 10, repeating: 7))
        #expect(Array(array) == Array(repeating: 7, count: 10))
        array.withUnsafeMutableBufferPointer { $0[3] = 1 }
        #expect(array[3] == 1)
        #expect(array.resize(to: 4, repeating: -.infinity))
        #expect(array.count == 4 && array.allSatisfy { $0 == -.infinity })
        #expect(array.resize(to: 0, repeating: 1))
        #expect(array.isEmpty)
    }

    @Test("its memory is tracked as private memory and released when the array goes away")
    func tracked() {
        var base: UnsafeMutableRawPointer?
        do {
            let array = SecureArray<SIMD3<Float>>()
            array.reserveCapacity(100)
            base = array.withUnsafeBytes { UnsafeMutableRawPointer(mutating: $0.baseAddress) }
            #expect(SecureMemory.isLive(base!), "registered for the exit-time wipe")
            #expect(array.capacity >= 100)
        }
        #expect(!SecureMemory.isLive(base!), "released (wiped and unmapped) with the array")
    }
}
