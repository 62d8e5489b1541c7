import Foundation
import Testing

/// `--tracker` end to end through the `omote` executable: the mesh tracker is the default everywhere, the 68-point
/// tracker is one option away, and a missing or damaged mesh model is a clear error naming the file and the fix.
@Suite struct TrackerChoiceTests {
    @Test("replay runs the mesh tracker by default and the 68-point tracker on request, both under the guard")
    func replayRunsEitherTracker() throws {
        let omote = try #require(PrivacyTestPaths.omoteBinary)
        for (arguments, name) in [([], "mesh"), (["--tracker", "68-point"], "68-point")] {
            let result = try ChildProcess.run(omote, ["replay", "--fast", "single_face"] + arguments)
            #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
            #expect(result.stderr.contains("processing child: guard engaged"), "\(result.stderr)")
            #expect(result.stderr.contains("tracker: \(name)"), "\(name):\n\(result.stderr)")
            #expect(result.stdout.contains("single_face: 72 frames 640×360, 0 corrupt"), "\(result.stdout)")
        }
    }

    @Test("an unknown tracker name is refused with the two valid names")
    func unknownTrackerIsRefused() throws {
        let omote = try #require(PrivacyTestPaths.omoteBinary)
        let result = try ChildProcess.run(omote, ["replay", "--tracker", "dlib", "single_face"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("mesh") && result.stderr.contains("68-point"), "\(result.stderr)")
    }

    @Test("a missing or damaged face_landmarker.task stops replay and doctor with the file named and the fix")
    func badMeshModelIsNamed() throws {
        let omote = try #require(PrivacyTestPaths.omoteBinary)
        let scratch = try ChildProcess.makeScratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let damaged = scratch + "/face_landmarker.task"
        // A JPEG is not a .task archive.
        try FileManager.default.copyItem(atPath: PrivacyTestPaths.sampleFrame, toPath: damaged)
        for model in [scratch + "/missing.task", damaged] {
            let replay = try ChildProcess.run(omote, ["replay", "--fast", "single_face", "--mesh-model", model])
            #expect(replay.status == 1, "\(replay.stdout)\n\(replay.stderr)")
            #expect(replay.stderr.contains(model), "\(replay.stderr)")
            #expect(!replay.stdout.contains("single_face: 72 frames"))
            let doctor = try ChildProcess.run(omote, ["doctor", "--mesh-model", model])
            #expect(doctor.status == 1)
            let line = doctor.stdoutLines.first { $0.hasPrefix("FAIL mesh tracker model") }
            #expect(line?.contains(model) == true, "\(doctor.stdout)")
            #expect(doctor.stdout.contains("Scripts/setup.sh"))
        }
        let healthy = try ChildProcess.run(omote, ["doctor"])
        #expect(healthy.stdoutLines.contains { $0.hasPrefix("ok   mesh tracker model (default tracker)") })
    }
}
