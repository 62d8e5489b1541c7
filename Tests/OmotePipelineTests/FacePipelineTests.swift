import Foundation
import OmoteCapture
import OmoteCore
import OmotePipeline
import OmoteRig
import OmoteSolver
import OmoteView
import Testing

/// The whole per-frame path on the real models: replayed JPEG → luma → track → landmarks → solve → rig.
@Suite(.serialized) struct FacePipelineTests {
    static let sampleFrames: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0 ..< 3 { url.deleteLastPathComponent() }
        return url.path + "/SampleFrames"
    }()

    // Serialized suite: one test at a time uses the shared pipeline.
    nonisolated(unsafe) static let pipeline: FacePipeline? = try? FacePipeline.load(
        PipelineConfiguration(), progress: { _ in })

    struct ClipRun {
        var states: [TrackingState] = []
        var smile: [Float] = []
        var rigMoved: [Bool] = []
    }

    static func run(_ clip: String) throws -> ClipRun {
        let pipeline = try #require(Self.pipeline, "models missing: run Scripts/setup.sh")
        pipeline.reset()
        let source = try ReplaySource(clipDirectory: sampleFrames + "/" + clip)
        var frame = try VideoFrame()
        var model = LiveViewModel()
        var rig = try pipeline.rigModel.map(RigState.init(model:))
        var result = ClipRun()
        while let delivery = try source.next(into: &frame) {
            pipeline.process(frame, delivery: delivery, into: &model.frame, rig: &rig)
            result.states.append(model.frame.tracking)
            result.smile.append((model.frame.weights[.mouthSmileLeft] + model.frame.weights[.mouthSmileRight]) / 2)
            let rest = pipeline.rigModel!.positions
            result.rigMoved.append(zip(rig!.positions, rest).contains { simd_distance($0, $1) > 1e-4 })
        }
        return result
    }

    @Test("single_face: the face is tracked on every frame with one stable id, and the smile rises")
    func singleFace() throws {
        let run = try Self.run("single_face")
        #expect(run.states.count == 72)
        let ids = Set(run.states.compactMap { state -> Int? in if case let .tracking(id) = state { id } else { nil } })
        #expect(run.states.allSatisfy { if case .tracking = $0 { true } else { false } }, "\(run.states)")
        #expect(ids.count == 1)
        let start = run.smile[5 ..< 15].reduce(0, +) / 10
        let end = run.smile[62 ..< 72].reduce(0, +) / 10
        #expect(end > start + 0.2, "smile start \(start), end \(end)")
        #expect(run.rigMoved.suffix(10).allSatisfy { $0 }, "the avatar's mesh follows the expression")
    }

    @Test(
        "face_noface: tracked while the face is there (frames 0–71), lost within 3 frames of the cut, never on the cartoon"
    )
    func faceThenCartoon() throws {
        let run = try Self.run("face_noface")
        #expect(run.states.count == 169)
        func tracking(_ state: TrackingState) -> Bool { if case .tracking = state { true } else { false } }
        let firstTracked = run.states.firstIndex(where: tracking) ?? -1
        #expect(firstTracked == 0)
        #expect(run.states[0 ..< 72].allSatisfy(tracking), "\(run.states[0 ..< 72])")
        // The cut is at frame 72: at most frames 72–74 may still report the face; none after.
        #expect(!run.states[75...].contains(where: tracking), "\(run.states[72...])")
        let lastTracked = run.states.lastIndex(where: tracking) ?? -1
        print("face_noface: tracked frames 0…\(lastTracked); cut at 72")
    }

    @Test("no_face: no face is ever tracked")
    func noFace() throws {
        let run = try Self.run("no_face")
        #expect(run.states.allSatisfy { if case .tracking = $0 { false } else { true } })
    }
}

private func simd_distance(_ a: SIMD3<Float>, _ b: SIMD3<Float>) -> Float { ((a - b) * (a - b)).sum().squareRoot() }
