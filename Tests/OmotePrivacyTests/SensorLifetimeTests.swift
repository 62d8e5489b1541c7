import Foundation
import OmoteTestSupport
import Testing

/// The sensor process does not outlive the `omote` that started it: killed, the presenter must not leave its sensor
/// replaying with nobody reading it (the sensor stops when its command pipe closes; see `SensorProcess.serve`).
@Suite struct SensorLifetimeTests {
    /// Live children of `parent`, from /proc/*/stat (world-readable even for Omote's undumpable processes).
    static func children(of parent: Int32) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { pid in
            guard let fields = stat(of: pid) else { return false }
            return fields.parent == parent && fields.state != "Z"
        }
    }

    /// State and parent pid from /proc/PID/stat (after the command name, which may hold spaces).
    static func stat(of pid: Int32) -> (state: Character, parent: Int32)? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 1, let state = fields[0].first, let parent = Int32(fields[1]) else { return nil }
        return (state, parent)
    }

    static func waitFor(_ seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return condition()
    }

    @Test("Killing omote (replay without a terminal) ends its sensor at once, not at its next record")
    func sensorEndsWithItsPresenter() throws {
        let omote = try #require(TestPaths.omoteBinary)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: omote)
        // So slow that the sensor writes no frame record (whose broken pipe would end it anyway) for the whole test.
        process.arguments = ["replay", "single_face", "--loop", "--speed", "0.02"]
        process.currentDirectoryURL = URL(fileURLWithPath: TestPaths.repositoryRoot)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let parent = process.processIdentifier
        var child: Int32?
        #expect(
            Self.waitFor(20) {
                child = Self.children(of: parent).first
                return child != nil
            }, "no sensor process appeared")
        kill(parent, SIGKILL)
        process.waitUntilExit()
        let orphan = try #require(child)
        #expect(
            Self.waitFor(5) { Self.stat(of: orphan).map { $0.state == "Z" } ?? true },
            "the sensor \(orphan) still runs after its presenter was killed")
        if let state = Self.stat(of: orphan), state.state != "Z" { kill(orphan, SIGKILL) }
    }
}
