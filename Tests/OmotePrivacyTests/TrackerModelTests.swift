import Foundation
import OmoteTestSupport
import Testing

/// The tracker end to end through the `omote` executable: replay runs it under the guard, the retired 68-point
/// options are gone, and a missing or damaged model is a clear error naming the file and the fix.
@Suite struct TrackerModelTests {
    @Test("replay runs the tracker on single_face under the guard")
    func replayRunsTheTracker() throws {
        let omote = try #require(TestPaths.omoteBinary)
        let result = try ChildProcess.run(omote, ["replay", "--fast", "single_face"])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stderr.contains("sends timings only"), "\(result.stderr)")
        #expect(result.stdout.contains("single_face: 72 frames 640×360, 0 corrupt"), "\(result.stdout)")
    }

    /// The 68-point tracker's `--calibrate` (its own neutral-face pass) is not among them: the name now starts the
    /// mesh tracker's guided calibration (Docs/fidelity.md), tested below.
    @Test(
        "the retired 68-point options are refused as unknown",
        arguments: [["--tracker", "68-point"], ["--detector", "lbp"], ["--landmark-model", "x.dat"]])
    func retiredOptionsAreRefused(_ option: [String]) throws {
        let omote = try #require(TestPaths.omoteBinary)
        let result = try ChildProcess.run(omote, ["replay", "single_face"] + option)
        #expect(result.status != 0)
        #expect(result.stderr.contains("Unknown option '\(option[0])'"), "\(result.stderr)")
    }

    @Test("--calibrate runs the guided calibration; with --raw-blendshapes it is refused, naming both")
    func calibrateOption() throws {
        let omote = try #require(TestPaths.omoteBinary)
        let replay = try ChildProcess.run(omote, ["replay", "--fast", "single_face", "--calibrate"])
        #expect(replay.status == 0, "\(replay.stdout)\n\(replay.stderr)")
        let refused = try ChildProcess.run(omote, ["replay", "single_face", "--calibrate", "--raw-blendshapes"])
        #expect(refused.status != 0)
        #expect(
            refused.stderr.contains("--calibrate") && refused.stderr.contains("--raw-blendshapes"), "\(refused.stderr)")
    }

    @Test("a missing or damaged face_landmarker.task stops replay and doctor with the file named and the fix")
    func badModelIsNamed() throws {
        let omote = try #require(TestPaths.omoteBinary)
        let scratch = try ChildProcess.makeScratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let damaged = scratch + "/face_landmarker.task"
        // A JPEG is not a .task archive.
        try FileManager.default.copyItem(atPath: TestPaths.sampleFrame, toPath: damaged)
        for model in [scratch + "/missing.task", damaged] {
            let replay = try ChildProcess.run(omote, ["replay", "--fast", "single_face", "--mesh-model", model])
            #expect(replay.status == 1, "\(replay.stdout)\n\(replay.stderr)")
            #expect(replay.stderr.contains(model), "\(replay.stderr)")
            #expect(!replay.stdout.contains("single_face: 72 frames"))
            let doctor = try ChildProcess.run(omote, ["doctor", "--mesh-model", model])
            #expect(doctor.status == 1)
            let line = doctor.stdoutLines.first { $0.hasPrefix("FAIL tracker model") }
            #expect(line?.contains(model) == true, "\(doctor.stdout)")
            #expect(doctor.stdout.contains("Scripts/setup.sh"))
        }
        let healthy = try ChildProcess.run(omote, ["doctor"])
        #expect(healthy.stdoutLines.contains { $0.hasPrefix("ok   tracker model") }, "\(healthy.stdout)")
    }
}
