#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// MediaPipe Face Landmarker's three networks, planned from the `.task` archive (read in place, never unpacked).
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
        let cache = environment("XDG_CACHE_HOME").flatMap { $0.isEmpty ? nil : $0 }
            ?? (environment("HOME") ?? "") + "/.cache"
        return cache + "/omote/face_landmarker.task"
    }

    public convenience init() throws {
        try self.init(path: Self.defaultPath())
    }

    public init(path: String) throws {
        let file = try MappedFile(path: path)
        let archive = try ZipDirectory(CheckedBytes(bytes: file.bytes, file: path))
        func network(_ member: String) throws -> NeuralNetwork {
            let label = path + ":" + member
            let model = try TFLiteModel(try archive.member(named: member, file: path), file: label)
            return try NeuralNetwork(name: member, model: model)
        }
        detector = try network(Self.detectorMember)
        landmarks = try network(Self.landmarksMember)
        blendshapes = try network(Self.blendshapesMember)
        // Every weight was copied (dequantized and repacked) while planning, so the mapping can go now.
        _ = file
    }

    private static func environment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }
}
