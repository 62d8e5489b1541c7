import Benchmark
import Foundation
import Omote

/// The mesh tracker's per-frame work as the pipeline runs it (`MeshFacePipeline.process`: region → warp → mesh
/// network → smoothing → blendshapes → geometry → rig), on single_face decoded to RGB once (loaded once, outside the
/// measurement). `mesh/tracked-frame` replays the clip with the face tracked from frame to frame; `mesh/acquire`
/// resets before every frame, so each one runs the detector first. mallocCountTotal should stay at 0.
final class MeshBenchmarkState {
    let pipeline: MeshFacePipeline
    var rig: RigState?
    var result = FaceFrameResult()
    let frames: [[UInt8]]
    let width: Int
    let height: Int
    var timestamp: UInt64 = 0
    var next = 0

    init() throws {
        pipeline = try MeshFacePipeline.load(PipelineConfiguration(), progress: { _ in })
        rig = try pipeline.rigModel.map(RigState.init(model:))
        let source = try ReplaySource(clipDirectory: sampleFramesPath + "/single_face")
        let decoder = try JPEGDecoder()
        var frame = try VideoFrame()
        var frames: [[UInt8]] = []
        for index in 0 ..< source.frameCount {
            try source.withJPEG(at: index) { try decoder.decode($0, into: &frame, source: "benchmark") }
            frames.append(
                frame.withRGBImage { Array(UnsafeBufferPointer(start: $0.pixels, count: $0.rowStride * $0.height)) })
        }
        self.frames = frames
        width = frame.width
        height = frame.height
    }

    func step(acquiring: Bool) {
        timestamp += 33_333_333
        if acquiring { pipeline.reset() }
        frames[next].withUnsafeBufferPointer { pixels in
            let image = RGBImage(pixels: pixels.baseAddress!, width: width, height: height)
            pipeline.process(image, timestampNanoseconds: timestamp, into: &result, rig: &rig)
        }
        next = (next + 1) % frames.count
    }
}

extension MeshBenchmarkState {
    static let unavailable = OmoteError(
        .meshModelUnreadable, operation: "load the mesh tracker for its benchmarks", subject: "",
        reason: "face_landmarker.task did not load", remedy: "Run Scripts/setup.sh.")
}

nonisolated(unsafe) let meshBenchmarkState: MeshBenchmarkState? = try? MeshBenchmarkState()

func meshBenchmarks() {
    for acquiring in [false, true] {
        // One frame per measured iteration, as the per-frame stage benchmarks: mallocs are per frame.
        let perFrame = Benchmark.Configuration(scalingFactor: .one, maxDuration: .seconds(20), maxIterations: 12)
        Benchmark(acquiring ? "mesh/acquire" : "mesh/tracked-frame", configuration: perFrame) { benchmark in
            guard let state = meshBenchmarkState else { throw MeshBenchmarkState.unavailable }
            benchmark.startMeasurement()
            state.step(acquiring: acquiring)
            blackHole(state.result.weights.values[0])
        }
    }
}
