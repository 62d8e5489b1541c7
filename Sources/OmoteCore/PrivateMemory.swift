import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The private-memory family's book-keeping: every live mapping of a `RigidPrivateBuffer` or `UniquePrivateArray`,
/// whether it is locked in RAM (for the guard's status line), and a wipe of every live mapping at process exit (an
/// `atexit` handler, installed with the first one). Registration happens when memory is mapped or released, never per
/// frame.
public enum PrivateMemory {
    private struct Registry {
        var live: [UInt: Int] = [:]  // base address → mapped length
        var unlocked = 0
    }

    private static let registry = Mutex(Registry())
    private static let swappableAllowed = Atomic<Bool>(false)

    /// The user's explicit choice (`--allow-swappable-memory`): a refused mlock then keeps the buffer, unlocked, and
    /// the guard's status line counts it. Without it a refused mlock is an error.
    public static func allowSwappableMemory() { swappableAllowed.store(true, ordering: .relaxed) }
    package static var swappableMemoryAllowed: Bool { swappableAllowed.load(ordering: .relaxed) }
    private static let exitWipeInstalled: Bool = atexit { PrivateMemory.wipeAllLiveBuffers() } == 0

    /// Live buffers that `mlock` refused (RLIMIT_MEMLOCK too low): they could be swapped out.
    public static var unlockedBufferCount: Int { registry.withLock { $0.unlocked } }
    /// Live buffers in total.
    package static var liveBufferCount: Int { registry.withLock { $0.live.count } }
    /// Bytes mapped by live buffers (locked, unless the user allowed swappable memory): what counts against
    /// RLIMIT_MEMLOCK.
    public static var liveBytes: Int { registry.withLock { $0.live.values.reduce(0, +) } }
    /// Whether the exit-time wipe is installed (it is once the first buffer exists).
    package static var wipesAtExit: Bool { exitWipeInstalled }

    static func register(_ base: UnsafeMutableRawPointer, length: Int, locked: Bool) {
        _ = exitWipeInstalled
        registry.withLock { registry in
            registry.live[UInt(bitPattern: base)] = length
            if !locked { registry.unlocked += 1 }
        }
    }

    package static func isLive(_ base: UnsafeMutableRawPointer) -> Bool {
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
    package static func wipeLiveBuffers(where include: (UnsafeMutableRawPointer) -> Bool) {
        registry.withLock { registry in
            for (base, length) in registry.live {
                if let pointer = UnsafeMutableRawPointer(bitPattern: base), include(pointer) {
                    secureZero(pointer, length)
                }
            }
        }
    }
}
