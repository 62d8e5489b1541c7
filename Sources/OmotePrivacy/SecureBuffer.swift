import CPrivacyShim
#if canImport(Glibc)
import Glibc
#endif

/// Memory for frames and expression data: page-aligned, locked out of swap (`mlock`), excluded from core dumps
/// (`MADV_DONTDUMP`) and wiped when released. Owned by exactly one owner at a time (`~Copyable`), so a frame cannot be
/// silently duplicated into memory the guard does not know about.
public struct SecureBuffer: ~Copyable {
    public let count: Int
    public let baseAddress: UnsafeMutableRawPointer
    /// Whether `mlock` succeeded (it can fail under a low RLIMIT_MEMLOCK; the buffer is still wiped and undumpable).
    public let isLocked: Bool
    private let mappedLength: Int

    /// Allocates `count` zeroed bytes. Throws when the kernel refuses the mapping.
    public init(count: Int) throws(SecureBufferError) {
        precondition(count >= 0)
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let length = max(page, (count + page - 1) / page * page)
        let raw = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        guard let raw, raw != MAP_FAILED else { throw SecureBufferError(bytes: count, errno: errno) }
        _ = madvise(raw, length, MADV_DONTDUMP)
        self.isLocked = mlock(raw, length) == 0
        self.baseAddress = raw
        self.count = count
        self.mappedLength = length
    }

    public var bytes: UnsafeMutableRawBufferPointer { UnsafeMutableRawBufferPointer(start: baseAddress, count: count) }

    public func typed<T>(as type: T.Type) -> UnsafeMutableBufferPointer<T> {
        UnsafeMutableBufferPointer(start: baseAddress.assumingMemoryBound(to: T.self), count: count / MemoryLayout<T>.stride)
    }

    /// Overwrites the contents with zeros (a store the optimiser cannot remove).
    public func wipe() { omote_secure_zero(baseAddress, mappedLength) }

    deinit {
        omote_secure_zero(baseAddress, mappedLength)
        if isLocked { _ = munlock(baseAddress, mappedLength) }
        _ = munmap(baseAddress, mappedLength)
    }
}

public struct SecureBufferError: Error, CustomStringConvertible {
    public let bytes: Int
    public let errno: Int32
    public var description: String {
        "could not map \(bytes) bytes of private frame memory: \(String(cString: strerror(errno))) (errno \(errno)); free some memory and retry"
    }
}
