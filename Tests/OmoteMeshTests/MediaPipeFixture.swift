import Foundation
import OmoteMesh
import OmoteTestSupport

/// MediaPipe 0.10.21's own Face Landmarker results over SampleFrames (Fixtures/mediapipe, format in its README):
/// per frame the tracked flag, 52 blendshape scores (MediaPipe's names and order), the 4×4 facial transformation
/// matrix (row-major), and 478 normalised landmarks.
struct MediaPipeFixture {
    static let frameWidth = 640
    static let frameHeight = 360

    struct Frame {
        let clip: String
        let index: Int
        /// The stream time MediaPipe got: the manifest's µs floored to ms, in µs.
        let timestampMicroseconds: Int64
        let tracked: Bool
        /// MediaPipe's 52 scores, `_neutral` first.
        let scores: [Float]
        /// Row-major: `matrix[4 * r + c]`.
        let matrix: [Float]
        let points: [SIMD3<Float>]

        /// The points as the tracker's type, in fresh private memory (a refusal of one page is a broken test machine).
        var landmarks: MeshLandmarks {
            let landmarks = try! MeshLandmarks()
            for (index, point) in points.enumerated() { landmarks[index] = point }
            return landmarks
        }
    }

    static let directory = TestPaths.fixtures(of: "OmoteMeshTests") + "/mediapipe"

    /// The 52 score names from the header, MediaPipe's order.
    let scoreNames: [String]
    let frames: [Frame]

    init() throws {
        let lines = try FixtureFile.tabSeparated(Self.directory + "/frames.tsv")
        let header = lines[0].map(String.init)
        scoreNames = Array(header[4 ..< 56])
        var landmarkFiles: [String: [Float]] = [:]
        var frames: [Frame] = []
        for fields in lines.dropFirst() {
            let clip = String(fields[0])
            let index = Int(fields[1])!
            if landmarkFiles[clip] == nil {
                landmarkFiles[clip] = try FixtureFile.floats(Self.directory + "/\(clip).landmarks.f32")
            }
            let values = landmarkFiles[clip]!
            let base = index * MeshLandmarks.count * 3
            let points = (0 ..< MeshLandmarks.count).map { point in
                SIMD3(
                    values[base + 3 * point], values[base + 3 * point + 1],
                    values[base + 3 * point + 2])
            }
            frames.append(
                Frame(
                    clip: clip,
                    index: index,
                    timestampMicroseconds: Int64(fields[2])! / 1000 * 1000,
                    tracked: fields[3] == "1",
                    scores: fields[4 ..< 56].map { Float($0) ?? .nan },
                    matrix: fields[56 ..< 72].map { Float($0) ?? .nan },
                    points: points
                ))
        }
        self.frames = frames
    }

    var trackedFrames: [Frame] { frames.filter(\.tracked) }
}
