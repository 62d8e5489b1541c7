// swift-tools-version: 6.1
// Omote: webcam → face → 52 ARKit blendshapes → 3D rig, privately. Layers depend downward only:
// privacy → capture → vision → solver → rig → view → pipeline → CLI.
import PackageDescription

let package = Package(
    name: "Omote",
    products: [
        .library(name: "Omote", targets: ["Omote"]),
        .library(name: "OmoteNeural", targets: ["OmoteNeural"]),
        .executable(name: "omote", targets: ["OmoteCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // C shims: only what Swift cannot call directly (variadic calls, ioctl/flag macros, newer kernel structs).
        .systemLibrary(
            name: "CTurboJPEG",
            pkgConfig: "libturbojpeg",
            providers: [.apt(["libturbojpeg0-dev"])]
        ),
        .target(
            name: "CV4L2Shim",
            linkerSettings: [.linkedLibrary("v4l2")]
        ),
        .target(name: "CPrivacyShim"),

        // Layers.
        .target(name: "OmotePrivacy", dependencies: ["CPrivacyShim"]),
        .target(name: "OmoteCapture", dependencies: ["OmotePrivacy", "CTurboJPEG", "CV4L2Shim"]),
        .target(name: "OmoteVision", dependencies: ["OmoteCapture"], linkerSettings: [.linkedLibrary("m")]),
        .target(name: "OmoteSolver", dependencies: ["OmoteVision"], linkerSettings: [.linkedLibrary("m")]),
        .target(name: "OmoteRig", dependencies: ["OmoteSolver"], linkerSettings: [.linkedLibrary("m")]),
        .target(name: "OmoteView", dependencies: ["OmoteRig"], linkerSettings: [.linkedLibrary("m")]),
        .target(name: "OmotePipeline", dependencies: ["OmoteView", "OmoteRig", "OmoteSolver", "OmoteVision", "OmoteCapture", "OmotePrivacy"]),
        .target(name: "Omote", dependencies: ["OmotePipeline"]),
        .target(name: "OmoteNeural", linkerSettings: [.linkedLibrary("m")]),
        .executableTarget(
            name: "OmoteCLI",
            dependencies: ["Omote", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),

        .testTarget(name: "OmotePrivacyTests", dependencies: ["OmotePrivacy", "OmoteCLI"]),
        .testTarget(name: "OmoteCaptureTests", dependencies: ["OmoteCapture"], exclude: ["Fixtures"]),
        .testTarget(name: "OmoteVisionTests", dependencies: ["OmoteVision"], exclude: ["Fixtures"]),
        .testTarget(name: "OmoteSolverTests", dependencies: ["OmoteSolver"]),
        .testTarget(name: "OmoteRigTests", dependencies: ["OmoteRig"], exclude: ["Fixtures"]),
        .testTarget(name: "OmoteNeuralTests", dependencies: ["OmoteNeural", "CMallocCounter"], exclude: ["Fixtures"]),
        .testTarget(name: "OmoteViewTests", dependencies: ["OmoteView", "OmoteSolver"]),
        // Test-only allocation counter (interposes malloc in the test executable) for the steady-state check.
        .target(name: "CMallocCounter", path: "Tests/CMallocCounter"),
        .testTarget(name: "OmotePipelineTests", dependencies: ["OmotePipeline", "OmoteRig", "OmoteView", "OmoteCLI", "CMallocCounter"]),
    ]
)
