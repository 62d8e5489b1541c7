import Foundation
import OmoteCapture
import OmoteCore
import Testing

@testable import OmoteVision

/// Detector + tracker + predictor on the real clips, against dlib's own detector-plus-predictor landmarks.
@Suite("Tracking on SampleFrames")
struct TrackingOnSampleFramesTests {
    static func frameCount(_ clip: String) throws -> Int {
        let manifest = try String(
            contentsOfFile: LandmarkTestSupport.sampleFrames + "/" + clip + "/manifest.tsv", encoding: .utf8)
        return manifest.split(separator: "\n").count - 1
    }

    /// Runs a clip through a fresh tracker; returns per frame the reported faces' landmarks and what the tracker did.
    static func track(_ clip: String, cascade: String) throws -> [(
        faces: [FaceTracker.TrackedFace], activity: FaceTracker.FrameActivity
    )] {
        var configuration = FaceTracker.Configuration()
        configuration.detectionCalibration = try #require(
            BoxCalibration.forCascade(atPath: DetectionTestSupport.cascadePaths[cascade]!))
        let tracker = try FaceTracker(
            finder: try DetectionTestSupport.detector(cascade), fitter: try LandmarkTestSupport.predictor(),
            configuration: configuration)
        var result: [(faces: [FaceTracker.TrackedFace], activity: FaceTracker.FrameActivity)] = []
        for frame in 0 ..< (try frameCount(clip)) {
            try LandmarkTestSupport.withFrame(clip: clip, frame: frame) { image in
                result.append((tracker.update(with: image), tracker.lastActivity))
            }
        }
        return result
    }

    /// Mean landmark distance over the outer eye-corner distance (points 36 and 45) of dlib's landmarks.
    static func error(_ ours: FaceLandmarks, _ dlib: LandmarkTestSupport.DlibFace) -> Float {
        let truth = dlib.points.map { SIMD2<Float>(Float($0.x), Float($0.y)) }
        var total: Float = 0
        for part in 0 ..< 68 {
            let gap = ours[part] - truth[part]
            total += (gap * gap).sum().squareRoot()
        }
        let across = truth[45] - truth[36]
        return total / 68 / (across * across).sum().squareRoot()
    }

    @Test(
        "single_face and face_noface: every dlib face is tracked, within 2 % of the eye-corner distance of dlib's landmarks",
        arguments: ["lbp", "haar"])
    func landmarksMatchDlibsPipeline(cascade: String) throws {
        var errors: [Float] = []
        for clip in ["single_face", "face_noface"] {
            let run = try Self.track(clip, cascade: cascade)
            for face in LandmarkTestSupport.faces where face.clip == clip {
                let reported = run[face.frame].faces
                #expect(reported.count == 1, "\(clip) frame \(face.frame): \(reported.count) faces")
                guard let ours = reported.first else { continue }
                errors.append(Self.error(ours.landmarks, face))
            }
            #expect(Set(run.flatMap { $0.faces.map(\.id) }).count == 1, "\(clip): one face id")
        }
        #expect(errors.count == 144)
        let mean = errors.reduce(0, +) / Float(max(errors.count, 1))
        #expect(errors.max() ?? 1 <= 0.02, "worst \(errors.max() ?? -1)")
        print(
            "\(cascade): landmark distance to dlib's detector+predictor, eye-corner units: mean \(mean), max \(errors.max() ?? -1)"
        )
    }

    @Test(
        "single_face: tracked on every frame; the full-frame detector ran only on the first",
        arguments: ["lbp", "haar"])
    func singleFaceTrackedEveryFrame(cascade: String) throws {
        let run = try Self.track("single_face", cascade: cascade)
        #expect(run.count == 72)
        #expect(run.allSatisfy { $0.faces.count == 1 })
        #expect(run.map(\.activity.fullFrameSearches).reduce(0, +) == 1)
        let regionSearches = run.map(\.activity.regionSearches).reduce(0, +)
        #expect(regionSearches <= 3, "only the periodic scale check: \(regionSearches)")
    }

    @Test("face_noface: lost within 3 frames of the cut to the cartoon (frame 72), never a face on the cartoon")
    func faceThenCartoon() throws {
        let run = try Self.track("face_noface", cascade: "lbp")
        #expect(run.count == 169)
        #expect(run[0 ..< 72].allSatisfy { $0.faces.count == 1 })
        #expect(run[75...].allSatisfy { $0.faces.isEmpty })
        let last = run.lastIndex { !$0.faces.isEmpty } ?? -1
        print("face_noface: last frame with a face \(last)")
    }

    @Test("no_face: zero faces on every frame", arguments: ["lbp", "haar"])
    func noFace(cascade: String) throws {
        let run = try Self.track("no_face", cascade: cascade)
        #expect(run.count == 95)
        #expect(run.allSatisfy { $0.faces.isEmpty })
    }
}

@Suite("Size-limited region search")
struct SizeLimitedSearchTests {
    @Test("around a face, a search limited to ±1.6× the face's side finds the same box as the full-frame search")
    func sameBoxAsFullSearch() throws {
        let detector = try DetectionTestSupport.detector("lbp")
        var full: [FaceRect] = []
        var limited: [FaceRect] = []
        var compared = 0
        for frame in stride(from: 0, to: 72, by: 6) {
            try LandmarkTestSupport.withFrame(clip: "single_face", frame: frame) { image in
                detector.findFaces(in: image, within: nil, into: &full)
                guard let face = full.first else { return }
                let margin = face.width / 2
                let region = FaceRect(
                    x: face.x - margin, y: face.y - margin, width: face.width * 2, height: face.height * 2)
                detector.findFaces(
                    in: image, within: region, sides: face.width / 1.6 ... face.width * 1.6, into: &limited)
                #expect(
                    limited.contains { $0.intersectionOverUnion(face) > 0.9 }, "frame \(frame): \(limited) vs \(face)")
                compared += 1
            }
        }
        #expect(compared == 12)
    }
}
