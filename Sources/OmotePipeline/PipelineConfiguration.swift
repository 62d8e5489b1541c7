import OmoteMesh

/// Where the pipeline's model and avatar come from.
public struct PipelineConfiguration: Sendable {
    /// MediaPipe's face_landmarker.task (the tracker's networks and face geometry).
    public var meshModelPath = FaceLandmarkerNetworks.defaultPath()
    /// A glTF/GLB/VRM file, or nil for the built-in avatar.
    public var avatarPath: String?
    /// The camera's horizontal field of view in degrees, when the user gave it; without it the geometry keeps
    /// MediaPipe's 63° vertical.
    public var horizontalFieldOfViewDegrees: Float?
    /// Whether the rig gets MediaPipe's regressor scores as they are, without Omote's geometric corrections and rest
    /// removal (`BlendshapeRefinement`, Docs/fidelity.md): for comparing with MediaPipe. Off by default.
    public var rawBlendshapes = false
    /// Whether the refined weights and the head pose pass Omote's One Euro filters (`OutputSmoother`, tuned per group of
    /// shapes; Docs/fidelity.md) before the rig. On by default; `rawBlendshapes` switches them off too.
    public var smoothsOutput = true
    /// Whether the guided calibration starts with the first face (`--calibrate`; `c` in the live view starts it at
    /// any time). Needs the refinement (not with `rawBlendshapes`).
    public var calibratesAtStart = false

    public init() {}
}
