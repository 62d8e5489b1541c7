#if canImport(Glibc)
import Glibc
#endif

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
