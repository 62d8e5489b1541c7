// Plain wall-clock timings with the release flags of Scripts/build-flags.sh (which the benchmark plugin cannot pass):
// Omote's half of the side-by-side peer comparison (Benchmarks/compare-peers.sh) — the same work, on the same decoded
// frames, that the reference programs time (dlib's shape predictor, OpenCV's detectMultiScale), printed in the same
// units — and per-stage solve and rig timings (`stages`). Timing lines only.
import Foundation
import Omote
import OmoteCore

let root: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0 ..< 4 { url.deleteLastPathComponent() }
    return url.path
}()

/// A decoded luma frame, tightly packed.
struct Frame {
    var pixels: [UInt8]
    var width: Int
    var height: Int

    func withImage<R>(_ body: (LumaImage) -> R) -> R {
        pixels.withUnsafeBufferPointer { buffer in
            body(LumaImage(pixels: buffer.baseAddress!, width: width, height: height, rowStride: width))
        }
    }

    /// Every pixel repeated factor × factor times (how the reference script makes its 1280×720 frames).
    func scaled(by factor: Int) -> Frame {
        guard factor > 1 else { return self }
        let w = width * factor
        let h = height * factor
        var out = [UInt8](repeating: 0, count: w * h)
        for y in 0 ..< h {
            for x in 0 ..< w { out[y * w + x] = pixels[(y / factor) * width + x / factor] }
        }
        return Frame(pixels: out, width: w, height: h)
    }
}

/// Every frame of a SampleFrames clip, decoded to luma with Omote's decoder (byte-identical to the references' input).
func decodeClip(_ clip: String) throws -> [Frame] {
    let source = try ReplaySource(clipDirectory: root + "/SampleFrames/" + clip)
    let decoder = try JPEGDecoder()
    var luma = try VideoFrame()
    var frames: [Frame] = []
    for index in 0 ..< source.frameCount {
        try source.withJPEG(at: index) { jpeg in try decoder.decode(jpeg, into: &luma, source: clip) }
        let pixels = luma.withImage { image in
            (0 ..< image.height).flatMap { y in
                UnsafeBufferPointer(start: image.pixels + y * image.rowStride, count: image.width)
            }
        }
        frames.append(Frame(pixels: pixels, width: luma.width, height: luma.height))
    }
    return frames
}

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = MonotonicClock.nanoseconds()
    try body()
    return Double(MonotonicClock.nanoseconds() - start) / 1e9
}

/// Mirrors `dlib-reference bench`: every face rectangle of the dlib fixture, `repeats` times after one warm-up pass.
func landmarks(fixture: String, repeats: Int) throws {
    var predictor: ShapePredictor!
    let loadSeconds = try seconds {
        predictor = try ShapePredictor(contentsOfFile: PipelineConfiguration.defaultLandmarkModel)
    }
    var clips: [String: [Frame]] = [:]
    var faces: [(clip: String, frame: Int, rect: FaceRect)] = []
    for line in try String(contentsOfFile: fixture, encoding: .utf8).split(separator: "\n").dropFirst() {
        let fields = line.split(separator: "\t")
        let clip = String(fields[0])
        if clips[clip] == nil { clips[clip] = try decodeClip(clip) }
        let v = fields[1 ... 5].map { Int($0)! }
        faces.append((clip, v[0], FaceRect(dlibLeft: v[1], top: v[2], right: v[3], bottom: v[4])))
    }
    var result = try FaceLandmarks()
    var checksum: Float = 0
    func pass() {
        for face in faces {
            clips[face.clip]![face.frame].withImage { predictor.predict($0, in: face.rect, into: &result) }
            checksum += result[30].x
        }
    }
    pass()
    let elapsed = seconds { for _ in 0 ..< repeats { pass() } }
    print(
        String(
            format: "omote ShapePredictor: %.1f us/face (%d faces x %d repeats, model load %.0f ms, checksum %.0f)",
            elapsed * 1e6 / Double(faces.count * repeats), faces.count, repeats, loadSeconds * 1e3, checksum))
}

