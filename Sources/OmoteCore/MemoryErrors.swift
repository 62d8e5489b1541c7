import SystemPackage

/// Why private memory (`RigidPrivateBuffer`, `UniquePrivateArray`: locked, undumpable, wiped) could not be had, as `OmoteError` codes.
extension OmoteError.Code {
    /// mmap refused the memory (out of memory or address space).
    public static let memoryMapRefused = Self("memory.mapRefused")
    /// mlock refused: the memory could be swapped out, so it is not used (unless swappable memory was allowed).
    public static let memoryLockRefused = Self("memory.lockRefused")
}

extension OmoteError {
    /// The kernel refused to map `bytes` of private memory.
    static func memoryMapRefused(bytes: Int, errno: Errno?) -> OmoteError {
        OmoteError(
            .memoryMapRefused,
            operation: "map private frame memory",
            subject: "\(bytes) bytes",
            reason: "mmap refused it",
            remedy: "Free some memory and retry.",
            errno: errno
        )
    }

    /// The kernel refused to lock `bytes` of private memory out of swap.
    static func memoryLockRefused(bytes: Int, errno: Errno) -> OmoteError {
        OmoteError(
            .memoryLockRefused,
            operation: "lock private frame memory out of swap",
            subject: "\(bytes) bytes",
            reason: "mlock refused it",
            remedy: "Raise the locked-memory limit (ulimit -l, or memlock in /etc/security/limits.conf; `omote doctor` "
                + "says how much), or pass --allow-swappable-memory to accept frames that may be swapped out.",
            errno: errno
        )
    }
}
