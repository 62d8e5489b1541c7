@testable import OmotePrivacy
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
