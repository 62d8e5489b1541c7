import Benchmark
import OmoteMesh
import OmoteNeural

/// The three face landmarker networks on Omote's engine, one inference per iteration, single thread, on a fixed
/// synthetic input (the side-by-side comparison with TFLite + XNNPACK on fixture inputs is compare-neural.sh).
/// The plan runs in a preallocated arena, so mallocCountTotal should stay at 0.
func neuralBenchmarks() {
    for name in ["detector", "landmarks", "blendshapes"] {
        Benchmark("neural/\(name)", configuration: .init(scalingFactor: .one)) { benchmark in
            let networks = try FaceLandmarkerNetworks()
            let network =
                name == "detector"
                ? networks.detector
                : name == "landmarks" ? networks.landmarks : networks.blendshapes
            let input = network.input(0)
            for index in input.indices {
                input[index] = Float(index % 251) / 251
            }
            network.run()
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                network.run()
            }
            blackHole(network.output(0)[0])
        }
    }
}
