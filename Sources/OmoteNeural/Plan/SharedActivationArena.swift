import OmoteCore

/// Activation memory shared by networks that never run at the same time — a pipeline's networks run one after
/// another on one thread, each reading its outputs before the next runs — so the locked private memory they need is
/// the largest arena, not the sum (4.2 MB instead of 6.5 MB for OmoteMesh's three networks, which matters under a
/// default 8 MB RLIMIT_MEMLOCK). The first network planned on it sizes it (plan the largest
/// first); a later network that does not fit gets an arena of its own. Not thread-safe, like the networks.
public final class SharedActivationArena {
    private var storage = UniquePrivateArray<Float>()

    public init() {}

    /// Floats available (0 until the first network is planned).
    public var floatCount: Int { storage.count }

    /// `count` floats of the shared memory, or nil when it was sized smaller by an earlier network.
    func claim(_ count: Int, network: String) throws(OmoteError) -> UnsafeMutablePointer<Float>? {
        if storage.isEmpty {
            do throws(OmoteError) {
                try storage.resize(to: count, repeating: 0)
            } catch {
                throw OmoteError.arenaRefused(network, floats: count, error)
            }
        }
        guard count <= storage.count else { return nil }
        return storage.view.baseAddress
    }

    /// Zeroes the memory (every sharing network's input, intermediates and outputs).
    public func wipe() { storage.view.fill(with: 0) }

    /// Whether every float is zero (tests of the wipe).
    package var isZeroed: Bool { !storage.view.contains { $0 != 0 } }

    /// Whether the memory is registered private memory.
    package var isPrivate: Bool { storage.isPrivate }
}

extension OmoteError {
    /// The kernel refused locked memory for a network's activations.
    static func arenaRefused(_ network: String, floats: Int, _ cause: OmoteError) -> OmoteError {
        OmoteError(
            .neuralArenaRefused,
            operation: "reserve private memory for the network's activations",
            subject: network,
            reason: "\(floats * 4 / 1024) KiB: \(cause.reason)",
            remedy:
                "Raise the locked-memory limit (ulimit -l; `omote doctor` shows it) or pass --allow-swappable-memory.",
            errno: cause.errno
        )
    }
}
