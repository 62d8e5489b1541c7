import OmoteCore
import OmoteMesh
import Testing

/// The tracker on single_face with the lower face covered (`OccludedFrames`), all frames in order from a fresh
/// tracker, against MediaPipe's unoccluded run (Fixtures/mediapipe). A release build runs the 72 frames; a debug
/// build (seconds per network run) frames 0–2.
@Suite struct OcclusionTests {
    #if DEBUG
    static let frameCount = 3
    #else
    static let frameCount = 72
    #endif

    /// eyeBlink, eyeLookDown/In/Out/Up, left and right.
    static let eyeShapes = ARKitBlendshape.eyeBlinkLeft.rawValue ... ARKitBlendshape.eyeLookUpRight.rawValue

    @Test("with everything below the nose tip covered the face stays tracked and the eyes follow MediaPipe's run")
    func lowerFaceCovered() throws {
        let fixture = try MediaPipeFixture()
        let occluded = OccludedFrames()
        let tracker = try MeshTracker()
        var lost: [Int] = []
        var lowestLogit = Float.infinity
        var worstEye: Float = 0
        var worstEyeAt = ""
        var eyeErrorSum: Float = 0
        var worstIris: Float = 0
        var blinks: [[Float]] = [[], []]
        var referenceBlinks: [[Float]] = [[], []]
        // Iris centres (468 right, 473 left) x and y in pixels, per frame: ours and MediaPipe's.
        var irisTracks: [[Float]] = Array(repeating: [], count: 4)
        var referenceIrisTracks: [[Float]] = Array(repeating: [], count: 4)
        for index in 0 ..< Self.frameCount {
            let reference = try #require(fixture.frames.first { $0.clip == "single_face" && $0.index == index })
            let found = try occluded.withOccludedImage(index: index, reference: reference.landmarks) { image in
                try tracker.process(image, timestampMicroseconds: reference.timestampMicroseconds)
            }
            lowestLogit = min(lowestLogit, tracker.presenceLogit ?? -.infinity)
            guard found else {
                lost.append(index)
                continue
            }
            for shape in Self.eyeShapes {
                let error = abs(tracker.weights.values[shape] - reference.scores[shape + 1])
                eyeErrorSum += error
                if error > worstEye {
                    worstEye = error
                    worstEyeAt = "\(ARKitBlendshape.names[shape]) frame \(index)"
                }
            }
            for side in 0 ..< 2 {
                blinks[side].append(tracker.weights.values[ARKitBlendshape.eyeBlinkLeft.rawValue + side])
                referenceBlinks[side].append(reference.scores[ARKitBlendshape.eyeBlinkLeft.rawValue + side + 1])
            }
            for point in 468 ..< MeshLandmarks.count {
                let ours = tracker.landmarks[point]
                let theirs = reference.landmarks[point]
                let d = SIMD2(ours.x - theirs.x, ours.y - theirs.y) * SIMD2(640, 360)
                worstIris = max(worstIris, (d * d).sum().squareRoot())
            }
            for (slot, point) in [468, 473].enumerated() {
                irisTracks[2 * slot].append(tracker.landmarks[point].x * 640)
                irisTracks[2 * slot + 1].append(tracker.landmarks[point].y * 360)
                referenceIrisTracks[2 * slot].append(reference.landmarks[point].x * 640)
                referenceIrisTracks[2 * slot + 1].append(reference.landmarks[point].y * 360)
            }
        }
        let tracked = Self.frameCount - lost.count
        let correlations = (0 ..< 2).map { BlendshapeAgreementTests.correlation(blinks[$0], referenceBlinks[$0]) }
        let irisCorrelations = (0 ..< 4).map {
            BlendshapeAgreementTests.correlation(irisTracks[$0], referenceIrisTracks[$0])
        }
        let irisRanges = referenceIrisTracks.map { ($0.max() ?? 0) - ($0.min() ?? 0) }
        print(
            "lower face covered, \(Self.frameCount) frames: lost \(lost); lowest presence logit \(lowestLogit); "
                + "eye scores vs MediaPipe unoccluded: worst \(worstEye) (\(worstEyeAt)), mean "
                + "\(eyeErrorSum / Float(max(tracked, 1) * Self.eyeShapes.count)); eyeBlink correlation L/R "
                + "\(correlations); iris landmarks worst \(worstIris) px; iris centres (right x, y, left x, y) move "
                + "over \(irisRanges) px in MediaPipe's run, correlation with ours \(irisCorrelations)")
        #expect(lost.isEmpty)
        #expect(lowestLogit - tracker.minimumPresenceLogit >= FacePresenceGateTests.requiredMargin)
        // Bars from measurement (Docs/mesh.md): eye scores worst 0.154, mean 0.036; iris worst 2.1 px; correlations
        // blink 0.97–0.99, iris centres 0.96–0.998 (x moves only ~6 px, y ~13 px).
        #expect(worstEye <= 0.2)
        #expect(eyeErrorSum / Float(max(tracked, 1) * Self.eyeShapes.count) <= 0.06)
        #expect(worstIris <= 3)
        #if !DEBUG
        // The blink (frames 26–29) and the slower lid movements come through.
        #expect(correlations.allSatisfy { $0 >= 0.95 })
        #expect(irisCorrelations.allSatisfy { $0 >= 0.9 })
        #endif
    }