/// Mirrors Tools/reference/opencv/opencv-speed.py: FaceDetector (scale factor 1.1, 3 neighbours, no size limits) on
/// every 6th frame of single_face and face_noface at 640×360 and 2×2-upscaled to 1280×720; one warm-up pass, then
/// the median over `repeats` of the per-frame mean. Prints "speed <cascade> <w>x<h> <median ms per frame>".
func detection(cascade name: String, repeats: Int) throws {
    let paths = [
        "lbp": "/usr/share/opencv4/lbpcascades/lbpcascade_frontalface_improved.xml",
        "haar": "/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml",
    ]
    guard let path = paths[name] else { throw usage() }
    let detector = try FaceDetector(cascade: try CascadeClassifier(contentsOfFile: path))
    var base: [Frame] = []
    for (clip, count) in [("single_face", 72), ("face_noface", 169)] {
        let frames = try decodeClip(clip)
        base += stride(from: 0, to: count, by: 6).map { frames[$0] }
    }
    for factor in [1, 2] {
        let images = base.map { $0.scaled(by: factor) }
        var faces: [FaceRect] = []
        for image in images { image.withImage { detector.findFaces(in: $0, within: nil, into: &faces) } }
        var perFrame: [Double] = []
        for _ in 0 ..< repeats {
            let elapsed = seconds {
                for image in images { image.withImage { detector.findFaces(in: $0, within: nil, into: &faces) } }
            }
            perFrame.append(elapsed * 1e3 / Double(images.count))
        }
        perFrame.sort()
        print(String(format: "speed %@ %dx%d %.3f", name, images[0].width, images[0].height, perFrame[repeats / 2]))
    }
}

/// Solve (pose + weights, with and without gaze) and rig deformation of the default avatar on single_face's
/// landmarks, per frame, with this build's flags: the benchmark plugin builds without `-march`, so this is where the
/// README's per-stage release-flag numbers come from (the stage benchmarks give the same work's instructions and
/// mallocs).
func stages(repeats: Int) throws {
    let predictor = try ShapePredictor(contentsOfFile: PipelineConfiguration.defaultLandmarkModel)
    let clip = try decodeClip("single_face")
    var rect = FaceRect(dlibLeft: 214, top: 114, right: 393, bottom: 293)
    var track: [FaceLandmarks] = []
    var landmarks = try FaceLandmarks()
    for frame in clip {
        frame.withImage { predictor.predict($0, in: rect, into: &landmarks) }
        track.append(landmarks)
        rect = predictor.trackingRect(for: landmarks)
    }
    let frames = clip.count
    for gaze in [false, true] {
        var configuration = FaceSolverConfiguration()
        configuration.estimateGaze = gaze
        let solver = try FaceSolver(configuration: configuration)
        var output = FaceSolverOutput()
        var time: UInt64 = 0
        func pass() {
            for f in 0 ..< frames {
                time += 33_333_333
                clip[f].withImage {
                    solver.solve(landmarks: track[f], image: $0, timestampNanoseconds: time, into: &output)
                }
            }
        }
        pass()
        let elapsed = seconds { for _ in 0 ..< repeats { pass() } }
        let label = gaze ? " + gaze" : ""
        print(String(format: "omote solve%@: %.1f us/frame", label, elapsed * 1e6 / Double(frames * repeats)))
    }
    let model = RigModel.defaultAvatar()
    let state = try RigState(model: model)
    let solver = try FaceSolver()
    var output = FaceSolverOutput()
    var weights: [(BlendshapeWeights, HeadPose)] = []
    for f in 0 ..< frames {
        let time = UInt64(f + 1) * 33_333_333
        clip[f].withImage { solver.solve(landmarks: track[f], image: $0, timestampNanoseconds: time, into: &output) }
        weights.append((output.weights, output.headPose))
    }
    let elapsed = seconds {
        for _ in 0 ..< repeats {
            for (w, pose) in weights { state.apply(weights: w, headPose: pose) }
        }
    }
    print(
        String(
            format: "omote rig deform (default avatar, %d vertices): %.1f us/frame", model.vertexCount,
            elapsed * 1e6 / Double(frames * repeats)))
}

struct UsageError: Error {}

func usage() -> UsageError {
    let text = "usage: PeerTiming landmarks [FIXTURE.tsv] [REPEATS] | detection lbp|haar [REPEATS] | stages [REPEATS]\n"
    FileHandle.standardError.write(Data(text.utf8))
    return UsageError()
}

let arguments = Array(CommandLine.arguments.dropFirst())
do {
    switch arguments.first {
    case "landmarks":
        let fixture = arguments.count > 1 ? arguments[1] : root + "/Tests/OmoteVisionTests/Fixtures/dlib-faces.tsv"
        try landmarks(fixture: fixture, repeats: arguments.count > 2 ? Int(arguments[2]) ?? 20 : 20)
    case "detection" where arguments.count > 1:
        try detection(cascade: arguments[1], repeats: max(1, arguments.count > 2 ? Int(arguments[2]) ?? 5 : 5))
    case "stages":
        try stages(repeats: max(1, arguments.count > 1 ? Int(arguments[1]) ?? 20 : 20))
    default:
        throw usage()
    }
} catch is UsageError {
    exit(2)
}
