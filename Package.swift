// swift-tools-version: 6.1
// Omote: webcam → face → 52 ARKit blendshapes → 3D rig, privately.
// The house: capture → mesh (detector, mesh, blendshapes, geometry) on the neural engine → rig → view, the privacy
// guard around it. Layers share one vocabulary module, OmoteCore (images, ARKit weights, head pose, the per-frame
// result, one error shape, owned memory), as swift-nio's transports share NIOCore:
//   privacy, capture, neural, rig → Core;  mesh → Core + neural;  view → Core + rig;
//   pipeline wires them all;  CLI → pipeline.
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
        .package(url: "https://github.com/apple/swift-system", from: "1.4.0"),
    ],
    targets: [
        // C shims: only what Swift cannot call directly (variadic calls, ioctl/flag macros, newer kernel structs).
        // libjpeg-turbo through dlopen, not linked: only a process that decodes maps it (needs libturbojpeg0-dev's
        // header to build, libturbojpeg0 to run).
        .target(name: "CTurboJPEG", dependencies: ["CRuntimeLibrary"]),
        // libv4l2 likewise (it brings libjpeg.so.62): only a process that opens a camera maps it (libv4l-dev to build,
        // libv4l-0 to run).
        .target(name: "CV4L2Shim", dependencies: ["CRuntimeLibrary"]),
        // libpng likewise: only a process that loads an avatar with PNG textures maps it (libpng-dev to build,
        // libpng16-16 to run).
        .target(name: "CPNGShim", dependencies: ["CRuntimeLibrary"]),
        // libxcb likewise: only the process that opens the X11 window maps it (libxcb1-dev to build, libxcb1 to run).
        .target(name: "CXCBShim", dependencies: ["CRuntimeLibrary"]),
        // dlopen once, resolve a table of functions: shared by the shims above.
        .target(name: "CRuntimeLibrary"),
        .target(name: "CPrivacyShim"),
        // Test-only raw calls the guard self-test attempts after engaging (kept out of the production shim).
        .target(name: "CGuardSelfTest"),

        // The shared vocabulary.
        .target(
            name: "OmoteCore",
            dependencies: [.product(name: "SystemPackage", package: "swift-system")],
            linkerSettings: [.linkedLibrary("m")]
        ),

        // Layers.
        .target(
            name: "OmotePrivacy",
            dependencies: ["OmoteCore", "CPrivacyShim", .product(name: "SystemPackage", package: "swift-system")]
        ),
        .target(
            name: "OmoteCapture",
            dependencies: [
                "OmoteCore", "CTurboJPEG", "CV4L2Shim",
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        .target(name: "CTargetFeatures"),
        // Lane shuffles for the renderer's span loops (AVX when targeted, plain C otherwise).
        .target(name: "CVectorShuffles"),
        .target(
            name: "OmoteNeural", dependencies: ["OmoteCore", "CTargetFeatures"], linkerSettings: [.linkedLibrary("m")]),
        .target(name: "OmoteMesh", dependencies: ["OmoteCore", "OmoteNeural"]),
        .target(name: "OmoteRig", dependencies: ["OmoteCore", "CPNGShim", "CTurboJPEG"]),
        .target(
            name: "OmoteView",
            dependencies: [
                "OmoteCore", "OmoteRig", "CVectorShuffles", "CXCBShim",
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        .target(
            name: "OmotePipeline",
            dependencies: [
                "OmoteCore", "OmoteCapture", "OmoteMesh", "OmotePrivacy", "OmoteRig", "OmoteView",
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        // The umbrella re-exports every layer, so it names each one.
        .target(
            name: "Omote",
            dependencies: [
                "OmoteCore", "OmotePrivacy", "OmoteCapture", "OmoteNeural", "OmoteMesh", "OmoteRig", "OmoteView",
                "OmotePipeline",
            ]
        ),
        .executableTarget(
            name: "OmoteCLI",
            dependencies: [
                "Omote", "CGuardSelfTest", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // What several test targets need, in one place: repository paths, the built `omote`, a child-process runner,
        // fixture-file readers, the scripted V4L2 kernel stand-in and damaged frames. A library only tests (and the
        // live-path soak, Tools/soak-live) depend on; no Sources/ target may.
        .target(
            name: "OmoteTestSupport",
            dependencies: ["OmoteCapture", "CV4L2Shim", .product(name: "SystemPackage", package: "swift-system")],
            path: "Tests/OmoteTestSupport"
        ),

        .testTarget(
            name: "OmotePrivacyTests",
            dependencies: [
                "OmoteCore", "OmotePrivacy", "OmoteCLI", "CGuardSelfTest",
                "OmoteTestSupport", .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        .testTarget(
            name: "OmoteCoreTests",
            dependencies: ["OmoteCore", .product(name: "SystemPackage", package: "swift-system")]
        ),
        // The live path for Benchmarks/soak.sh: the camera over the fake kernel, through the real pipeline, for hours.
        .executableTarget(
            name: "OmoteSoakLive",
            dependencies: [
                "OmoteCore", "OmoteCapture", "OmoteTestSupport", "OmotePipeline", "OmotePrivacy",
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            path: "Tools/soak-live"
        ),
        .testTarget(
            name: "OmoteCaptureTests",
            dependencies: [
                "OmoteCore", "OmoteCapture", "OmoteTestSupport", "CMallocCounter", "CTurboJPEGEncoder",
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            exclude: ["Fixtures"]
        ),
        // OmoteMesh only for the model-based tests, which need to know where Face Landmarker lives; the kernel, fusion
        // and arena tests use the engine alone.
        .testTarget(
            name: "OmoteNeuralTests", dependencies: ["OmoteNeural", "OmoteMesh", "CMallocCounter", "OmoteTestSupport"],
            exclude: ["Fixtures"]),
        .testTarget(
            name: "OmoteMeshTests",
            dependencies: [
                "OmoteCore", "OmoteNeural", "OmoteMesh", "OmoteCapture", "OmotePipeline", "OmoteRig", "OmoteView",
                "CMallocCounter", "OmoteTestSupport",
            ],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "OmoteRigTests",
            dependencies: ["OmoteCore", "OmoteRig", "CMallocCounter", "OmoteTestSupport", "CTurboJPEGEncoder"],
            exclude: ["Fixtures"]),
        // The window tests start their own Xvfb (VirtualDisplay) and play the window manager through CXCBShim.
        .testTarget(
            name: "OmoteViewTests",
            dependencies: [
                "OmoteCore", "OmoteView", "CVectorShuffles", "CXCBShim", "CMallocCounter", "OmoteTestSupport",
            ]
        ),
        // Test-only JPEG encoder (camera-like MJPEG from the samples, avatar textures); the one place libturbojpeg is
        // linked.
        .target(
            name: "CTurboJPEGEncoder", path: "Tests/CTurboJPEGEncoder", linkerSettings: [.linkedLibrary("turbojpeg")]),
        // Test-only allocation counter (interposes malloc in the test executable) for the steady-state check.
        .target(name: "CMallocCounter", path: "Tests/CMallocCounter"),
        .testTarget(
            name: "OmotePipelineTests",
            dependencies: [
                "OmoteCore", "OmoteCapture", "OmotePipeline", "OmoteRig", "OmoteView", "OmoteCLI",
                "OmoteTestSupport", "CMallocCounter",
            ]
        ),
    ]
)