    @Test("with the face covered from just under the eyes down the face stays tracked, presence clear of the bar")
    func faceCoveredToTheEyes() throws {
        let fixture = try MediaPipeFixture()
        let occluded = OccludedFrames()
        occluded.reach = 0.8
        let tracker = try MeshTracker()
        var lost: [Int] = []
        var lowestLogit = Float.infinity
        for index in 0 ..< Self.frameCount {
            let reference = try #require(fixture.frames.first { $0.clip == "single_face" && $0.index == index })
            let found = try occluded.withOccludedImage(index: index, reference: reference.landmarks) { image in
                try tracker.process(image, timestampMicroseconds: reference.timestampMicroseconds)
            }
            lowestLogit = min(lowestLogit, tracker.presenceLogit ?? -.infinity)
            if !found {
                lost.append(index)
            }
        }
        print("face covered to the eyes, \(Self.frameCount) frames: lost \(lost); lowest presence logit \(lowestLogit)")
        #expect(lost.isEmpty)
        // Measured 11.48: the margin is smaller than with the nose uncovered, still 3 logits (20× the odds).
        #expect(lowestLogit - tracker.minimumPresenceLogit >= 3)
    }

    /// One pass of single_face with a hand (`OccludedFrames.handOffset`) crossing the face every `crossing` frames,
    /// from 0.9 face widths right of its centre to 0.9 left and back, through a fresh tracker.
    struct HandRun {
        var lost: [Int] = []
        var logits: [Float] = []
        /// Frames lost although the first look scored at least MediaPipe's bar (0) and the second look, if any, too.
        var lostAboveMediaPipesBar: [Int] = []
        /// Frames where MediaPipe's bar holds the face on our trajectory: a first look scoring at least 0.
        var aboveMediaPipesBar = 0
    }

    static func handRun(reach: Float, width: Float, crossing: Int, keepsOccludedFaces: Bool = true) throws -> HandRun {
        let fixture = try MediaPipeFixture()
        let occluded = OccludedFrames()
        occluded.reach = reach
        occluded.handWidth = width
        occluded.handOffset = { index in
            let cycle = Float(index % (2 * crossing)) / Float(crossing)
            return cycle <= 1 ? 0.9 - 1.8 * cycle : -0.9 + 1.8 * (cycle - 1)
        }
        let tracker = try MeshTracker()
        tracker.keepsOccludedFaces = keepsOccludedFaces
        var run = HandRun()
        for index in 0 ..< Self.frameCount {
            let reference = try #require(fixture.frames.first { $0.clip == "single_face" && $0.index == index })
            let found = try occluded.withOccludedImage(index: index, reference: reference.landmarks) { image in
                try tracker.process(image, timestampMicroseconds: reference.timestampMicroseconds)
            }
            let logit = tracker.presenceLogit ?? -.infinity
            run.logits.append((logit * 10).rounded() / 10)
            if logit >= MeshTracker.mediaPipePresenceLogit { run.aboveMediaPipesBar += 1 }
            if !found {
                run.lost.append(index)
                if logit >= MeshTracker.mediaPipePresenceLogit,
                    (tracker.secondLookPresenceLogit ?? 0) >= MeshTracker.mediaPipePresenceLogit
                {
                    run.lostAboveMediaPipesBar.append(index)
                }
            }
        }
        return run
    }

    @Test(
        "a hand moving across the nose and mouth, slowly or fast, the mouth or up to the eyes: tracked on every frame",
        arguments: [(Float(0.3), Float(0.7), 35), (0.8, 1.0, 35), (0.8, 1.0, 10)])
    func handOverNoseAndMouth(reach: Float, width: Float, crossing: Int) throws {
        let run = try Self.handRun(reach: reach, width: width, crossing: crossing)
        print(
            "hand over nose and mouth (reach \(reach), width \(width), crossing in \(crossing) frames), "
                + "\(Self.frameCount) frames: lost \(run.lost); lowest presence logit \(run.logits.min() ?? 0)")
        #expect(run.lost.isEmpty)
    }

    @Test(
        "a hand moving across the whole face, eyes included: lost only where MediaPipe's bar or the second look says so",
        arguments: [(Float(0.8), 20), (1.2, 12)])
    func handOverTheWholeFace(width: Float, crossing: Int) throws {
        let keeping = try Self.handRun(reach: 1.6, width: width, crossing: crossing)
        let strict = try Self.handRun(reach: 1.6, width: width, crossing: crossing, keepsOccludedFaces: false)
        print(
            "hand over the whole face (width \(width), crossing in \(crossing) frames), \(Self.frameCount) frames: "
                + "tracked \(Self.frameCount - keeping.lost.count) (MediaPipe's bar on the same looks: "
                + "\(keeping.aboveMediaPipesBar); one bar of 8 for finding and keeping: "
                + "\(Self.frameCount - strict.lost.count)); lost \(keeping.lost), of them above MediaPipe's bar on both "
                + "looks \(keeping.lostAboveMediaPipesBar); logits \(keeping.logits)")
        #expect(keeping.lostAboveMediaPipesBar.isEmpty, "lost while both looks cleared MediaPipe's bar")
        #if !DEBUG
        // The hand reaches the face's middle only after frame 2, where a debug build stops.
        #expect(keeping.lost.count < strict.lost.count, "keeping a face is easier than finding one")
        #expect(keeping.aboveMediaPipesBar - (Self.frameCount - keeping.lost.count) <= 2)
        #endif
    }
}
