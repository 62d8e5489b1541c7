import Foundation
import OmoteTestSupport
import Testing

/// The sensor process, attacked from inside: `omote guard-selftest` runs with a pseudo-terminal as its controlling
/// terminal and as stdin, stdout and stderr; its sensor writes a marker to descriptors 0, 1, 2 and to /dev/tty and tries
/// to push input into the terminal. The kernel must refuse each, and the marker must never reach the terminal.
@Suite struct SensorTerminalAttackTests {
    @Test("a sensor cannot write to 0–2 or /dev/tty, or push input, while its session runs on a terminal")
    func sensorCannotReachTheTerminal() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("omote-sensor-\(UUID())").path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let (status, output) = try PseudoTerminal.run([
            try #require(TestPaths.omoteBinary), "guard-selftest", "--scratch", scratch,
        ])
        let text = String(decoding: output, as: UTF8.self)
        #expect(status == 0, "guard-selftest failed:\n\(text.suffix(3000))")
        #expect(!text.contains("SENSOR-LEAK"), "the sensor's writes reached the terminal")
        let rows = text.split(whereSeparator: \.isNewline).filter { $0.hasPrefix("sensor\t") }
        let outcomes = Dictionary(
            rows.map { row -> (String, String) in
                let fields = row.split(separator: "\t")
                return (String(fields[1]), String(fields[2]))
            }, uniquingKeysWith: { a, _ in a })
        for act in [
            "write-fd0", "write-fd1", "write-fd2", "open-tty-for-write", "write-tty-read-only", "tiocsti-tty",
            "tiocsti-fd0",
        ] {
            #expect(outcomes[act] == "EPERM", "\(act): got \(outcomes[act] ?? "no result")")
        }
        #expect(outcomes["only-records-and-commands"] == "ok")
    }
}
