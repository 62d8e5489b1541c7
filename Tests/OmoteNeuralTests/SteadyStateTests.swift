import CMallocCounter
import OmoteMesh
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

/// The activation arena holds the network's input (a face crop or the letterboxed frame) and everything computed from
/// it, so it is private memory like the frames, and can be wiped when the face is gone.
@Suite struct ActivationPrivacyTests {
    @Test("each network's activations live in private memory, and wiping them zeroes the input and the outputs")
    func activationsArePrivateAndWipeable() throws {
        let networks = try FaceLandmarkerNetworks()
        for network in [networks.detector, networks.landmarks, networks.blendshapes] {
            #expect(network.activationsArePrivate, "\(network.name)")
            let input = network.input(0)
            for index in input.indices { input[index] = 0.5 }
            network.run()
            #expect(network.output(0).contains { $0 != 0 }, "\(network.name) computed nothing")
            network.wipeActivations()
            #expect(!input.contains { $0 != 0 }, "\(network.name)'s input survived the wipe")
            for output in network.outputs.indices {
                #expect(!network.output(output).contains { $0 != 0 }, "\(network.name) output \(output)")
            }
        }
    }
}
