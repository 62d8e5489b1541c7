import CMallocCounter
import Foundation
import OmoteCapture
import OmoteCore
import OmoteMesh
import OmotePipeline
import OmoteRig
import OmoteTestSupport
import OmoteView
import Testing

/// The mesh tracker as `omote live`/`replay` run it — replayed JPEG → RGB frame → `MeshFacePipeline` → rig — against
/// MediaPipe 0.10.21's own VIDEO-mode results (Fixtures/mediapipe): the weights and head pose the rig and the view get,
/// held to the bars (every score within 0.05 on ≥ 95 % of frames, mean ≤ 0.02 per shape, pose within 2°).
@Suite(.serialized) struct MeshPipelineTests {
    // Serialized suite: one test at a time uses the shared pipeline. MediaPipe's scores as they are: this suite
    // holds the regressor to MediaPipe's, so Omote's refinement (MeshRefinementPipelineTests) is switched off.
    nonisolated(unsafe) static let pipeline: MeshFacePipeline? = try? MeshFacePipeline.load(
        Self.rawConfiguration, progress: { _ in })

    static var rawConfiguration: PipelineConfiguration {
        var configuration = PipelineConfiguration()
        configuration.rawBlendshapes = true
        return configuration
    }

    struct ClipRun {
        var states: [TrackingState] = []
        var weights: [BlendshapeWeights] = []
        var poses: [HeadPose] = []
        var rigMoved: [Bool] = []
    }

    static func run(_ clip: String) throws -> ClipRun {
        let pipeline = try #require(Self.pipeline, "face_landmarker.task missing: run Scripts/setup.sh")
        pipeline.reset()
        let source = try ReplaySource(clipDirectory: TestPaths.sampleFrames + "/" + clip)
        var frame = try VideoFrame()
        var result = FaceFrameResult()
        var rig = try pipeline.rigModel.map(RigState.init(model:))
        var run = ClipRun()
        while let delivery = try source.next(into: &frame) {
            pipeline.process(frame, delivery: delivery, into: &result, rig: &rig)
            run.states.append(result.tracking)
            run.weights.append(result.weights)
            run.poses.append(result.headPose)
            let rest = pipeline.rigModel!.positions
            run.rigMoved.append(zip(rig!.positions, rest).contains { (($0 - $1) * ($0 - $1)).sum() > 1e-8 })
        }
        return run
    }

    static func tracking(_ state: TrackingState) -> Bool { if case .tracking = state { true } else { false } }

    @Test(
        "single_face through the pipeline: tracked on all 72 frames with one id, MediaPipe's weights (within 0.05 on ≥ 95 % of frames, mean ≤ 0.02 per shape) and head pose (≤ 2°), and the rig moves"
    )
    func singleFaceMatchesMediaPipe() throws {
        let fixture = try MediaPipeFixture()
        let run = try Self.run("single_face")
        #expect(run.states.count == 72)
        #expect(run.states.allSatisfy(Self.tracking), "\(run.states)")
        let ids = Set(run.states.compactMap { state -> Int? in if case let .tracking(id) = state { id } else { nil } })
        #expect(ids.count == 1)
        // MediaPipe's names, `_neutral` first, then ARKit's order: the weights are mapped by name, not by position.
        #expect(fixture.scoreNames.first == "_neutral")
        var framesWithin = 0
        var sums = [Float](repeating: 0, count: ARKitBlendshape.allCases.count)
        var worstAngle: Float = 0
        for (index, weights) in run.weights.enumerated() {
            let reference = try #require(fixture.frames.first { $0.clip == "single_face" && $0.index == index })
            var worst: Float = 0
            for (slot, name) in fixture.scoreNames.enumerated().dropFirst() {
                let shape = try #require(ARKitBlendshape(name: name), "\(name) is not an ARKit name")
                let difference = abs(weights[shape] - reference.scores[slot])
                sums[shape.rawValue] += difference
                worst = max(worst, difference)
            }
            if worst <= 0.05 { framesWithin += 1 }
            let expected = GeometryFixtureTests.reference(reference.matrix).rotation
            let pose = FacialTransformationMatrix(
                columns: (
                    SIMD4(expected.c0, 0), SIMD4(expected.c1, 0), SIMD4(expected.c2, 0), SIMD4(0, 0, -50, 1)
                )
            ).headPose
            worstAngle = max(worstAngle, GeometryFixtureTests.angleDegrees(run.poses[index].rotation, pose.rotation))
        }
        let means = sums.map { $0 / Float(run.weights.count) }
        let worstMean = means.max() ?? 0
        let ranked = ARKitBlendshape.allCases.sorted { means[$0.rawValue] > means[$1.rawValue] }.prefix(6)
        print(
            "per-shape mean |Omote − MediaPipe|, largest six: "
                + ranked.map { "\($0.name) \(means[$0.rawValue])" }.joined(separator: ", "))
        print(
            "mesh pipeline vs MediaPipe on single_face: \(framesWithin)/72 frames with every score within 0.05, "
                + "worst per-shape mean \(worstMean), head pose within \(worstAngle)°")
        #expect(framesWithin * 100 >= 95 * 72)
        #expect(worstMean <= 0.02)
        #expect(worstAngle <= 2)
        #expect(!run.weights.last!.isTracked(.tongueOut), "MediaPipe's network does not score tongueOut")
        #expect(run.rigMoved.suffix(10).allSatisfy { $0 }, "the avatar's mesh follows the expression")
    }

