import Benchmark
import Foundation
import Omote

/// The decoded luma of a SampleFrames clip, kept in memory so a stage benchmark measures the stage alone.
final class DecodedClip {
    private let pixels: [[UInt8]]
    let width: Int
    let height: Int
    var count: Int { pixels.count }

    init(_ clip: String) throws {
        let source = try ReplaySource(clipDirectory: sampleFramesPath + "/" + clip)
        let decoder = try JPEGDecoder()
        var frame = try LumaFrame()
        var decoded: [[UInt8]] = []
        var size = (0, 0)
        for index in 0 ..< source.frameCount {
            try source.withJPEG(at: index) { jpeg in try decoder.decodeLuma(jpeg, into: &frame, source: clip) }
            decoded.append(frame.withImage { image in
                (0 ..< image.height).flatMap { y in UnsafeBufferPointer(start: image.pixels + y * image.rowStride, count: image.width) }
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
    var landmarks = FaceLandmarks()
    for f in 0 ..< clip.count {
        clip.withImage(f) { predictor.predict($0, in: rect, into: &landmarks) }
        all.append(landmarks)
        rect = predictor.trackingRect(for: landmarks)
    }
    return all
}

/// dlib's box for the man in single_face frame 0 (Tests/OmoteVisionTests/Fixtures/dlib-faces.tsv).
let singleFaceStart = FaceRect(dlibLeft: 214, top: 114, right: 393, bottom: 293)

func stageBenchmarks() {
    let one = Benchmark.Configuration(scalingFactor: .one)

    Benchmark("landmarks/predict-68-640x360", configuration: one) { benchmark in
        let clip = try DecodedClip("single_face")
        let predictor = try ShapePredictor(contentsOfFile: PipelineConfiguration.defaultLandmarkModel)
        let rects = landmarkTrack(clip, predictor: predictor, start: singleFaceStart).map(predictor.trackingRect(for:))
        var landmarks = FaceLandmarks()
        benchmark.startMeasurement()
        for i in benchmark.scaledIterations {
            let f = i % clip.count
            clip.withImage(f) { predictor.predict($0, in: rects[f], into: &landmarks) }
            blackHole(landmarks.points[30])
        }
    }

    Benchmark("landmarks/load-model", configuration: .init(maxIterations: 5)) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try ShapePredictor(contentsOfFile: PipelineConfiguration.defaultLandmarkModel))
        }
    }

    for gaze in [false, true] {
        Benchmark(gaze ? "solve/pose-weights-gaze" : "solve/pose-weights", configuration: one) { benchmark in
            let clip = try DecodedClip("single_face")
            let predictor = try ShapePredictor(contentsOfFile: PipelineConfiguration.defaultLandmarkModel)
            let track = landmarkTrack(clip, predictor: predictor, start: singleFaceStart)
            var configuration = FaceSolverConfiguration()
            configuration.estimateGaze = gaze
            let solver = FaceSolver(configuration: configuration)
            var output = FaceSolverOutput()
            var time: UInt64 = 0
            clip.withImage(0) { solver.solve(landmarks: track[0], image: $0, timestampNanoseconds: 0, into: &output) }
            benchmark.startMeasurement()
            for i in benchmark.scaledIterations {
                let f = i % clip.count
                time += 33_333_333
                clip.withImage(f) {
                    solver.solve(landmarks: track[f], image: $0, timestampNanoseconds: time, into: &output)
                }
                blackHole(output.weights)
            }
        }
    }

    Benchmark("draw/avatar-96x96-halfblocks", configuration: one) { benchmark in
        let model = RigModel.defaultAvatar()
        var state = RigState(model: model)
        state.apply(weights: BlendshapeWeights(), headPose: HeadPose())
        let painter = AvatarPainter(model: model)
        let rasterizer = SoftwareRasterizer(width: 96, height: 96)
        var canvas = TerminalCanvas()
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            painter.paint(state, into: rasterizer)
            canvas.begin()
            canvas.drawPicture(rasterizer.color, width: rasterizer.width, height: rasterizer.height, row: 0, column: 0)
            canvas.end()
            blackHole(canvas.bytes.count)
        }
    }

    // Baseline for the malloc check: what the harness itself counts around an empty loop.
    Benchmark("pipeline/baseline-empty-loop", configuration: one) { benchmark in
        benchmark.startMeasurement()
        for i in benchmark.scaledIterations { blackHole(i) }
    }

    // Detect/track → landmarks → solve → rig on decoded frames, warmed up: the steady state must not allocate.
    Benchmark("pipeline/steady-state-tracking", configuration: one) { benchmark in
        let clip = try DecodedClip("single_face")
        let pipeline = try FacePipeline.load(PipelineConfiguration()) { _ in }
        var rig = pipeline.rigModel.map { RigState(model: $0) }
        var model = LiveViewModel()
        func step(_ index: Int) {
            clip.withImage(index % clip.count) { image in
                pipeline.process(image, timestampNanoseconds: UInt64(index) * 33_333_333, into: &model, rig: &rig)
            }
        }
        for index in 0 ..< clip.count { step(index) }
        benchmark.startMeasurement()
        for i in benchmark.scaledIterations { step(clip.count + i) }
        blackHole(model.weights)
    }

    // The whole frame from JPEG bytes: decode (libjpeg-turbo) → … → rig deformed.
    Benchmark("pipeline/end-to-end-mjpeg-640x360", configuration: one) { benchmark in
        let source = try ReplaySource(clipDirectory: sampleFramesPath + "/single_face")
        let decoder = try JPEGDecoder()
        var frame = try LumaFrame()
        let pipeline = try FacePipeline.load(PipelineConfiguration()) { _ in }
        var rig = pipeline.rigModel.map { RigState(model: $0) }
        var model = LiveViewModel()
        func step(_ index: Int) throws {
            try source.withJPEG(at: index % source.frameCount) { jpeg in
                try decoder.decodeLuma(jpeg, into: &frame, source: "bench")
            }
            frame.timestampNanoseconds = UInt64(index) * 33_333_333
            pipeline.process(frame, delivery: FrameDelivery(decodeNanoseconds: 0, droppedSincePrevious: 0), into: &model, rig: &rig)
        }
        for index in 0 ..< source.frameCount { try step(index) }
        benchmark.startMeasurement()
        for i in benchmark.scaledIterations { try step(source.frameCount + i) }
        blackHole(model.weights)
    }
}
