import Foundation
import OmoteTestSupport
import Testing

/// The sensor process, attacked from inside: `omote guard-selftest` runs with a pseudo-terminal as its controlling
/// terminal and as stdin, stdout and stderr; its sensor writes a marker to descriptors 0, 1, 2 and to /dev/tty and tries
/// to push input into the terminal. The kernel must refuse each, and the marker must never reach the terminal.
@Suite struct SensorTerminalAttackTests {
    @Test("a sensor cannot write to 0–2 or /dev/tty, or push input, while its session runs on a terminal")
    func sensorCannotReachTheTerminal() throws {
        let terminal = try PseudoTerminal.open()
        defer { close(terminal.master) }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("omote-sensor-\(UUID())").path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: scratch) }

        // A new session whose first terminal opened (fd 0, without O_NOCTTY) becomes its controlling terminal.
        let argv = [try #require(TestPaths.omoteBinary), "guard-selftest", "--scratch", scratch]
        var cArguments = argv.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, terminal.slavePath, O_RDWR, 0)
        posix_spawn_file_actions_adddup2(&actions, 0, 1)
        posix_spawn_file_actions_adddup2(&actions, 0, 2)
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for fd in open.compactMap({ Int32($0) }) where fd > 2 { posix_spawn_file_actions_addclose(&actions, fd) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(0x80))  // POSIX_SPAWN_SETSID
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, argv[0], &actions, &attributes, &cArguments, environ)
        try #require(spawned == 0, "posix_spawn: \(spawned)")

        // Everything the terminal receives while the self-test runs, and what is left once it exited. (POLLHUP alone
        // means nothing yet: the master reports it until the child has opened the slave side.)
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        var status: Int32 = 0
        var exited = false
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            var request = pollfd(fd: terminal.master, events: Int16(POLLIN), revents: 0)
            _ = poll(&request, 1, exited ? 0 : 100)
            if request.revents & Int16(POLLIN) != 0 {
                let count = buffer.withUnsafeMutableBytes { read(terminal.master, $0.baseAddress, $0.count) }
                if count > 0 {
                    output += buffer.prefix(count)
                    continue
                }
            }
            if exited { break }
            exited = waitpid(pid, &status, WNOHANG) == pid
        }
        if !exited { kill(pid, SIGKILL) }
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