    @Test("face_noface and no_face through the pipeline: the face on frames 0–71, lost at the cut, none on cartoons")
    func facesOnlyWhereThereAreFaces() throws {
        let faceThenCartoon = try Self.run("face_noface")
        #expect(faceThenCartoon.states.count == 169)
        #expect(faceThenCartoon.states[0 ..< 72].allSatisfy(Self.tracking), "\(faceThenCartoon.states[0 ..< 72])")
        let afterCut = faceThenCartoon.states[72...].indices.filter { Self.tracking(faceThenCartoon.states[$0]) }
        #expect(afterCut.isEmpty, "tracked after the cut on frames \(afterCut)")
        #expect(faceThenCartoon.states.last == .lost)
        let cartoons = try Self.run("no_face")
        let tracked = cartoons.states.indices.filter { Self.tracking(cartoons.states[$0]) }
        #expect(tracked.isEmpty, "no_face tracked on frames \(tracked)")
        #expect(cartoons.states.allSatisfy { $0 == .searching })
    }

    @Test("tracking single_face: zero heap allocations per frame after warm-up (mesh tracker and rig)")
    func noAllocationsWhileTracking() throws {
        let pipeline = try #require(Self.pipeline, "face_landmarker.task missing: run Scripts/setup.sh")
        pipeline.reset()
        var rig = try pipeline.rigModel.map(RigState.init(model:))
        var result = FaceFrameResult()
        // Decoded once; the measured loop replays the RGB (libjpeg-turbo's own allocations are reported separately).
        let (decoded, width, height) = try MeshRefinementPipelineTests.decodedFrames()
        var timestamp: UInt64 = 0
        var frames = 0
        var detections = 0
        func run(passes: Int) {
            for _ in 0 ..< passes {
                for pixels in decoded {
                    timestamp += 33_333_333
                    pixels.withUnsafeBufferPointer { buffer in
                        let image = RGBImage(pixels: buffer.baseAddress!, width: width, height: height)
                        pipeline.process(image, timestampNanoseconds: timestamp, into: &result, rig: &rig)
                    }
                    frames += 1
                    if !pipeline.tracker.wasTracking { detections += 1 }
                }
            }
        }
        run(passes: 1)
        #expect(Self.tracking(result.tracking), "single_face is tracked after warm-up")
        frames = 0
        detections = 0
        let before = omote_thread_allocation_count()
        run(passes: 2)
        let allocations = omote_thread_allocation_count() - before
        #expect(allocations == 0, "\(allocations) allocations in \(frames) frames")
        print("mesh steady state: \(allocations) allocations in \(frames) frames (\(detections) needed the detector)")
    }
}
