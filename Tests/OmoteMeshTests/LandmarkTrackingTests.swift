import CMallocCounter
import Foundation
import OmoteCapture
import OmoteCore
import OmoteMesh
import OmoteNeural
import OmoteTestSupport
import Testing

/// Detection → region → 256×256 warp → landmark network → landmarks in the frame, then tracking from our own
/// landmarks, on single_face; compared with MediaPipe's landmarks (Fixtures/mediapipe). MediaPipe's VIDEO-mode output
/// is smoothed across frames (its LandmarksSmoothingCalculator, not implemented here), so frame 0 (where the filter
/// starts from the raw value) is the strict comparison. A release build tracks all 72 frames; a debug build, where
/// the landmark network costs seconds, frames 0–5.
@Suite struct LandmarkTrackingTests {
    #if DEBUG
    static let trackedFrames = 6
    #else
    static let trackedFrames = 72
    #endif

    static func network(_ member: String) throws -> NeuralNetwork {
        try ModelArchive.network(named: member, archivePath: FaceLandmarkerNetworks.defaultPath())
    }

    /// Mean and largest distance in pixels of a 640×360 frame between two landmark sets (x, y).
    static func pixelErrors(_ a: borrowing MeshLandmarks, _ b: borrowing MeshLandmarks) -> (mean: Float, largest: Float)
    {
        var sum: Float = 0
        var largest: Float = 0
        for index in 0 ..< MeshLandmarks.count {
            let d = SIMD2(a[index].x - b[index].x, a[index].y - b[index].y) * SIMD2(640, 360)
            let distance = (d * d).sum().squareRoot()
            sum += distance
            largest = max(largest, distance)
        }
        return (sum / Float(MeshLandmarks.count), largest)
    }

    final class Frames {
        let decoder = try! JPEGDecoder()
        var frame = try! VideoFrame()

        func withImage<R>(clip: String, index: Int, _ body: (RGBImage) throws -> R) throws -> R {
            let path = TestPaths.sampleFrames + "/\(clip)/" + String(format: "%04d.jpg", index)
            let jpeg = try Data(contentsOf: URL(fileURLWithPath: path))
            try jpeg.withUnsafeBytes { bytes in
                try decoder.decode(bytes, into: &frame, source: path)
            }
            return try frame.withRGBImage { image in try body(image) }
        }
    }

    @Test("landmarks from the detection on frame 0, then tracked and smoothed, match MediaPipe's (≤ 0.1 px mean)")
    func landmarksMatchMediaPipe() throws {
        let fixture = try MediaPipeFixture()
        let detector = try BlazeFaceDetector(network: try Self.network(FaceLandmarkerNetworks.detectorMember))
        let landmarker = try FaceLandmarker(network: try Self.network(FaceLandmarkerNetworks.landmarksMember))
        let frames = Frames()
        let smoother = try LandmarkSmoother()
        var landmarks = try MeshLandmarks()
        var smoothed = try MeshLandmarks()
        var region: FaceRegion?
        var report: [String] = []
        var meanSum: Float = 0
        for index in 0 ..< Self.trackedFrames {
            let reference = try #require(fixture.frames.first { $0.clip == "single_face" && $0.index == index })
            let presence = try frames.withImage(clip: "single_face", index: index) { image in
                if region == nil {
                    let detection = try #require(try detector.detect(image).first)
                    region = FaceRegion(detection: detection, frameWidth: image.width, frameHeight: image.height)
                }
                return landmarker.locate(region!, in: image, into: &landmarks)
            }
            #expect(presence >= 0.5, "frame \(index): presence \(presence)")
            // MediaPipe reports smoothed landmarks but takes the next region from the raw ones.
            try landmarks.copy(into: &smoothed)
            smoother.smooth(
                &smoothed, timestampMicroseconds: reference.timestampMicroseconds, frameWidth: 640,
                frameHeight: 360)
            let errors = Self.pixelErrors(smoothed, reference.landmarks)
            meanSum += errors.mean
            report.append(String(format: "%d: %.3f/%.2f", index, errors.mean, errors.largest))
            if index == 0 {
                // The filter passes the first frame through: this is the network step alone.
                #expect(errors.mean <= 0.05, "frame 0: mean \(errors.mean) px")
                var zLargest: Float = 0
                for point in 0 ..< MeshLandmarks.count {
                    zLargest = max(zLargest, abs(smoothed[point].z - reference.landmarks[point].z) * 640)
                }
                report.append(String(format: "(frame 0 z ≤ %.3f px)", zLargest))
            }
            #expect(errors.mean <= 0.1, "frame \(index): mean \(errors.mean) px")
            #expect(errors.largest <= 0.5, "frame \(index): largest \(errors.largest) px")
            region = FaceRegion(landmarks: landmarks, frameWidth: 640, frameHeight: 360)
        }
        print(
            "landmarks vs MediaPipe on single_face, frame: mean/largest px: " + report.joined(separator: ", ")
                + "; mean of means \(meanSum / Float(Self.trackedFrames)) px")
    }

