import Foundation
import OmoteCapture
import OmoteCore
import Testing
@testable import OmoteVision

/// Timing for Tools/reference/opencv/compare-speed.sh: runs only when OMOTE_DETECTION_SPEED is set (it is slow and
/// load-sensitive), prints one line per cascade and size: "speed <cascade> <width>x<height> <median ms per frame>".
/// Frames: every 6th frame of single_face and face_noface at 640×360, and the same frames at 1280×720 made by
/// repeating every pixel 2×2 (the reference script builds them identically with numpy).
@Suite(.serialized) struct DetectionSpeedTests {
    static let enabled = ProcessInfo.processInfo.environment["OMOTE_DETECTION_SPEED"] != nil

    @Test(.enabled(if: enabled), arguments: ["lbp", "haar"])
    func timing(cascade name: String) throws {
        let detector = try DetectionTestSupport.detector(name)
        let repetitions = Int(ProcessInfo.processInfo.environment["OMOTE_DETECTION_SPEED"] ?? "") ?? 5
        let frames = try Self.frames()
        for upscale in [1, 2] {
            let images = frames.map { Self.scaled($0, by: upscale) }
            var faces: [FaceRect] = []
            var perFrame: [Double] = []
            // One warm-up pass grows every buffer; then median over repetitions of the per-frame mean.
            for image in images { image.withImage { detector.findFaces(in: $0, within: nil, into: &faces) } }
            for _ in 0 ..< repetitions {
                let start = DispatchTime.now().uptimeNanoseconds
                for image in images { image.withImage { detector.findFaces(in: $0, within: nil, into: &faces) } }
                let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
                perFrame.append(elapsed / Double(images.count))
            }
            perFrame.sort()
            let median = perFrame[perFrame.count / 2]
            print("speed \(name) \(images[0].width)x\(images[0].height) \(String(format: "%.3f", median))")
        }
    }

    struct Frame {
        var pixels: [UInt8]
        var width: Int, height: Int
        func withImage<R>(_ body: (LumaImage) -> R) -> R {
            pixels.withUnsafeBufferPointer { body(LumaImage(pixels: $0.baseAddress!, width: width, height: height, rowStride: width)) }
        }
    }

    static func frames() throws -> [Frame] {
        var frames: [Frame] = []
        for (clip, count) in [("single_face", 72), ("face_noface", 169)] {
            for frame in stride(from: 0, to: count, by: 6) {
                try LandmarkTestSupport.withFrame(clip: clip, frame: frame) { image in
                    var pixels = [UInt8](repeating: 0, count: image.width * image.height)
                    for y in 0 ..< image.height {
                        for x in 0 ..< image.width { pixels[y * image.width + x] = image[x, y] }
                    }
                    frames.append(Frame(pixels: pixels, width: image.width, height: image.height))
                }
            }
        }
        return frames
    }

    static func scaled(_ frame: Frame, by factor: Int) -> Frame {
        guard factor > 1 else { return frame }
        let w = frame.width * factor, h = frame.height * factor
        var pixels = [UInt8](repeating: 0, count: w * h)
        for y in 0 ..< h {
            for x in 0 ..< w { pixels[y * w + x] = frame.pixels[(y / factor) * frame.width + x / factor] }
        }
        return Frame(pixels: pixels, width: w, height: h)
    }
}
