// swift-tools-version: 6.1
// Omote's benchmarks: per-stage wall time, instructions and mallocs (ordo-one/benchmark; run: cd Benchmarks &&
// swift package benchmark) and NeuralTiming (Omote's side of compare-neural.sh). Kept in their own package so the
// main package and its tests build without the benchmark toolchain. See README "Performance".
import PackageDescription

let package = Package(
    name: "OmoteBenchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        // Named so the product reference works whatever the checkout folder is called.
        .package(name: "Omote", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.0", traits: ["MallocInterposer"]),
    ],
    targets: [
        // Only to make a 1280×720 MJPEG test frame (tjCompress2) for the decode benchmark.
        .systemLibrary(name: "CBenchTurboJPEG", path: "Sources/CBenchTurboJPEG", pkgConfig: "libturbojpeg"),
        .executableTarget(
            name: "OmoteBenchmarks",
            dependencies: [
                .product(name: "Omote", package: "Omote"),
                .product(name: "OmoteNeural", package: "Omote"),
                .product(name: "Benchmark", package: "benchmark"),
                "CBenchTurboJPEG",
            ],
            path: "Benchmarks/OmoteBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // Omote's side of Benchmarks/compare-neural.sh: the neural engine on the same input tensors as
        // Tools/reference/tflite/time-xnnpack.sh, in the same TSV. Its folder is not under Benchmarks/, so the
        // benchmark plugin (which runs the executables it finds there) leaves it alone.
        .executableTarget(
            name: "NeuralTiming",
            dependencies: [.product(name: "Omote", package: "Omote"), .product(name: "OmoteNeural", package: "Omote")],
            path: "Sources/NeuralTiming"
        ),
        // AvatarRenderer's frame time at 960×720 on the synthetic VRoid-size avatar and the built-in one.
        .executableTarget(
            name: "RenderTiming",
            dependencies: [.product(name: "Omote", package: "Omote")],
            path: "Sources/RenderTiming"
        ),
    ]
)
