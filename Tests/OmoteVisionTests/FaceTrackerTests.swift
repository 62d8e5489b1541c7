import OmoteCapture
import OmoteCore
import Testing

@testable import OmoteVision

/// A scripted world for the tracker: where the faces are in the current frame. The detector double reports them (as
/// a cascade would, inside the search region); the fitter double succeeds only on a box overlapping a real face and
/// puts the landmarks on that face, so tracking from landmarks follows a moving face as the real model does.
final class ScriptedScene: FaceFinding, LandmarkFitting {
    var faces: [FaceRect] = []
    var fullFrameSearches = 0
    var regionSearches = 0
    var fits = 0

    func findFaces(in image: LumaImage, within region: FaceRect?, into found: inout [FaceRect]) {
        found.removeAll(keepingCapacity: true)
        if let region {
            regionSearches += 1
            found += faces.filter { $0.intersectionOverUnion(region) > 0 && region.contains($0.center) }
        } else {
            fullFrameSearches += 1
            found += faces
        }
    }

    func fitLandmarks(_ image: LumaImage, in rect: FaceRect, into landmarks: inout FaceLandmarks) -> Float {
        fits += 1
        guard let face = faces.max(by: { $0.intersectionOverUnion(rect) < $1.intersectionOverUnion(rect) }),
            face.intersectionOverUnion(rect) > 0.4
        else {
            // Off any face: the model's landmarks follow the box and the quality says so.
            Self.place(&landmarks, in: rect)
            return 0.1
        }
        Self.place(&landmarks, in: face)
        return 0.9
    }

    func trackingRect(for landmarks: FaceLandmarks) -> FaceRect {
        let low = landmarks.points.reduce(SIMD2<Float>(repeating: .infinity)) { pointwiseMin($0, $1) }
        let high = landmarks.points.reduce(SIMD2<Float>(repeating: -.infinity)) { pointwiseMax($0, $1) }
        return FaceRect(x: low.x, y: low.y, width: high.x - low.x, height: high.y - low.y)
    }

    /// Landmarks spread over the box (corners included, so their bounding box is the box).
    static func place(_ landmarks: inout FaceLandmarks, in rect: FaceRect) {
        for i in 0 ..< FaceLandmarks.count {
            let u = Float(i % 9) / 8
            let v = Float(i / 9) / 7
            landmarks[i] = SIMD2(rect.x + u * rect.width, rect.y + v * rect.height)
        }
    }
}

extension FaceRect {
    func contains(_ point: SIMD2<Float>) -> Bool {
        point.x >= x && point.x <= x + width && point.y >= y && point.y <= y + height
    }

    func moved(by offset: SIMD2<Float>) -> FaceRect {
        FaceRect(x: x + offset.x, y: y + offset.y, width: width, height: height)
    }
}

@Suite("Face tracker (scripted detector and fitter)")
struct FaceTrackerTests {
    static let pixels = [UInt8](repeating: 0, count: 64)

    static func run<R>(_ body: (LumaImage) throws -> R) rethrows -> R {
        try pixels.withUnsafeBufferPointer { buffer in
            try body(LumaImage(pixels: buffer.baseAddress!, width: 640, height: 360, rowStride: 640))
        }
    }

    static let face = FaceRect(x: 200, y: 100, width: 150, height: 150)

    @Test("a steady, moving face: one full-frame detection, then landmarks only, with a periodic region re-detection")
    func detectorRunsOnlyWhenNeeded() throws {
        let scene = ScriptedScene()
        var configuration = FaceTracker.Configuration()
        configuration.redetectInterval = 30
        let tracker = try FaceTracker(finder: scene, fitter: scene, configuration: configuration)
        var ids = Set<Int>()
        Self.run { image in
            for frame in 0 ..< 90 {
                scene.faces = [Self.face.moved(by: SIMD2(Float(frame) * 2, 0))]
                let faces = tracker.update(with: image)
                #expect(faces.count == 1, "frame \(frame)")
                if let first = faces.first {
                    ids.insert(first.id)
                    #expect(first.rect.intersectionOverUnion(scene.faces[0]) > 0.9)
                    #expect(first.framesTracked == frame + 1)
                }
            }
        }
        #expect(ids.count == 1)
        #expect(scene.fullFrameSearches == 1)
        #expect(scene.regionSearches == 2, "frames 31 and 61 re-detect around the face")
    }