    @Test("on the cartoon frames the detector fires on, presence rejects all but face_noface 163, as in MediaPipe")
    func cartoonsAreRejectedByPresence() throws {
        let detector = try BlazeFaceDetector(network: try Self.network(FaceLandmarkerNetworks.detectorMember))
        let landmarker = try FaceLandmarker(network: try Self.network(FaceLandmarkerNetworks.landmarksMember))
        let frames = Frames()
        var landmarks = try MeshLandmarks()
        var report: [String] = []
        for (clip, listed) in FaceDetectorFrameTests.detectorFiresOn {
            for index in listed.keys.sorted() {
                let presence = try frames.withImage(clip: clip, index: index) { image in
                    let detection = try #require(try detector.detect(image).first)
                    let region = FaceRegion(detection: detection, frameWidth: image.width, frameHeight: image.height)
                    return landmarker.locate(region, in: image, into: &landmarks)
                }
                report.append("\(clip) \(index): \(presence)")
                let mediaPipeKeeps = clip == "face_noface" && index == 163
                #expect((presence >= 0.5) == mediaPipeKeeps, "\(clip) \(index): presence \(presence)")
            }
        }
        print("cartoon presence: " + report.joined(separator: ", "))
    }

    @Test("a region's rotation follows the eyes: level eyes give 0, the right eye lower turns it positive")
    func regionRotation() {
        var detection = FaceDetection(box: SIMD4(0.4, 0.3, 0.6, 0.7))
        detection.keypointX[0] = 0.45
        detection.keypointY[0] = 0.4
        detection.keypointX[1] = 0.55
        detection.keypointY[1] = 0.4
        let level = FaceRegion(detection: detection, frameWidth: 640, frameHeight: 360)
        #expect(level.rotation == 0)
        // Box 128×144 px → square 144 px ×1.5 = 216 px.
        #expect(abs(level.size.x * 640 - 216) < 1e-3 && abs(level.size.y * 360 - 216) < 1e-3)
        #expect(level.centre == SIMD2(0.5, 0.5))
        detection.keypointY[1] = 0.4 + 64.0 / 360  // 64 px right and 64 px down: 45°.
        let tilted = FaceRegion(detection: detection, frameWidth: 640, frameHeight: 360)
        #expect(abs(tilted.rotation - .pi / 4) < 1e-5)
    }
}

/// The landmark step and the smoother allocate nothing per frame.
@Suite struct LandmarkSteadyStateTests {
    @Test("locating landmarks and smoothing them make zero heap allocations after the first frame")
    func noAllocationsPerFrame() throws {
        let landmarker = try FaceLandmarker(
            network: try LandmarkTrackingTests.network(
                FaceLandmarkerNetworks.landmarksMember))
        let smoother = try LandmarkSmoother()
        let frames = LandmarkTrackingTests.Frames()
        var landmarks = try MeshLandmarks()
        let region = FaceRegion(centre: SIMD2(0.47, 0.57), size: SIMD2(0.45, 0.8), rotation: 0.05)
        let allocations = try frames.withImage(clip: "single_face", index: 0) { image in
            landmarker.locate(region, in: image, into: &landmarks)
            smoother.smooth(&landmarks, timestampMicroseconds: 0, frameWidth: 640, frameHeight: 360)
            let before = omote_thread_allocation_count()
            landmarker.locate(region, in: image, into: &landmarks)
            smoother.smooth(&landmarks, timestampMicroseconds: 42_000, frameWidth: 640, frameHeight: 360)
            _ = FaceRegion(landmarks: landmarks, frameWidth: 640, frameHeight: 360)
            return omote_thread_allocation_count() - before
        }
        #expect(allocations == 0)
    }
}
