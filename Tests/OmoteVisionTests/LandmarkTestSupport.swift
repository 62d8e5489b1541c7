import Foundation
import OmoteCapture
import OmoteCore

@testable import OmoteVision

/// Shared inputs of the landmark tests: the model (loaded once, immutable, shared across parallel tests; each test
/// makes its own `ShapePredictor` scratch over it), dlib's reference fixture and decoded SampleFrames.
enum LandmarkTestSupport {
    static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0 ..< 3 { url.deleteLastPathComponent() }
        return url.path
    }()
    static let modelPath = "/usr/share/dlib/shape_predictor_68_face_landmarks.dat"
    static let fixturePath = repositoryRoot + "/Tests/OmoteVisionTests/Fixtures/dlib-faces.tsv"
    static let sampleFrames = repositoryRoot + "/SampleFrames"

    static let model: Result<ShapePredictorModel, OmoteError> = {
        do throws(OmoteError) { return .success(try ShapePredictorModel(contentsOfFile: modelPath)) } catch {
            return .failure(error)
        }
    }()

    static func predictor() throws -> ShapePredictor { try ShapePredictor(model: try model.get()) }

    /// One row of `dlib-faces.tsv`.
    struct DlibFace: Sendable {
        let clip: String
        let frame: Int
        let left: Int, top: Int, right: Int, bottom: Int
        let points: [SIMD2<Double>]
        let rounded: [SIMD2<Int>]
        var rect: FaceRect { FaceRect(dlibLeft: left, top: top, right: right, bottom: bottom) }
    }

    static let faces: [DlibFace] = {
        guard let text = try? String(contentsOfFile: fixturePath, encoding: .utf8) else { return [] }
        var faces: [DlibFace] = []
        for line in text.split(separator: "\n").dropFirst() {
            let columns = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard columns.count == 8 else { continue }
            let floats = columns[6].split(separator: " ").compactMap { Double($0) }
            let ints = columns[7].split(separator: " ").compactMap { Int($0) }
            guard floats.count == 136, ints.count == 136 else { continue }
            faces.append(
                DlibFace(
                    clip: String(columns[0]), frame: Int(columns[1])!, left: Int(columns[2])!,
                    top: Int(columns[3])!, right: Int(columns[4])!, bottom: Int(columns[5])!,
                    points: (0 ..< 68).map { SIMD2(floats[2 * $0], floats[2 * $0 + 1]) },
                    rounded: (0 ..< 68).map { SIMD2(ints[2 * $0], ints[2 * $0 + 1]) }))
        }
        return faces
    }()

    /// Decodes a SampleFrames frame exactly as the pipeline does (the reference program used the same call).
    static func withFrame<R>(clip: String, frame: Int, _ body: (LumaImage) throws -> R) throws -> R {
        let path = sampleFrames + "/" + clip + "/" + String(format: "%04d.jpg", frame)
        let jpeg = try Data(contentsOf: URL(fileURLWithPath: path))
        let decoder = try JPEGDecoder()
        var luma = try VideoFrame()
        try jpeg.withUnsafeBytes { bytes in try decoder.decode(bytes, into: &luma, source: path) }
        return try luma.withImage { image in try body(image) }
    }

    /// Frames (clip, frame) of the fixture with their faces, in fixture order.
    static var framesWithFaces: [(clip: String, frame: Int, faces: [DlibFace])] {
        var result: [(clip: String, frame: Int, faces: [DlibFace])] = []
        for face in faces {
            if let last = result.last, last.clip == face.clip, last.frame == face.frame {
                result[result.count - 1].faces.append(face)
            } else {
                result.append((face.clip, face.frame, [face]))
            }
        }
        return result
    }
}
