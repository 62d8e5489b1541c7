import OmoteCore

/// Omote's smoothing of what the rig gets: a One Euro filter on each of the 52 refined weights (one lane each of a
/// SIMD64, parameters per group of shapes: `OutputSmoothingParameters`) and on the head pose (`HeadPoseFilter`), after
/// MediaPipe's own smoothing of the landmarks (`LandmarkSmoother`), which stays as it is. The filters' state — the last
/// weights and pose, in and out — is expression data: private memory, wiped when the face is lost or the session
/// reset, a redacted description. Allocates nothing per frame. Not thread-safe.
public final class OutputSmoother: CustomStringConvertible {
    private struct State: BitwiseCopyable {
        var weights = WeightsOneEuroFilter()
        var pose = HeadPoseFilter()
    }

    public var parameters: OutputSmoothingParameters
    private let state: RigidPrivateBuffer<State>
    /// Whether the filters hold anything of a face (so a lost face is wiped once, not on every empty frame).
    private var holdsFace = false

    /// Throws when the kernel refuses the private memory (a locked-memory limit).
    public init(parameters: OutputSmoothingParameters = .tuned) throws(OmoteError) {
        self.parameters = parameters
        state = try RigidPrivateBuffer(repeating: State())
    }

    public var description: String { "OutputSmoother(redacted)" }

    /// Whether the state is registered private memory (tests).
    package var isPrivate: Bool { state.isPrivate }

    /// Whether the weight filter has started (tests: false after a wipe).
    package var holdsWeights: Bool { state.value.weights.isStarted }

    /// Smooths this frame's weights in place; `nanoseconds` is the frame's stream time. The tracked mask is kept.
    public func smooth(_ weights: inout BlendshapeWeights, at nanoseconds: UInt64) {
        holdsFace = true
        // Updated where it lives, not copied out and back.
        weights.values = state.baseAddress.pointee.weights.filter(weights.values, at: nanoseconds, parameters.weights)
    }

    /// Smooths this frame's head pose in place.
    public func smooth(_ pose: inout HeadPose, at nanoseconds: UInt64) {
        holdsFace = true
        pose = state.baseAddress.pointee.pose.filter(pose, at: nanoseconds, parameters.pose)
    }

    /// Forgets the face: the next frame starts the filters afresh, and the last weights and pose are wiped.
    public func reset() {
        guard holdsFace else { return }
        holdsFace = false
        state.wipe()
    }
}
