import CMallocCounter
import OmoteNeural
import Testing

/// Inference allocates nothing: after one warm-up run, each network's `run()` makes no heap allocation on this thread
/// (counted by the test executable's malloc interposer, Tests/CMallocCounter).
@Suite(.serialized) struct SteadyStateTests {
    @Test("running each of the three networks makes zero heap allocations after the first run")
    func noAllocationsPerInference() throws {
        let networks = try FaceLandmarkerNetworks()
        for network in [networks.detector, networks.landmarks, networks.blendshapes] {
            let input = network.input(0)
            for index in input.indices {
                input[index] = Float(index % 255) / 255
            }
            network.run()
            let before = omote_thread_allocation_count()
            for _ in 0 ..< 3 {
                network.run()
            }
            let allocations = omote_thread_allocation_count() - before
            #expect(allocations == 0, "\(network.name) allocated \(allocations) times in 3 runs")
        }
    }

    @Test("the plan shares one arena: far fewer floats than the sum of all activation tensors")
    func arenaIsShared() throws {
        let networks = try FaceLandmarkerNetworks()
        // The landmark network's first activations alone are 128×128×16 floats; 34 residual blocks would need
        // tens of millions without reuse.
        #expect(networks.landmarks.arenaFloatCount < 3_000_000)
        #expect(networks.landmarks.stepCount < 471)
        print(
            "arena floats: detector \(networks.detector.arenaFloatCount), "
                + "landmarks \(networks.landmarks.arenaFloatCount), "
                + "blendshapes \(networks.blendshapes.arenaFloatCount); steps \(networks.detector.stepCount), "
                + "\(networks.landmarks.stepCount), \(networks.blendshapes.stepCount)")
    }
}
