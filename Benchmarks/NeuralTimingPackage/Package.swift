// swift-tools-version: 6.1
// Omote's side of Benchmarks/compare-neural.sh: the neural engine timed on the same input tensors as
// Tools/reference/tflite/time-xnnpack.sh, in the same TSV. Its own package so the benchmark plugin does not run it.
import PackageDescription

let package = Package(
    name: "NeuralTiming",
    dependencies: [.package(name: "Omote", path: "../..")],
    targets: [
        .executableTarget(
            name: "NeuralTiming",
            dependencies: [.product(name: "OmoteNeural", package: "Omote")],
            path: "NeuralTiming"
        )
    ]
)
