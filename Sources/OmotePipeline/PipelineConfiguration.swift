import OmoteMesh
import OmoteNeural
import OmoteSolver

/// Which tracker turns frames into expressions.
public enum FaceTracking: String, CaseIterable, Sendable, CustomStringConvertible {
    /// MediaPipe Face Landmarker's networks on Omote's engine: BlazeFace, the 478-point mesh, its 52 trained
    /// blendshape scores and the face-geometry head pose. The default: right on faces the 68-point fit gets wrong.
    case mesh
    /// OpenCV cascade → dlib's 68 landmarks → Omote's solver: the low-power choice (about a tenth of the CPU).
    case landmarks68 = "68-point"

    public var description: String {
        switch self {
        case .mesh: "mesh (MediaPipe Face Landmarker networks)"
        case .landmarks68: "68-point (cascade + dlib landmarks + solver)"
        }
    }
}

/// Where the pipeline's models and settings come from.
public struct PipelineConfiguration: Sendable {
    public static let defaultLandmarkModel = "/usr/share/dlib/shape_predictor_68_face_landmarks.dat"
    public static let defaultCascade = "/usr/share/opencv4/lbpcascades/lbpcascade_frontalface_improved.xml"

    public var tracker = FaceTracking.mesh
    /// MediaPipe's face_landmarker.task (the mesh tracker's networks and face geometry).
    public var meshModelPath = FaceLandmarkerNetworks.defaultPath()
    public var landmarkModelPath = Self.defaultLandmarkModel
    public var cascadePath = Self.defaultCascade
    /// A glTF/GLB/VRM file, or nil for the built-in avatar.
    public var avatarPath: String?
    /// The camera's horizontal field of view in degrees, when the user gave it. Without it the 68-point solver assumes
    /// 60° and the mesh tracker MediaPipe's 63° vertical.
    public var horizontalFieldOfViewDegrees: Float?
    public var solver = FaceSolverConfiguration()

    public init() {}
}
