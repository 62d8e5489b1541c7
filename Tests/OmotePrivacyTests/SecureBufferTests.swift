import OmotePrivacy
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
