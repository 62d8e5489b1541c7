import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// Memory for frames and expression data: page-aligned, locked out of swap (`mlock`), excluded from core dumps
/// (`MADV_DONTDUMP`) and wiped when released. Owned by exactly one owner at a time (`~Copyable`), so a frame cannot be
/// silently duplicated into memory the guard does not know about. Live buffers are also wiped when the process exits
/// (see `SecureMemory`), so their contents do not linger in freed physical pages.
public struct SecureBuffer: ~Copyable {
    public let count: Int
    public let baseAddress: UnsafeMutableRawPointer
    /// Whether `mlock` succeeded. A refused lock (a low RLIMIT_MEMLOCK) is an error unless the user explicitly allowed
    /// swappable memory (`SecureMemory.allowSwappableMemory()`), and then it is counted for the status line.
    public let isLocked: Bool
    private let mappedLength: Int

    /// Allocates `count` zeroed bytes. Throws when the kernel refuses the mapping.
    public init(count: Int) throws(OmoteError) {
        precondition(count >= 0)
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let length = max(page, (count + page - 1) / page * page)
        let raw = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        guard let raw, raw != MAP_FAILED else { throw .memoryMapRefused(bytes: count, errno: Errno(rawValue: errno)) }
        _ = madvise(raw, length, MADV_DONTDUMP)
        let locked = mlock(raw, length) == 0
        if !locked {
            let code = errno
            if !SecureMemory.swappableMemoryAllowed {
                _ = munmap(raw, length)
                throw .memoryLockRefused(bytes: count, errno: Errno(rawValue: code))
            }
        }
        self.isLocked = locked
        self.baseAddress = raw
        self.count = count
        self.mappedLength = length
        SecureMemory.register(raw, length: length, locked: isLocked)
    }

    public var bytes: UnsafeMutableRawBufferPointer { UnsafeMutableRawBufferPointer(start: baseAddress, count: count) }

    public func typed<T>(as type: T.Type) -> UnsafeMutableBufferPointer<T> {
        UnsafeMutableBufferPointer(
            start: baseAddress.assumingMemoryBound(to: T.self), count: count / MemoryLayout<T>.stride)
    }

    /// Overwrites the contents with zeros (a store the optimiser cannot remove).
    public func wipe() { secureZero(baseAddress, mappedLength) }

    deinit {
        SecureMemory.unregister(baseAddress, locked: isLocked)
        secureZero(baseAddress, mappedLength)
        if isLocked { _ = munlock(baseAddress, mappedLength) }
        _ = munmap(baseAddress, mappedLength)
    }
}

/// Overwrites `count` bytes with zeros in a way the optimiser cannot remove (the memory is about to be reused or freed).
@inline(__always)
func secureZero(_ pointer: UnsafeMutableRawPointer, _ count: Int) { explicit_bzero(pointer, count) }
