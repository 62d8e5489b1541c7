// Times each face landmarker network on Omote's engine, one thread, on the first fixture input of each network
// (Tests/OmoteNeuralTests/Fixtures/tflite, converted to float as its manifest says) — the tensors time-xnnpack.py
// feeds TFLite. Usage: NeuralTiming [runs=200] [warmup=20]. Prints load time, then network/case/runs/p50/min/mean µs
// and the convolution GFLOP/s at the p50 and at the minimum.
import Foundation
import OmoteMesh
import OmoteNeural

let root: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0 ..< 4 { url.deleteLastPathComponent() }
    return url.path
}()
let fixtures = root + "/Tests/OmoteNeuralTests/Fixtures/tflite"

func nanoseconds() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

/// The first input row of `network` in the manifest, as the float tensor the network gets.
func firstInput(_ network: String) throws -> (caseName: String, values: [Float]) {
    let manifest = try String(contentsOfFile: fixtures + "/manifest.tsv", encoding: .utf8)
    for line in manifest.split(separator: "\n").dropFirst() {
        let field = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        guard field[1] == network, field[2] == "in" else { continue }
        let data = try Data(contentsOf: URL(fileURLWithPath: fixtures + "/" + field[7]))
        if field[5] == "u8" {
            let scale: (UInt8) -> Float =
                field[8] == "float=(u-127.5)/127.5"
                ? { Float((Double($0) - 127.5) / 127.5) } : { Float(Double($0) / 255) }
            return (field[0], data.map(scale))
        }
        let values = data.withUnsafeBytes { raw in
            (0 ..< data.count / 4).map {
                Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self)))
            }
        }
        return (field[0], values)
    }
    fatalError("NeuralTiming: no input for \(network) in \(fixtures)/manifest.tsv")
}

let arguments = CommandLine.arguments
let runs = arguments.count > 1 ? Int(arguments[1]) ?? 200 : 200
let warmup = arguments.count > 2 ? Int(arguments[2]) ?? 20 : 20

var loadMicroseconds: [Double] = []
var networks: FaceLandmarkerNetworks!
for _ in 0 ..< 5 {
    let start = nanoseconds()
    networks = try FaceLandmarkerNetworks()
    loadMicroseconds.append(Double(nanoseconds() - start) / 1000)
}
print(
    "# load (map + plan, all three networks): min \(Int(loadMicroseconds.min()!)) µs, "
        + "median \(Int(loadMicroseconds.sorted()[2])) µs over 5 loads")
for (name, network) in [
    ("face_detector", networks.detector), ("face_landmarks_detector", networks.landmarks),
    ("face_blendshapes", networks.blendshapes),
] {
    print(
        String(
            format: "# %@: %.1f MFLOP of convolutions, %.2f MB of activations read and written, %.2f MB of weights read"
                + " per inference",
            name, Double(network.convolutionFlops) / 1e6, Double(network.activationBytesMoved) / 1e6,
            Double(network.weightBytesRead) / 1e6))
}
print("network\tcase\truns\tp50_us\tmin_us\tmean_us\tconv_gflops_p50\tconv_gflops_min")
for (name, network) in [
    ("face_detector", networks.detector), ("face_landmarks_detector", networks.landmarks),
    ("face_blendshapes", networks.blendshapes),
] {
    let (caseName, values) = try firstInput(name)
    _ = network.input(0).update(from: values)
    for _ in 0 ..< warmup {
        network.run()
    }
    var samples: [Double] = []
    samples.reserveCapacity(runs)
    for _ in 0 ..< runs {
        let start = nanoseconds()
        network.run()
        samples.append(Double(nanoseconds() - start) / 1000)
    }
    samples.sort()
    let p50 = samples[samples.count / 2]
    let fastest = samples[0]
    let mean = samples.reduce(0, +) / Double(samples.count)
    let gflops = { (microseconds: Double) in Double(network.convolutionFlops) / microseconds / 1000 }
    print(
        String(
            format: "%@\t%@\t%d\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f", name, caseName, runs, p50, fastest, mean,
            gflops(p50), gflops(fastest)))
}

if ProcessInfo.processInfo.environment["OMOTE_NEURAL_PROFILE"] != nil {
    for (name, network) in [
        ("face_detector", networks.detector), ("face_landmarks_detector", networks.landmarks),
        ("face_blendshapes", networks.blendshapes),
    ] {
        print("# \(name): fastest time of each step over \(runs) runs, summed by kind")
        let perStep = ProcessInfo.processInfo.environment["OMOTE_NEURAL_PROFILE"] == "steps"
        let shown = Int(ProcessInfo.processInfo.environment["OMOTE_NEURAL_PROFILE_TOP"] ?? "") ?? (perStep ? 25 : 100)
        for entry in network.profile(runs: runs, perStep: perStep, clock: nanoseconds).prefix(shown) {
            let gflops = Double(entry.flops) / entry.microseconds / 1000
            let rate = entry.flops > 0 ? String(format: " %.1f GFLOP/s", gflops) : ""
            print(String(format: "#   %-40@ %3d steps %8.1f µs", entry.kind, entry.count, entry.microseconds) + rate)
        }
    }
}
