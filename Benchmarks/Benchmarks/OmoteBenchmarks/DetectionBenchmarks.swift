import Benchmark
import Omote
import OmoteCore

/// Face detection per frame with OpenCV's stock cascades (Debian opencv-data), single-threaded, on every 6th frame of
/// single_face at 640×360 and the same frames at 1280×720 (each pixel repeated 2×2, as compare-peers.sh does).
/// Steady state: the detector's buffers have grown on the first frame, so mallocCountTotal should stay at 0.
func detectionBenchmarks() {
    let cascades = [
        ("lbp", "/usr/share/opencv4/lbpcascades/lbpcascade_frontalface_improved.xml"),
        ("haar", "/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml"),
    ]
    for (name, path) in cascades {
        for upscale in [1, 2] {
            let label = upscale == 1 ? "640x360" : "1280x720"
            Benchmark("detect/\(name)-\(label)", configuration: .init(scalingFactor: .one)) { benchmark in
                let detector = try FaceDetector(cascade: try CascadeClassifier(contentsOfFile: path))
                let frames = try detectionFrames(upscale: upscale)
                var faces: [FaceRect] = []
                for frame in frames { frame.withImage { detector.findFaces(in: $0, within: nil, into: &faces) } }
                benchmark.startMeasurement()
                for iteration in benchmark.scaledIterations {
                    frames[iteration % frames.count].withImage { detector.findFaces(in: $0, within: nil, into: &faces) }
                }
                blackHole(faces)
            }
        }
    }
}

private struct DetectionFrame {
    var pixels: [UInt8]
    var width: Int, height: Int
    func withImage<R>(_ body: (LumaImage) -> R) -> R {
        pixels.withUnsafeBufferPointer {
            body(LumaImage(pixels: $0.baseAddress!, width: width, height: height, rowStride: width))
        }
    }
}

private func detectionFrames(upscale: Int) throws -> [DetectionFrame] {
    let source = try ReplaySource(clipDirectory: sampleFramesPath + "/single_face")
    let decoder = try JPEGDecoder()
    var luma = try VideoFrame()
    var frames: [DetectionFrame] = []
    for index in stride(from: 0, to: source.frameCount, by: 6) {
        try source.withJPEG(at: index) { jpeg in try decoder.decode(jpeg, into: &luma, source: "bench") }
        luma.withImage { image in
            let w = image.width * upscale
            let h = image.height * upscale
            var pixels = [UInt8](repeating: 0, count: w * h)
            for y in 0 ..< h {
                for x in 0 ..< w { pixels[y * w + x] = image[x / upscale, y / upscale] }
            }
            frames.append(DetectionFrame(pixels: pixels, width: w, height: h))
        }
    }
    return frames
}
