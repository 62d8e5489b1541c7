import Benchmark
import Foundation
import Omote
import OmoteCore

/// The decoded luma of a SampleFrames clip, kept in memory so a stage benchmark measures the stage alone.
final class DecodedClip {
    private let pixels: [[UInt8]]
    let width: Int
    let height: Int
    var count: Int { pixels.count }

    init(_ clip: String) throws {
        let source = try ReplaySource(clipDirectory: sampleFramesPath + "/" + clip)
        let decoder = try JPEGDecoder()
        var frame = try VideoFrame()
        var decoded: [[UInt8]] = []
        var size = (0, 0)
        for index in 0 ..< source.frameCount {
            try source.withJPEG(at: index) { jpeg in try decoder.decode(jpeg, into: &frame, source: clip) }
            decoded.append(
                frame.withImage { image in
                    (0 ..< image.height).flatMap { y in
                        UnsafeBufferPointer(start: image.pixels + y * image.rowStride, count: image.width)
                    }
                })
            size = (frame.width, frame.height)
        }
        pixels = decoded
        (width, height) = size
    }

    func withImage<R>(_ index: Int, _ body: (LumaImage) throws -> R) rethrows -> R {
        try pixels[index].withUnsafeBufferPointer { buffer in
            try body(LumaImage(pixels: buffer.baseAddress!, width: width, height: height, rowStride: width))
        }
    }
}

/// Landmarks along single_face, each frame fitted from the previous frame's tracking box (as the tracker does).
func landmarkTrack(_ clip: DecodedClip, predictor: ShapePredictor, start: FaceRect) -> [FaceLandmarks] {
    var rect = start
    var all: [FaceLandmarks] = []
    var landmarks = try! FaceLandmarks()  // one page of locked memory; a refusal is a broken machine
    for f in 0 ..< clip.count {
        clip.withImage(f) { predictor.predict($0, in: rect, into: &landmarks) }
        all.append(landmarks)
        rect = predictor.trackingRect(for: landmarks)
    }
    return all
}

/// dlib's box for the man in single_face frame 0 (Tests/OmoteVisionTests/Fixtures/dlib-faces.tsv).
let singleFaceStart = FaceRect(dlibLeft: 214, top: 114, right: 393, bottom: 293)

/// Inputs shared by every stage benchmark, made once (a benchmark's closure runs once per measured iteration).
/// The landmark model is loaded once and warmed, so its mapped pages are resident as in a running session.
struct StageInputs: @unchecked Sendable {
    let clip: DecodedClip
    let predictor: ShapePredictor
    let track: [FaceLandmarks]
    let rects: [FaceRect]

    static let shared: StageInputs = {
        let clip = try! DecodedClip("single_face")
        let predictor = try! ShapePredictor(contentsOfFile: PipelineConfiguration.defaultLandmarkModel)
        let track = landmarkTrack(clip, predictor: predictor, start: singleFaceStart)
        return StageInputs(
            clip: clip, predictor: predictor, track: track, rects: track.map(predictor.trackingRect(for:)))
    }()
}

/// A warmed pipeline on single_face (tracking), for the steady-state and end-to-end benchmarks.
final class WarmPipeline: @unchecked Sendable {
    let pipeline: FacePipeline
    var rig: RigState?
    var model = LiveViewModel()
    var frameIndex = 0

    init() {
        pipeline = try! FacePipeline.load(PipelineConfiguration()) { _ in }
        rig = pipeline.rigModel.map { try! RigState(model: $0) }
        let clip = StageInputs.shared.clip
        for _ in 0 ..< 2 { for _ in 0 ..< clip.count { step() } }
    }

    func step() {
        let clip = StageInputs.shared.clip
        clip.withImage(frameIndex % clip.count) { image in
            pipeline.process(
                image, timestampNanoseconds: UInt64(frameIndex) * 33_333_333, into: &model.frame, rig: &rig)
        }
        frameIndex += 1
    }
}

