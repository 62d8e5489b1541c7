import Benchmark
import CBenchTurboJPEG
import Omote

/// Frame → RGB: MJPEG with libjpeg-turbo (the floor of an MJPEG camera pipeline), full size and DCT-scaled, and the
/// BT.601 conversion of uncompressed YUYV, at 640×360 (SampleFrames) and 1280×720 (a SampleFrames frame doubled and
/// re-encoded at quality 90 by libjpeg-turbo, 4:2:0, as a 720p webcam's MJPEG).
func decodeBenchmarks() {
    for scale in [1, 2] {
        let name = scale == 1 ? "decode/mjpeg-640x360-rgb" : "decode/mjpeg-640x360-rgb-half"
        Benchmark(name, configuration: .init(scalingFactor: .one)) { benchmark in
            let source = try ReplaySource(clipDirectory: sampleFramesPath + "/single_face")
            let decoder = try JPEGDecoder()
            var frame = try VideoFrame()
            benchmark.startMeasurement()
            for iteration in benchmark.scaledIterations {
                try source.withJPEG(at: iteration % source.frameCount) { jpeg in
                    try decoder.decode(jpeg, into: &frame, scaleDenominator: scale, source: "bench")
                }
            }
        }
    }
    for scale in [1, 2] {
        let name = scale == 1 ? "decode/mjpeg-1280x720-rgb" : "decode/mjpeg-1280x720-rgb-half"
        Benchmark(name, configuration: .init(scalingFactor: .one)) { benchmark in
            let jpeg = try makeJPEG720p()
            let decoder = try JPEGDecoder()
            var frame = try VideoFrame(capacity: 1280 * 720)
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                try jpeg.withUnsafeBytes {
                    try decoder.decode($0, into: &frame, scaleDenominator: scale, source: "bench")
                }
            }
        }
    }
    for (width, height) in [(640, 360), (1280, 720)] {
        Benchmark("decode/yuyv-\(width)x\(height)-rgb", configuration: .init(scalingFactor: .one)) { benchmark in
            let yuyv = try frameYUYV(width: width, height: height)
            var frame = try VideoFrame(capacity: width * height)
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                try yuyv.withUnsafeBytes {
                    try RawColour.convert(
                        $0, layout: .packed422(luma: 0, u: 1, v: 3), width: width, height: height,
                        bytesPerLine: 2 * width, into: &frame, source: "bench")
                }
            }
        }
    }
}

/// RGB of single_face frame 40, at 640×360 or pixel-doubled to 1280×720.
func frameRGB(width: Int, height: Int) throws -> [UInt8] {
    let source = try ReplaySource(clipDirectory: sampleFramesPath + "/single_face")
    let decoder = try JPEGDecoder()
    var frame = try VideoFrame()
    try source.withJPEG(at: 40) { try decoder.decode($0, into: &frame, source: "bench") }
    let factor = width / frame.width
    return frame.withRGBImage { image in
        var out = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0 ..< height {
            let row = image.pixels + (y / factor) * image.rowStride
            for x in 0 ..< width {
                for c in 0 ..< 3 { out[3 * (y * width + x) + c] = row[3 * (x / factor) + c] }
            }
        }
        return out
    }
}

/// `frameRGB` as a webcam's YUYV: BT.601 video range, each pair's chroma from its first pixel.
func frameYUYV(width: Int, height: Int) throws -> [UInt8] {
    let rgb = try frameRGB(width: width, height: height)
    var yuyv = [UInt8](repeating: 0, count: width * height * 2)
    for i in 0 ..< width * height {
        let (r, g, b) = (Int(rgb[3 * i]), Int(rgb[3 * i + 1]), Int(rgb[3 * i + 2]))
        yuyv[2 * i] = UInt8((66 * r + 129 * g + 25 * b + 128) >> 8 + 16)
        if i % 2 == 0 {
            yuyv[2 * i + 1] = UInt8((-38 * r - 74 * g + 112 * b + 128) >> 8 + 128)
            yuyv[2 * i + 3] = UInt8((112 * r - 94 * g - 18 * b + 128) >> 8 + 128)
        }
    }
    return yuyv
}

/// A 1280×720 baseline JPEG (4:2:0, quality 90) of a doubled SampleFrames frame.
func makeJPEG720p() throws -> [UInt8] {
    let width = 1280
    let height = 720
    let rgb = try frameRGB(width: width, height: height)
    guard let handle = tjInitCompress() else { fatalError("tjInitCompress failed") }
    defer { tjDestroy(handle) }
    var output: UnsafeMutablePointer<UInt8>?
    var size: UInt = 0
    let status = rgb.withUnsafeBufferPointer {
        tjCompress2(
            handle, $0.baseAddress, Int32(width), 0, Int32(height), Int32(TJPF_RGB.rawValue), &output, &size,
            Int32(TJSAMP_420.rawValue), 90, 0)
    }
    guard status == 0, let output else { fatalError("tjCompress2 failed") }
    defer { tjFree(output) }
    return Array(UnsafeBufferPointer(start: output, count: Int(size)))
}
