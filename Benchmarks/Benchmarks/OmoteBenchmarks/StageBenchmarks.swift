import Benchmark
import Foundation
import Omote
import OmoteCore

func stageBenchmarks() {
    // One frame per measured iteration (cycling through single_face), so mallocs are per frame and other threads'
    // occasional allocations during a long iteration do not blur the count.
    let perFrame = Benchmark.Configuration(scalingFactor: .one, maxDuration: .seconds(2), maxIterations: 1_000)

    let painterModel = RigModel.defaultAvatar()
    let painterState = try! RigState(model: painterModel)
    painterState.apply(weights: BlendshapeWeights(), headPose: HeadPose())
    let painter = AvatarPainter(model: painterModel)
    let rasterizer = try! SoftwareRasterizer(width: 96, height: 96)
    // A box: the benchmark's escaping closure cannot capture the `~Copyable` canvas itself.
    final class CanvasBox { var canvas = try! TerminalCanvas() }
    let box = CanvasBox()
    Benchmark("draw/avatar-96x96-halfblocks", configuration: .init(scalingFactor: .one)) { benchmark in
        try! painter.paint(painterState, into: rasterizer)
        box.canvas.begin()
        box.canvas.drawPicture(
            rasterizer.color, width: rasterizer.width, height: rasterizer.height, row: 0, column: 0)
        box.canvas.end()
        blackHole(box.canvas.bytes.count)
    }

    // Baseline for the malloc check: what the harness itself counts around an iteration that does nothing.
    Benchmark("pipeline/baseline-empty", configuration: perFrame) { benchmark in
        benchmark.startMeasurement()
        blackHole(benchmark)
    }

    // The whole frame from JPEG bytes: decode (libjpeg-turbo, to RGB) → detect or track → mesh → blendshapes and
    // geometry → rig deformed, the face tracked from frame to frame.
    nonisolated(unsafe) var decodeSource: (ReplaySource, JPEGDecoder)?
    nonisolated(unsafe) var frame = try! VideoFrame()
    Benchmark("pipeline/end-to-end-mjpeg-640x360", configuration: perFrame) { benchmark in
        guard let state = meshBenchmarkState else { throw MeshBenchmarkState.unavailable }
        if decodeSource == nil {
            decodeSource = (try ReplaySource(clipDirectory: sampleFramesPath + "/single_face"), try JPEGDecoder())
        }
        let (source, decoder) = decodeSource!
        let index = state.next % source.frameCount
        state.next += 1
        state.timestamp += 33_333_333
        benchmark.startMeasurement()
        try source.withJPEG(at: index) { jpeg in try decoder.decode(jpeg, into: &frame, source: "bench") }
        frame.timestampNanoseconds = state.timestamp
        state.pipeline.process(
            frame, delivery: FrameDelivery(decodeNanoseconds: 0, droppedSincePrevious: 0), into: &state.result,
            rig: &state.rig)
        blackHole(state.result.weights)
    }
}
