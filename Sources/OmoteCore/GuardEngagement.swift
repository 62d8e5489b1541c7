/// Proof that the privacy guard is engaged in this process: only `PrivacyGuard.engage` makes one (the initialiser is
/// `package`), and `PipelineRunner` requires one, so no embedding of the library can process frames unguarded. It
/// carries the guard's one-line summary for the view's status line.
public struct GuardEngagement: Sendable, Equatable {
    /// What the guard enforces, in one line ("guard: Landlock v7 …").
    public let summary: String

    package init(summary: String) { self.summary = summary }

    /// For this package's tests, which run the pipeline on stand-in frames inside the test runner and must not lock
    /// the test process (the guard itself is tested in child processes).
    package static let unguardedForTests = GuardEngagement(summary: "guard: not engaged (test)")
}
