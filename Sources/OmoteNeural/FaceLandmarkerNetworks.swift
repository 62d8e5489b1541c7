import OmoteCore

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
        let cache =
            environment("XDG_CACHE_HOME").flatMap { $0.isEmpty ? nil : $0 }
            ?? (environment("HOME") ?? "") + "/.cache"
        return cache + "/omote/face_landmarker.task"
    }

    public convenience init() throws(OmoteError) {
        try self.init(path: Self.defaultPath())
    }

    public init(path: String) throws(OmoteError) {
        let file = try Self.map(path)
        (detector, landmarks, blendshapes) = try Self.plan(file, path: path)
    }

    /// Maps the `.task` file; a missing file gets the remedy that fetches it.
    static func map(_ path: String) throws(OmoteError) -> MappedFile {
        let file: MappedFile
        do {
            file = try MappedFile(path: path, what: "the face landmarker model")
        } catch  where error.errno == .noSuchFileOrDirectory {
            throw OmoteError(
                .neuralModelMissing,
                operation: "load the face landmarker model",
                subject: path,
                reason: "no such file",
                remedy: "Run Scripts/setup.sh (it fetches face_landmarker.task) or set OMOTE_FACE_LANDMARKER.",
                errno: error.errno
            )
        }
        // The real model is under 4 MB; refuse anything absurd before parsing it.
        guard file.bytes.count <= 1 << 30 else {
            throw OmoteError.badModel(path, "size \(file.bytes.count) bytes is over 1 GiB")
        }
        return file
    }

    /// Plans all three networks while `file` is borrowed (mapped); every weight is copied (dequantized and
    /// repacked) while planning, so the mapping can go afterwards.
    private static func plan(
        _ file: borrowing MappedFile,
        path: String
    ) throws(OmoteError) -> (NeuralNetwork, NeuralNetwork, NeuralNetwork) {
        do {
            let archive = try ZipDirectory(CheckedBytes(bytes: file.bytes, file: path))
            func network(_ member: String) throws -> NeuralNetwork {
                let label = path + ":" + member
                let model = try TFLiteModel(try archive.member(named: member, file: path), file: label)
                return try NeuralNetwork(name: member, model: model)
            }
            return (
                try network(Self.detectorMember),
                try network(Self.landmarksMember),
                try network(Self.blendshapesMember)
            )
        } catch let error as OmoteError {
            throw error
        } catch {
            throw OmoteError.badModel(path, "\(error)")
        }
    }

    private static func environment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }
}