    @Test("a face that leaves is not reported on the next frame, and the full-frame search resumes within 4 frames")
    func lostFaceIsDroppedAndSearchResumes() throws {
        let scene = ScriptedScene()
        let tracker = try FaceTracker(finder: scene, fitter: scene)
        Self.run { image in
            scene.faces = [Self.face]
            for _ in 0 ..< 5 { #expect(tracker.update(with: image).count == 1) }
            scene.faces = []
            let searchesBefore = scene.fullFrameSearches
            var firstFullSearch: Int?
            for frame in 0 ..< 10 {
                #expect(tracker.update(with: image).isEmpty, "frame \(frame) after the face left")
                if firstFullSearch == nil, scene.fullFrameSearches > searchesBefore { firstFullSearch = frame }
            }
            #expect(firstFullSearch != nil && firstFullSearch! <= 4)
        }
    }

    @Test("one bad frame (a blink of occlusion) keeps the face's id; a face back after a long absence is a new id")
    func hysteresisKeepsIdentity() throws {
        let scene = ScriptedScene()
        let tracker = try FaceTracker(finder: scene, fitter: scene)
        Self.run { image in
            scene.faces = [Self.face]
            let id = tracker.update(with: image).first!.id
            scene.faces = []
            #expect(tracker.update(with: image).isEmpty)
            scene.faces = [Self.face]
            let back = tracker.update(with: image)
            #expect(back.first?.id == id)
            #expect(back.first?.framesTracked == 1)

            scene.faces = []
            for _ in 0 ..< 10 { _ = tracker.update(with: image) }
            scene.faces = [Self.face]
            let later = tracker.update(with: image)
            #expect(later.count == 1)
            #expect(later.first.map { $0.id != id } == true)
        }
    }

    @Test("a detection the fitter rejects (not a face) is never reported")
    func rejectedDetectionIsNotAFace() throws {
        final class FalseAlarm: FaceFinding {
            func findFaces(in image: LumaImage, within region: FaceRect?, into faces: inout [FaceRect]) {
                faces = [FaceRect(x: 10, y: 10, width: 80, height: 80)]
            }
        }
        let scene = ScriptedScene()
        let tracker = try FaceTracker(finder: FalseAlarm(), fitter: scene)
        Self.run { image in
            for _ in 0 ..< 5 { #expect(tracker.update(with: image).isEmpty) }
        }
    }

    @Test("the detection calibration maps cascade boxes before fitting")
    func calibrationIsApplied() throws {
        let calibration = BoxCalibration(sideScale: 1.2, centerOffset: SIMD2(0, 0.1))
        let box = FaceRect(x: 100, y: 100, width: 100, height: 100)
        let mapped = calibration.apply(to: box)
        #expect(abs(mapped.width - 120) < 1e-4)
        #expect(
            abs(mapped.center.x - (box.center.x + 0.5)) < 1e-4, "dlib's inclusive edges put the centre half a pixel on")
        #expect(abs(mapped.center.y - (box.center.y + 10 + 0.5)) < 1e-4)
        #expect(BoxCalibration.identity.apply(to: box).width == box.width)
    }

    @Test("two faces with maximumFaces 2: two stable ids; with the default of one, only the first is followed")
    func multipleFaces() throws {
        let scene = ScriptedScene()
        let second = FaceRect(x: 420, y: 120, width: 120, height: 120)
        var configuration = FaceTracker.Configuration()
        configuration.maximumFaces = 2
        let tracker = try FaceTracker(finder: scene, fitter: scene, configuration: configuration)
        let single = try FaceTracker(finder: scene, fitter: scene)
        Self.run { image in
            scene.faces = [Self.face, second]
            let first = tracker.update(with: image).map(\.id)
            #expect(first.count == 2 && Set(first).count == 2)
            for _ in 0 ..< 20 { #expect(tracker.update(with: image).map(\.id) == first) }
            #expect(single.update(with: image).count == 1)
        }
    }
}

@Suite("Face tracker keeps landmarks in private memory")
struct FaceTrackerPrivacyTests {
    @Test("followed faces, work buffers and spares are private; reset and a lost face wipe them")
    func landmarksPrivateAndWiped() throws {
        let scene = ScriptedScene()
        let tracker = try FaceTracker(finder: scene, fitter: scene)
        #expect(tracker.landmarksArePrivate)
        FaceTrackerTests.run { image in
            scene.faces = [FaceTrackerTests.face]
            for _ in 0 ..< 3 {
                let faces = tracker.update(with: image)
                #expect(faces.count == 1)
                #expect(faces.allSatisfy { $0.landmarks.isPrivate })
            }
            #expect(tracker.landmarksArePrivate)
            #expect(!tracker.landmarksAreWiped)
            tracker.reset()
            #expect(tracker.landmarksAreWiped, "reset forgets every face's landmarks")

            // A face that is lost for good: its landmarks go back to the spares, wiped.
            scene.faces = [FaceTrackerTests.face]
            #expect(tracker.update(with: image).count == 1)
            scene.faces = []
            for _ in 0 ..< 6 { _ = tracker.update(with: image) }
            #expect(tracker.landmarksAreWiped, "a lost face's landmarks are wiped")
            #expect(tracker.landmarksArePrivate)
            #expect(tracker.memoryError == nil)
        }
    }
}
