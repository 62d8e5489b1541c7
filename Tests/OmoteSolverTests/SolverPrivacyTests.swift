import OmoteCore
import Testing

@testable import OmoteSolver

/// The solver's expression and user data (issue #16, memory): fitted landmarks, pose, weights, Jacobians, the learned
/// neutral and identity, the filters' history and the pupils' eye pixels live in locked private memory, and a lost
/// face's per-frame data is wiped.
@Suite("FaceSolver keeps expression data in private memory")
struct SolverPrivacyTests {
    @Test("every buffer holding expression or user data is registered private memory, within a small lock budget")
    func buffersArePrivate() throws {
        let solver = try FaceSolver()
        #expect(solver.expressionDataIsPrivate)
        // The model constants stay in ordinary memory: they are not expression data.
        let constantsArePrivate = solver.neutral.isPrivate || solver.identityFields.isPrivate
        #expect(!constantsArePrivate)
        // Whole pages, one mapping per buffer: well inside the 8 MiB default RLIMIT_MEMLOCK.
        #expect(solver.privateBytes > 0 && solver.privateBytes <= 256 * 1024, "\(solver.privateBytes) bytes locked")
    }

    @Test("reset after a face wipes the per-frame buffers, pose, last gaze and filter history; the user is kept")
    func resetWipes() throws {
        let configuration = FaceSolverConfiguration()
        let scene = SyntheticScene(configuration: configuration)
        var random = TestRandom(seed: 11)
        var truth = BlendshapeWeights()
        truth[.jawOpen] = 0.3
        let pose = SyntheticScene.pose(yawDegrees: 5, pitchDegrees: 0, rollDegrees: 0, translation: SIMD3(0, 0, 550))
        let landmarks = try scene.landmarks(pose: pose, weights: truth, noise: 0.2, random: &random)
        let pixels = scene.image(landmarks: landmarks, irisOffset: SIMD2(0.05, 0))
        let solver = try FaceSolver(configuration: configuration)
        var output = FaceSolverOutput()
        for frame in 1 ... 40 {
            withLuma(pixels) {
                solver.solve(
                    landmarks: landmarks, image: $0, timestampNanoseconds: UInt64(frame) * 33_333_333, into: &output)
            }
        }
        #expect(output.flags.contains(.poseValid))
        #expect(!solver.frameBuffersHoldOnlyZeros)
        #expect(solver.weightFilter!.holdsHistory)
        let learned = solver.neutralLearned
        #expect(learned, "a second of frames teaches the neutral")

        solver.reset()
        #expect(solver.frameBuffersHoldOnlyZeros, "the lost face's landmarks, fit and eye pixels are wiped")
        #expect(!solver.poseInitialised)
        #expect(solver.lastGaze.left == .zero && solver.lastGaze.right == .zero)
        #expect(solver.translation == SIMD3(0, 0, 600))
        #expect(solver.neutralLearned == learned, "the learned neutral belongs to the user, not the face")
        let offsetsKept = !solver.offsets.holdsOnlyZeros
        #expect(offsetsKept)
        // The filters restart from zeros: the next face passes unsmoothed, with nothing of the old one.
        let history = solver.weightFilter!.holdsHistory || solver.poseFilter!.holdsHistory
        #expect(!history)

        // The solver still works after the wipe.
        withLuma(pixels) {
            solver.solve(landmarks: landmarks, image: $0, timestampNanoseconds: 41 * 33_333_333, into: &output)
        }
        #expect(output.flags.contains(.poseValid))
    }

    @Test("a released solver's private memory leaves the exit-wipe registry (wiped and unmapped)")
    func releaseUnregisters() throws {
        var addresses: [UnsafeMutableRawPointer] = []
        do {
            let solver = try FaceSolver()
            addresses = [
                UnsafeMutableRawPointer(solver.observed.baseAddress),
                UnsafeMutableRawPointer(solver.weights.baseAddress),
                UnsafeMutableRawPointer(solver.state.baseAddress),
            ]
            #expect(addresses.allSatisfy { SecureMemory.isLive($0) })
        }
        #expect(addresses.allSatisfy { !SecureMemory.isLive($0) })
    }
}
