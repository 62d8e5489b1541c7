import Foundation
import OmoteCapture
import OmoteCore

@testable import OmoteVision

/// Shared inputs of the detection tests: the stock cascades (loaded once, immutable, shared; each test makes its own
/// `FaceDetector`), OpenCV's reference fixture and the SampleFrames clips.
enum DetectionTestSupport {
    static let cascadePaths: [String: String] = [
        "lbp": "/usr/share/opencv4/lbpcascades/lbpcascade_frontalface_improved.xml",
        "haar": "/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml",
        "alt2": "/usr/share/opencv4/haarcascades/haarcascade_frontalface_alt2.xml",
        // Tilted Haar features (fixture: every 4th frame).
        "smile": "/usr/share/opencv4/haarcascades/haarcascade_smile.xml",
        "eyeglasses": "/usr/share/opencv4/haarcascades/haarcascade_eye_tree_eyeglasses.xml",
    ]
    static let fixturePath =
        LandmarkTestSupport.repositoryRoot + "/Tests/OmoteVisionTests/Fixtures/opencv-detections.tsv"

    static let cascades: [String: Result<CascadeClassifier, OmoteError>] = {
        var loaded: [String: Result<CascadeClassifier, OmoteError>] = [:]
        for (name, path) in cascadePaths {
            do throws(OmoteError) { loaded[name] = .success(try CascadeClassifier(contentsOfFile: path)) } catch {
                loaded[name] = .failure(error)
            }
        }
        return loaded
    }()

    static func detector(_ name: String) throws -> FaceDetector {
        guard let cascade = cascades[name] else {
            throw OmoteError.cascade(.cascadeMissing, path: name, reason: "unknown cascade")
        }
        return try FaceDetector(cascade: try cascade.get())
    }

    /// One row of `opencv-detections.tsv`: OpenCV's boxes (x, y, w, h), sorted.
    struct Reference: Sendable {
        let clip: String
        let frame: Int
        let cascade: String
        let boxes: [SIMD4<Int32>]
    }

    static let references: [Reference] = {
        guard let text = try? String(contentsOfFile: fixturePath, encoding: .utf8) else { return [] }
        var rows: [Reference] = []
        for line in text.split(separator: "\n") where !line.hasPrefix("#") && !line.hasPrefix("clip\t") {
            let columns = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard columns.count == 5, let frame = Int(columns[1]), let count = Int(columns[3]) else { continue }
            let boxes = columns[4].split(separator: " ").map { box -> SIMD4<Int32> in
                let v = box.split(separator: ",").compactMap { Int32($0) }
                return SIMD4(v[0], v[1], v[2], v[3])
            }
            precondition(boxes.count == count)
            rows.append(Reference(clip: String(columns[0]), frame: frame, cascade: String(columns[2]), boxes: boxes))
        }
        return rows
    }()

    /// The boxes as integers, sorted like the fixture.
    static func sorted(_ faces: [FaceRect]) -> [SIMD4<Int32>] {
        faces.map { SIMD4(Int32($0.x), Int32($0.y), Int32($0.width), Int32($0.height)) }.sorted {
            ($0.x, $0.y, $0.z, $0.w) < ($1.x, $1.y, $1.z, $1.w)
        }
    }

    static func rect(_ box: SIMD4<Int32>) -> FaceRect {
        FaceRect(x: Float(box.x), y: Float(box.y), width: Float(box.z), height: Float(box.w))
    }

    /// Same count, and every reference box has a detection with IoU ≥ 0.9 (each used once).
    static func agrees(_ ours: [SIMD4<Int32>], _ reference: [SIMD4<Int32>]) -> Bool {
        guard ours.count == reference.count else { return false }
        var unused = ours
        for box in reference {
            guard
                let best = unused.indices.max(by: {
                    rect(unused[$0]).intersectionOverUnion(rect(box))
                        < rect(unused[$1]).intersectionOverUnion(rect(box))
                }), rect(unused[best]).intersectionOverUnion(rect(box)) >= 0.9
            else { return false }
            unused.remove(at: best)
        }
        return true
    }

    /// Every decoded frame of the fixture, by (clip, frame), decoded once with Omote's own JPEG path.
    static func withFrames(_ body: (String, Int, LumaImage) throws -> Void) throws {
        var seen = Set<String>()
        for reference in references where seen.insert("\(reference.clip)/\(reference.frame)").inserted {
            try LandmarkTestSupport.withFrame(clip: reference.clip, frame: reference.frame) { image in
                try body(reference.clip, reference.frame, image)
            }
        }
    }
}
