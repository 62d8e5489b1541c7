import Foundation
import OmoteTestSupport
import Testing

/// `omote replay --loop` with stdout a pipe, as a log or a script sees it: one line per pass of the clip as each pass
/// ends, and Ctrl-C (SIGINT to the process group) is a normal stop.
@Suite struct HeadlessReplayTests {
    @Test("a looping headless replay prints each pass as it ends; Ctrl-C stops it cleanly with exit 0")
    func loopThenInterrupt() throws {
        let omote = try #require(TestPaths.omoteBinary)
        let scratch = try ChildProcess.makeScratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let process = Process()
        // As from an interactive shell: SIGINT at its default action (a test runner started in the background
        // inherits it ignored, and so would omote).
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["--default-signal=INT", omote, "replay", "single_face", "--fast", "--loop"]
        process.currentDirectoryURL = URL(fileURLWithPath: TestPaths.repositoryRoot)
        _ = FileManager.default.createFile(atPath: scratch + "/out", contents: nil)
        _ = FileManager.default.createFile(atPath: scratch + "/err", contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: scratch + "/out"))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: scratch + "/err"))
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let presenter = process.processIdentifier
        func passes() -> [Substring] {
            let text = (try? String(contentsOfFile: scratch + "/out", encoding: .utf8)) ?? ""
            return text.split(separator: "\n").filter { $0.hasPrefix("single_face: ") }
        }
        let deadline = Date().addingTimeInterval(120)
        while passes().count < 2, process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        // What a terminal's Ctrl-C does: SIGINT to the presenter and its sensor.
        let sensors = SensorLifetimeTests.children(of: presenter)
        for pid in sensors + [presenter] { kill(pid, SIGINT) }
        let stopped = SensorLifetimeTests.waitFor(20) { !process.isRunning }
        if !stopped { for pid in sensors + [presenter] { kill(pid, SIGKILL) } }
        process.waitUntilExit()
        #expect(stopped, "omote did not stop within 20 s of Ctrl-C")
        let stderr = (try? String(contentsOfFile: scratch + "/err", encoding: .utf8)) ?? ""
        let lines = passes()
        #expect(lines.count >= 2, "\(lines)\n\(stderr)")
        #expect(lines.allSatisfy { $0.hasPrefix("single_face: 72 frames 640×360, 0 corrupt; decode p50 ") }, "\(lines)")
        #expect(process.terminationStatus == 0, "\(stderr)")
        #expect(stderr.contains("omote: stopped (interrupted)"), "\(stderr)")
        #expect(!stderr.contains("stopped: "), "\(stderr)")
    }
}