func stageBenchmarks() {
    // One frame per measured iteration (cycling through single_face), so mallocs are per frame and other threads'
    // occasional allocations during a long iteration do not blur the count.
    let perFrame = Benchmark.Configuration(scalingFactor: .one, maxDuration: .seconds(2), maxIterations: 1_000)

    nonisolated(unsafe) var landmarks = try! FaceLandmarks()
    nonisolated(unsafe) var predictFrame = 0
    Benchmark("landmarks/predict-68-640x360", configuration: perFrame) { benchmark in
        let inputs = StageInputs.shared
        let f = predictFrame % inputs.clip.count
        predictFrame += 1
        benchmark.startMeasurement()
        inputs.clip.withImage(f) { inputs.predictor.predict($0, in: inputs.rects[f], into: &landmarks) }
        blackHole(landmarks[30])
    }

    Benchmark("landmarks/load-model", configuration: .init(maxDuration: .seconds(3), maxIterations: 5)) { benchmark in
        blackHole(try ShapePredictor(contentsOfFile: PipelineConfiguration.defaultLandmarkModel))
    }

    for gaze in [false, true] {
        let solver = { () -> FaceSolver in
            var configuration = FaceSolverConfiguration()
            configuration.estimateGaze = gaze
            // Private memory far below any locked-memory limit; a refusal here is a broken machine, not a result.
            return try! FaceSolver(configuration: configuration)
        }()
        nonisolated(unsafe) var output = FaceSolverOutput()
        nonisolated(unsafe) var time: UInt64 = 0
        Benchmark(gaze ? "solve/pose-weights-gaze" : "solve/pose-weights", configuration: perFrame) { benchmark in
            let inputs = StageInputs.shared
            let f = Int(time / 33_333_333) % inputs.clip.count
            time += 33_333_333
            benchmark.startMeasurement()
            inputs.clip.withImage(f) {
                solver.solve(landmarks: inputs.track[f], image: $0, timestampNanoseconds: time, into: &output)
            }
            blackHole(output.weights)
        }
    }

    let painterModel = RigModel.defaultAvatar()
    let painterState = try! RigState(model: painterModel)
    painterState.apply(weights: BlendshapeWeights(), headPose: HeadPose())
    let painter = AvatarPainter(model: painterModel)
    let rasterizer = SoftwareRasterizer(width: 96, height: 96)
    nonisolated(unsafe) var canvas = TerminalCanvas()
    Benchmark("draw/avatar-96x96-halfblocks", configuration: .init(scalingFactor: .one)) { benchmark in
        painter.paint(painterState, into: rasterizer)
        canvas.begin()
        canvas.drawPicture(rasterizer.color, width: rasterizer.width, height: rasterizer.height, row: 0, column: 0)
        canvas.end()
        blackHole(canvas.bytes.count)
    }

    // Baseline for the malloc check: what the harness itself counts around an iteration that does nothing.
    Benchmark("pipeline/baseline-empty", configuration: perFrame) { benchmark in
        benchmark.startMeasurement()
        blackHole(benchmark)
    }

    // Detect/track → landmarks → solve → rig on decoded frames, warmed up: the steady state must not allocate
    // (mallocs per iteration = the empty baseline's).
    nonisolated(unsafe) var warm: WarmPipeline?
    Benchmark("pipeline/steady-state-tracking", configuration: perFrame) { benchmark in
        if warm == nil { warm = WarmPipeline() }
        benchmark.startMeasurement()
        warm!.step()
        blackHole(warm!.model.frame.weights)
    }

    // The whole frame from JPEG bytes: decode (libjpeg-turbo) → … → rig deformed.
    nonisolated(unsafe) var decodeSource: (ReplaySource, JPEGDecoder)?
    nonisolated(unsafe) var frame = try! VideoFrame()
    nonisolated(unsafe) var endToEndWarm: WarmPipeline?
    Benchmark("pipeline/end-to-end-mjpeg-640x360", configuration: perFrame) { benchmark in
        if decodeSource == nil {
            decodeSource = (try ReplaySource(clipDirectory: sampleFramesPath + "/single_face"), try JPEGDecoder())
            endToEndWarm = WarmPipeline()
        }
        let (source, decoder) = decodeSource!
        let warm = endToEndWarm!
        let index = warm.frameIndex % source.frameCount
        benchmark.startMeasurement()
        try source.withJPEG(at: index) { jpeg in try decoder.decode(jpeg, into: &frame, source: "bench") }
        frame.timestampNanoseconds = UInt64(warm.frameIndex) * 33_333_333
        warm.frameIndex += 1
        warm.pipeline.process(
            frame, delivery: FrameDelivery(decodeNanoseconds: 0, droppedSincePrevious: 0),
            into: &warm.model.frame, rig: &warm.rig)
        blackHole(warm.model.frame.weights)
    }
}
