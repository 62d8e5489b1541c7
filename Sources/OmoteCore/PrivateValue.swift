/// One plain value (a frame's weights and pose, the tracker's scores) in private memory: locked out of swap, excluded from
/// dumps, wiped when overwritten by `wipe()`, when released and at exit (`SecureMemory`). For expression data that
/// outlives a call — handed between threads, or kept from frame to frame — where a stored property would put it on
/// the ordinary heap.
public final class PrivateValue<Value: BitwiseCopyable> {
    private let storage = SecureArray<Value>()
    private let initial: Value

    /// Maps the memory now (throws when the kernel refuses it: a locked-memory limit).
    public init(_ initial: Value) throws(OmoteError) {
        self.initial = initial
        guard storage.resize(to: 1, repeating: initial) else {
            throw storage.growthError
                ?? .memoryMapRefused(bytes: MemoryLayout<Value>.stride, errno: nil)
        }
    }

    public var value: Value {
        get { storage[0] }
        set { storage[0] = newValue }
    }

    /// Zeroes the stored bytes, then stores the initial value again.
    public func wipe() {
        storage.resize(to: 1, repeating: initial)
    }

    /// Whether the value lives in registered private memory.
    package var isPrivate: Bool {
        storage.withUnsafeBufferPointer { buffer in
            buffer.baseAddress.map { SecureMemory.isLive(UnsafeMutableRawPointer(mutating: $0)) } ?? false
        }
    }
}
