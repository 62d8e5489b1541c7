import OmoteCore
import OmoteNeural

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// MediaPipe Face Landmarker's three networks, planned from the `.task` archive (read in place, never unpacked), and
/// where that archive lives. The engine (`OmoteNeural`) knows no model by name; this is where the names are.
public final class FaceLandmarkerNetworks {
    /// BlazeFace short range: 1×128×128×3 → regressors 1×896×16, scores 1×896×1.
    public let detector: NeuralNetwork
    /// Face mesh: 1×256×256×3 → 1434 = 478×3 landmarks, face-presence logit, a third small output.
    public let landmarks: NeuralNetwork
    /// MLP-Mixer: 1×146×2 landmark coordinates → 52 blendshape scores.
    public let blendshapes: NeuralNetwork

    public static let detectorMember = "face_detector.tflite"
    public static let landmarksMember = "face_landmarks_detector.tflite"
    public static let blendshapesMember = "face_blendshapes.tflite"

    /// `OMOTE_FACE_LANDMARKER` if set, else `${XDG_CACHE_HOME:-$HOME/.cache}/omote/face_landmarker.task`.
    public static func defaultPath() -> String {
        if let explicit = environment("OMOTE_FACE_LANDMARKER"), !explicit.isEmpty {
            return explicit
        }
        let cache =
            environment("XDG_CACHE_HOME").flatMap { $0.isEmpty ? nil : $0 }
            ?? (environment("HOME") ?? "") + "/.cache"
        return cache + "/omote/face_landmarker.task"
    }

    public convenience init() throws(OmoteError) {
        try self.init(path: Self.defaultPath())
    }

    /// Plans all three networks from one mapping; every weight is copied while planning, so the mapping goes after.
    public init(path: String) throws(OmoteError) {
        let planned = try Self.networks(
            [Self.detectorMember, Self.landmarksMember, Self.blendshapesMember], archivePath: path)
        (detector, landmarks, blendshapes) = (planned[0], planned[1], planned[2])
    }

    /// The archive's `members` planned by the engine, its errors given the remedies that name this model.
    static func networks(
        _ members: [String], archivePath path: String, sharing arena: SharedActivationArena? = nil
    ) throws(OmoteError) -> [NeuralNetwork] {
        do {
            return try ModelArchive.networks(named: members, archivePath: path, sharing: arena)
        } catch {
            throw error.withFaceLandmarkerRemedy()
        }
    }

    /// The bytes of a non-network member (the geometry metadata); any failure to read it is a mesh model error
    /// naming the member, with the engine's reason and errno.
    static func member(_ member: String, archivePath path: String) throws(OmoteError) -> [UInt8] {
        do {
            return try ModelArchive.bytes(named: member, archivePath: path)
        } catch {
            var unreadable = OmoteError.meshModel(path + ":" + member, error.reason)
            unreadable.errno = error.errno
            throw unreadable
        }
    }

    private static func environment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }
}

extension OmoteError {
    /// Fetches (or re-fetches) the model Omote's mesh tracker runs.
    static let fetchFaceLandmarker = "Run Scripts/setup.sh to fetch face_landmarker.task again and verify its SHA-256."

    /// An engine error about the model file, its generic remedy replaced by the one that fetches face_landmarker.task.
    func withFaceLandmarkerRemedy() -> OmoteError {
        switch code {
        case .neuralModelMissing:
            replacingRemedy("Run Scripts/setup.sh (it fetches face_landmarker.task) or set OMOTE_FACE_LANDMARKER.")
        case .neuralModelMalformed:
            replacingRemedy(Self.fetchFaceLandmarker)
        case .neuralUnsupported:
            replacingRemedy("Use MediaPipe Face Landmarker float16 v1; only its operators are implemented.")
        default:
            self
        }
    }
}
