import Synchronization

/// Whether this process has engaged the privacy guard, for layers below OmotePrivacy that must not open or map files
/// once it has (the JPEG decoder's lazy library load must fail with a clear error, not die on a refused syscall).
extension GuardEngagement {
    private static let engagedInThisProcess = Atomic<Bool>(false)

    /// True once `PrivacyGuard.engage` has begun locking this process down (even if it then failed); never false
    /// again.
    public static var isEngagedInThisProcess: Bool { engagedInThisProcess.load(ordering: .acquiring) }

    /// Called by `PrivacyGuard.engage` before its first irreversible step.
    package static func recordEngagedInThisProcess() { engagedInThisProcess.store(true, ordering: .releasing) }
}
