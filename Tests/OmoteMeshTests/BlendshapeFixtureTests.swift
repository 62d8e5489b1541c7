import CMallocCounter
import OmoteCore
import OmoteMesh
import OmoteNeural
import Testing

/// The blendshape step alone: MediaPipe's own landmarks (Fixtures/mediapipe) in, our engine's blendshape network
/// run as MediaPipe feeds it, compared with the 52 scores MediaPipe reported for the same frame. A release build runs
/// every tracked frame (145); a debug build, where one run of the network costs ~0.3 s of CPU, every 12th (13 frames).
@Suite struct BlendshapeFixtureTests {
    @Test("MediaPipe's names are ARKit's: _neutral, then the first 51 ARKit shapes in ARKit order")
    func scoreNamesAreARKitNames() throws {
        let fixture = try MediaPipeFixture()
        #expect(fixture.scoreNames.count == 52)
        #expect(fixture.scoreNames.first == "_neutral")
        for (index, name) in fixture.scoreNames.dropFirst().enumerated() {
            #expect(ARKitBlendshape(name: name)?.rawValue == index, "\(name) at \(index + 1)")
        }
    }

    @Test("blendshapes from MediaPipe's landmarks match MediaPipe's scores on its tracked frames (≤ 2e-5 each)")
    func blendshapesMatchMediaPipe() throws {
        let fixture = try MediaPipeFixture()
        let estimator = try BlendshapeEstimator(network: Self.blendshapeNetwork())
        #expect(fixture.trackedFrames.count == 145)
        #if DEBUG
        let frameStride = 12
        #else
        let frameStride = 1
        #endif
        let frames = stride(from: 0, to: fixture.trackedFrames.count, by: frameStride).map { fixture.trackedFrames[$0] }
        var largest = [Float](repeating: 0, count: 52)
        var sum = [Double](repeating: 0, count: 52)
        var framesWithin005 = 0
        var weights = BlendshapeWeights()
        for frame in frames {
            try estimator.estimate(
                frame.landmarks, frameWidth: MediaPipeFixture.frameWidth,
                frameHeight: MediaPipeFixture.frameHeight, into: &weights)
            var ours = [estimator.neutralScore]
            for shape in 0 ..< 51 {
                ours.append(weights.values[shape])
            }
            var frameWorst: Float = 0
            for index in 0 ..< 52 {
                let difference = abs(ours[index] - frame.scores[index])
                largest[index] = max(largest[index], difference)
                sum[index] += Double(difference)
                frameWorst = max(frameWorst, difference)
            }
            if frameWorst <= 0.05 {
                framesWithin005 += 1
            }
        }
        let means = sum.map { Float($0 / Double(frames.count)) }
        let worstShape = largest.indices.max { largest[$0] < largest[$1] }!
        print(
            "blendshapes vs MediaPipe over \(frames.count) tracked frames: largest |difference| "
                + "\(largest[worstShape]) (\(fixture.scoreNames[worstShape])), largest per-shape mean \(means.max()!), "
                + "frames within 0.05: \(framesWithin005)")
        for index in 0 ..< 52 {
            print("  \(fixture.scoreNames[index])\tmax \(largest[index])\tmean \(means[index])")
        }
        #expect(framesWithin005 == frames.count)
        for index in 0 ..< 52 {
            // Scores are stored with 5 decimals (±5e-6); two float32 engines add ~1e-6 (Fixtures/tflite README).
            #expect(largest[index] <= 2e-5, "\(fixture.scoreNames[index]) differs by \(largest[index])")
            #expect(means[index] <= 1e-5, "\(fixture.scoreNames[index]) mean difference \(means[index])")
        }
        #expect(weights.trackedMask == (1 << 51) - 1)
        #expect(!weights.isTracked(.tongueOut))
    }

    @Test("estimating blendshapes makes zero heap allocations after the first frame")
    func noAllocationsPerFrame() throws {
        let fixture = try MediaPipeFixture()
        let estimator = try BlendshapeEstimator(network: Self.blendshapeNetwork())
        let landmarks = fixture.trackedFrames[0].landmarks
        var weights = BlendshapeWeights()
        try estimator.estimate(landmarks, frameWidth: 640, frameHeight: 360, into: &weights)
        let before = omote_thread_allocation_count()
        for _ in 0 ..< 3 {
            try estimator.estimate(landmarks, frameWidth: 640, frameHeight: 360, into: &weights)
        }
        #expect(omote_thread_allocation_count() - before == 0)
    }

    @Test("a landmark list of the wrong size or an empty frame is refused with mesh.inputInvalid")
    func badInputIsRefused() throws {
        let estimator = try BlendshapeEstimator(network: Self.blendshapeNetwork())
        var weights = BlendshapeWeights()
        var short = try MeshLandmarks()
        short.removeLast()
        #expect(throws: OmoteError.self) {
            try estimator.estimate(short, frameWidth: 640, frameHeight: 360, into: &weights)
        }
        do {
            try estimator.estimate(MeshLandmarks(), frameWidth: 0, frameHeight: 360, into: &weights)
            Issue.record("a 0-pixel-wide frame was accepted")
        } catch {
            #expect(error.code == .meshInputInvalid)
        }
    }

    @Test("a network of the wrong shape is refused as a blendshape network")
    func wrongNetworkIsRefused() throws {
        let detector = try ModelArchive.network(
            named: FaceLandmarkerNetworks.detectorMember,
            archivePath: FaceLandmarkerNetworks.defaultPath())
        do {
            _ = try BlendshapeEstimator(network: detector)
            Issue.record("the detector was accepted as the blendshape network")
        } catch {
            #expect(error.code == .meshModelUnreadable)
        }
    }

    static func blendshapeNetwork() throws -> NeuralNetwork {
        try ModelArchive.network(
            named: FaceLandmarkerNetworks.blendshapesMember,
            archivePath: FaceLandmarkerNetworks.defaultPath())
    }
}
