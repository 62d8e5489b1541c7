import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// Whole pages of private memory, the one mechanism behind `RigidPrivateBuffer` and `UniquePrivateArray`:
/// an anonymous mapping locked out of swap (`mlock`), excluded from core dumps (`MADV_DONTDUMP`), registered so the
/// exit handler wipes it (`PrivateMemory`), and wiped, unlocked and unmapped when released.
struct PrivateMapping {
    let base: UnsafeMutableRawPointer
    let length: Int
    /// Whether `mlock` succeeded (false only when the user allowed swappable memory and the lock was refused).
    let isLocked: Bool

    /// Maps at least `bytes` zeroed bytes (one page for zero). Throws when the kernel refuses the mapping, or the lock
    /// without `PrivateMemory.allowSwappableMemory()`.
    init(bytes: Int) throws(OmoteError) {
        precondition(bytes >= 0)
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let length = max(page, (bytes + page - 1) / page * page)
        let raw = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        guard let raw, raw != MAP_FAILED else { throw .memoryMapRefused(bytes: bytes, errno: Errno(rawValue: errno)) }
        _ = madvise(raw, length, MADV_DONTDUMP)
        let locked = mlock(raw, length) == 0
        if !locked {
            let code = errno
            if !PrivateMemory.swappableMemoryAllowed {
                _ = munmap(raw, length)
                throw .memoryLockRefused(bytes: bytes, errno: Errno(rawValue: code))
            }
        }
        self.base = raw
        self.length = length
        self.isLocked = locked
        PrivateMemory.register(raw, length: length, locked: locked)
    }

    /// Overwrites the whole mapping with zeros (a store the optimiser cannot remove).
    func wipe() { secureZero(base, length) }

    /// Wipes, unlocks and unmaps; the mapping must not be used afterwards.
    func release() {
        PrivateMemory.unregister(base, locked: isLocked)
        secureZero(base, length)
        if isLocked { _ = munlock(base, length) }
        _ = munmap(base, length)
    }
}

/// Overwrites `count` bytes with zeros in a way the optimiser cannot remove (the memory is about to be reused or freed).
@inline(__always)
func secureZero(_ pointer: UnsafeMutableRawPointer, _ count: Int) { explicit_bzero(pointer, count) }
