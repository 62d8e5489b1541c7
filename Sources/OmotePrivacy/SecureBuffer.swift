import CPrivacyShim
import Synchronization
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
    public init(count: Int) throws(SecureBufferError) {
        precondition(count >= 0)
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let length = max(page, (count + page - 1) / page * page)
        let raw = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        guard let raw, raw != MAP_FAILED else { throw SecureBufferError(bytes: count, errno: errno, kind: .mapRefused) }
        _ = madvise(raw, length, MADV_DONTDUMP)
        let locked = mlock(raw, length) == 0
        if !locked {
            let code = errno
            if !SecureMemory.swappableMemoryAllowed {
                _ = munmap(raw, length)
                throw SecureBufferError(bytes: count, errno: code, kind: .lockRefused)
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
        UnsafeMutableBufferPointer(start: baseAddress.assumingMemoryBound(to: T.self), count: count / MemoryLayout<T>.stride)
    }

    /// Overwrites the contents with zeros (a store the optimiser cannot remove).
    public func wipe() { omote_secure_zero(baseAddress, mappedLength) }

    deinit {
        SecureMemory.unregister(baseAddress, locked: isLocked)
        omote_secure_zero(baseAddress, mappedLength)
        if isLocked { _ = munlock(baseAddress, mappedLength) }
        _ = munmap(baseAddress, mappedLength)
    }
}

public struct SecureBufferError: Error, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// mmap refused (out of memory or address space).
        case mapRefused
        /// mlock refused: the memory could be swapped out, so it is not used.
        case lockRefused
        /// The request exceeds the bound the caller set (a header claiming a huge frame); nothing was allocated.
        case overLimit(limit: Int)
    }

    public let bytes: Int
    public let errno: Int32
    public let kind: Kind

    public init(bytes: Int, errno: Int32, kind: Kind) {
        self.bytes = bytes
        self.errno = errno
        self.kind = kind
    }

    public var description: String {
        switch kind {
        case .mapRefused:
            "could not map \(bytes) bytes of private frame memory: \(String(cString: strerror(errno))) (errno \(errno)); free some memory and retry"
        case .lockRefused:
            "could not lock \(bytes) bytes of private frame memory out of swap: \(String(cString: strerror(errno))) (errno \(errno)); raise the locked-memory limit (ulimit -l, or memlock in /etc/security/limits.conf; `omote doctor` says how much), or pass --allow-swappable-memory to accept frames that may be swapped out"
        case let .overLimit(limit):
            "a frame of \(bytes) bytes exceeds the \(limit)-byte bound for this source; nothing was allocated"
        }
    }
}

/// Book-keeping of live `SecureBuffer`s: whether they are locked in RAM (for the guard's status line), and a wipe of
/// every live buffer at process exit (an `atexit` handler, installed with the first buffer). Registration happens when
/// a buffer is created or released, never per frame.
public enum SecureMemory {
    private struct Registry {
        var live: [UInt: Int] = [:]  // base address → mapped length
        var unlocked = 0
    }

    private static let registry = Mutex(Registry())
    private static let swappableAllowed = Atomic<Bool>(false)

    /// The user's explicit choice (`--allow-swappable-memory`): a refused mlock then keeps the buffer, unlocked, and
    /// the guard's status line counts it. Without it a refused mlock is an error.
    public static func allowSwappableMemory() { swappableAllowed.store(true, ordering: .relaxed) }
    static var swappableMemoryAllowed: Bool { swappableAllowed.load(ordering: .relaxed) }
    private static let exitWipeInstalled: Bool = atexit { SecureMemory.wipeAllLiveBuffers() } == 0

    /// Live buffers that `mlock` refused (RLIMIT_MEMLOCK too low): they could be swapped out.
    public static var unlockedBufferCount: Int { registry.withLock { $0.unlocked } }
    /// Live buffers in total.
    package static var liveBufferCount: Int { registry.withLock { $0.live.count } }
    /// Whether the exit-time wipe is installed (it is once the first buffer exists).
    package static var wipesAtExit: Bool { exitWipeInstalled }

    static func register(_ base: UnsafeMutableRawPointer, length: Int, locked: Bool) {
        _ = exitWipeInstalled
        registry.withLock { registry in
            registry.live[UInt(bitPattern: base)] = length
            if !locked { registry.unlocked += 1 }
        }
    }

    static func isLive(_ base: UnsafeMutableRawPointer) -> Bool {
        registry.withLock { $0.live[UInt(bitPattern: base)] != nil }
    }

    static func unregister(_ base: UnsafeMutableRawPointer, locked: Bool) {
        registry.withLock { registry in
            registry.live[UInt(bitPattern: base)] = nil
            if !locked { registry.unlocked -= 1 }
        }
    }

    /// Wipes every live buffer now (at exit; also callable from a shutdown path). Holding the lock keeps a buffer
    /// from being unmapped mid-wipe by another thread.
    public static func wipeAllLiveBuffers() { wipeLiveBuffers { _ in true } }

    /// The exit wipe restricted to some buffers (tests use it so they never wipe buffers other tests are using).
    static func wipeLiveBuffers(where include: (UnsafeMutableRawPointer) -> Bool) {
        registry.withLock { registry in
            for (base, length) in registry.live {
                if let pointer = UnsafeMutableRawPointer(bitPattern: base), include(pointer) { omote_secure_zero(pointer, length) }
            }
        }
    }
}
