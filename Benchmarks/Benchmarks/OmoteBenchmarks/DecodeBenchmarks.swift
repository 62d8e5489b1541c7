import Benchmark
import Omote

/// MJPEG → luma with libjpeg-turbo on the 640×360 SampleFrames (the floor of an MJPEG camera pipeline).
func decodeBenchmarks() {
    Benchmark("decode/mjpeg-640x360-luma", configuration: .init(scalingFactor: .one)) { benchmark in
        let source = try ReplaySource(clipDirectory: sampleFramesPath + "/single_face")
        let decoder = try JPEGDecoder()
        var frame = try LumaFrame()
        benchmark.startMeasurement()
        for iteration in benchmark.scaledIterations {
            try source.withJPEG(at: iteration % source.frameCount) { jpeg in
                try decoder.decodeLuma(jpeg, into: &frame, source: "bench")
            }
        }
    }
}
