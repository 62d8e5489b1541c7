import Benchmark
import Foundation
import Omote

/// Every stage registers its benchmarks from its own file; this is the single entry point the plugin runs.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .instructions, .mallocCountTotal, .peakMemoryResident],
        maxDuration: .seconds(3),
        maxIterations: 2_000
    )
    decodeBenchmarks()
    rigBenchmarks()
    stageBenchmarks()
    neuralBenchmarks()
    meshBenchmarks()
}

/// SampleFrames/ of the package this benchmark package sits in.
let sampleFramesPath: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0 ..< 4 { url.deleteLastPathComponent() }
    return url.path + "/SampleFrames"
}()
