/// Memory for frames and expression data: page-aligned, locked out of swap (`mlock`), excluded from core dumps
/// (`MADV_DONTDUMP`) and wiped when released. Owned by exactly one owner at a time (`~Copyable`), so a frame cannot be
/// silently duplicated into memory the guard does not know about. Live buffers are also wiped when the process exits
/// (see `SecureMemory`), so their contents do not linger in freed physical pages.
public struct SecureBuffer: ~Copyable {
    public let count: Int
    public let baseAddress: UnsafeMutableRawPointer
    /// Whether `mlock` succeeded. A refused lock (a low RLIMIT_MEMLOCK) is an error unless the user explicitly allowed
    /// swappable memory (`SecureMemory.allowSwappableMemory()`), and then it is counted for the status line.
    public var isLocked: Bool { mapping.isLocked }
    private let mapping: PrivateMapping

    /// Allocates `count` zeroed bytes. Throws when the kernel refuses the mapping.
    public init(count: Int) throws(OmoteError) {
        precondition(count >= 0)
        mapping = try PrivateMapping(bytes: count)
        baseAddress = mapping.base
        self.count = count
    }

    public var bytes: UnsafeMutableRawBufferPointer { UnsafeMutableRawBufferPointer(start: baseAddress, count: count) }

    public func typed<T>(as type: T.Type) -> UnsafeMutableBufferPointer<T> {
        UnsafeMutableBufferPointer(
            start: baseAddress.assumingMemoryBound(to: T.self), count: count / MemoryLayout<T>.stride)
    }

    /// Overwrites the contents with zeros (a store the optimiser cannot remove).
    public func wipe() { mapping.wipe() }

    deinit { mapping.release() }
}
