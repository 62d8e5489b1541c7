// Omote's half of the side-by-side peer comparison (Benchmarks/compare-peers.sh): the same work, on the same
// decoded frames, that the reference programs time, printed in the same units. Timing lines only.
import Foundation
import Omote
import OmoteCore

let root: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0 ..< 4 { url.deleteLastPathComponent() }
    return url.path
}()

func decodeClip(_ clip: String) throws -> (pixels: [[UInt8]], width: Int, height: Int) {
    let source = try ReplaySource(clipDirectory: root + "/SampleFrames/" + clip)
    let decoder = try JPEGDecoder()
    var frame = try LumaFrame()
    var all: [[UInt8]] = []
    for index in 0 ..< source.frameCount {
        try source.withJPEG(at: index) { jpeg in try decoder.decodeLuma(jpeg, into: &frame, source: clip) }
        all.append(frame.withImage { image in
            (0 ..< image.height).flatMap { y in UnsafeBufferPointer(start: image.pixels + y * image.rowStride, count: image.width) }
        })
    }
    return (all, frame.width, frame.height)
}

func withImage<R>(_ pixels: [UInt8], _ width: Int, _ height: Int, _ body: (LumaImage) -> R) -> R {
    pixels.withUnsafeBufferPointer { body(LumaImage(pixels: $0.baseAddress!, width: width, height: height, rowStride: width)) }
}

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = MonotonicClock.nanoseconds()
    try body()
    return Double(MonotonicClock.nanoseconds() - start) / 1e9
}

/// Mirrors `dlib-reference bench`: every face rectangle of the dlib fixture, `repeats` times after one warm-up pass.
func landmarks(fixture: String, repeats: Int) throws {
    var predictor: ShapePredictor!
    let loadSeconds = try seconds { predictor = try ShapePredictor(contentsOfFile: PipelineConfiguration.defaultLandmarkModel) }
    var images: [String: (pixels: [[UInt8]], width: Int, height: Int)] = [:]
    var faces: [(clip: String, frame: Int, rect: FaceRect)] = []
    for line in try String(contentsOfFile: fixture, encoding: .utf8).split(separator: "\n").dropFirst() {
        let fields = line.split(separator: "\t")
        let clip = String(fields[0])
        if images[clip] == nil { images[clip] = try decodeClip(clip) }
        let v = fields[1 ... 5].map { Int($0)! }
        faces.append((clip, v[0], FaceRect(dlibLeft: v[1], top: v[2], right: v[3], bottom: v[4])))
    }
    var result = FaceLandmarks()
    var checksum: Float = 0
    func pass() {
        for face in faces {
            let clip = images[face.clip]!
            withImage(clip.pixels[face.frame], clip.width, clip.height) { predictor.predict($0, in: face.rect, into: &result) }
            checksum += result[30].x
        }
    }
    pass()
    let elapsed = seconds { for _ in 0 ..< repeats { pass() } }
    print(String(format: "omote ShapePredictor: %.1f us/face (%d faces x %d repeats, model load %.0f ms, checksum %.0f)",
                 elapsed * 1e6 / Double(faces.count * repeats), faces.count, repeats, loadSeconds * 1e3, checksum))
}

/// Solve (pose + weights, with and without gaze) and rig deformation of the default avatar on single_face's landmarks,
/// per frame: the per-stage costs with this build's flags (the benchmark plugin cannot pass -march).
func stages(repeats: Int) throws {
    let predictor = try ShapePredictor(contentsOfFile: PipelineConfiguration.defaultLandmarkModel)
    let clip = try decodeClip("single_face")
    var rect = FaceRect(dlibLeft: 214, top: 114, right: 393, bottom: 293)
    var track: [FaceLandmarks] = []
    var landmarks = FaceLandmarks()
    for pixels in clip.pixels {
        withImage(pixels, clip.width, clip.height) { predictor.predict($0, in: rect, into: &landmarks) }
        track.append(landmarks)
        rect = predictor.trackingRect(for: landmarks)
    }
    let frames = clip.pixels.count
    for gaze in [false, true] {
        var configuration = FaceSolverConfiguration()
        configuration.estimateGaze = gaze
        let solver = FaceSolver(configuration: configuration)
        var output = FaceSolverOutput()
        var time: UInt64 = 0
        func pass() {
            for f in 0 ..< frames {
                time += 33_333_333
                withImage(clip.pixels[f], clip.width, clip.height) {
                    solver.solve(landmarks: track[f], image: $0, timestampNanoseconds: time, into: &output)
                }
            }
        }
        pass()
        let elapsed = seconds { for _ in 0 ..< repeats { pass() } }
        print(String(format: "omote solve%@: %.1f us/frame", gaze ? " + gaze" : "", elapsed * 1e6 / Double(frames * repeats)))
    }
    let model = RigModel.defaultAvatar()
    var state = RigState(model: model)
    let solver = FaceSolver()
    var output = FaceSolverOutput()
    var weights: [(BlendshapeWeights, HeadPose)] = []
    for f in 0 ..< frames {
        withImage(clip.pixels[f], clip.width, clip.height) {
            solver.solve(landmarks: track[f], image: $0, timestampNanoseconds: UInt64(f + 1) * 33_333_333, into: &output)
        }
        weights.append((output.weights, output.headPose))
    }
    let elapsed = seconds { for _ in 0 ..< repeats { for (w, pose) in weights { state.apply(weights: w, headPose: pose) } } }
    print(String(format: "omote rig deform (default avatar, %d vertices): %.1f us/frame", model.vertexCount,
                 elapsed * 1e6 / Double(frames * repeats)))
}

let arguments = CommandLine.arguments
switch arguments.dropFirst().first {
case "landmarks":
    try landmarks(fixture: arguments.count > 2 ? arguments[2] : root + "/Tests/OmoteVisionTests/Fixtures/dlib-faces.tsv",
                  repeats: arguments.count > 3 ? Int(arguments[3])! : 20)
case "stages":
    try stages(repeats: arguments.count > 2 ? Int(arguments[2])! : 20)
default:
    FileHandle.standardError.write(Data("usage: PeerTiming landmarks [FIXTURE.tsv] [REPEATS] | stages [REPEATS]\n".utf8))
    exit(2)
}
