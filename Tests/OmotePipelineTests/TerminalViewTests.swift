import Foundation
import OmoteTestSupport
import Testing

/// Drives `omote replay` in a real terminal (tmux), reads the screen, quits with q and checks the terminal came back.
@Suite(.serialized) struct TerminalViewTests {
    static var tmuxAvailable: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux") }

    @discardableResult
    static func tmux(_ socket: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/tmux")
        process.arguments = ["-L", socket, "-f", "/dev/null"] + arguments
        process.standardError = FileHandle.nullDevice
        // new-session starts the tmux server, which would inherit Foundation's exit-notification socket and hold it
        // open (waitUntilExit never returns): spawn that one directly and reap it with waitpid.
        guard arguments.first != "new-session" else {
            let argv = ["/usr/bin/tmux", "-L", socket, "-f", "/dev/null"] + arguments
            var pid: pid_t = 0
            var cArguments = argv.map { strdup($0) } + [nil]
            defer { cArguments.forEach { free($0) } }
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
            // Nor any other descriptor of this process (other tests' pipes): the server lives on after the client.
            let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
            for fd in open.compactMap({ Int32($0) }) where fd > 2 { posix_spawn_file_actions_addclose(&actions, fd) }
            let spawned = posix_spawn(&pid, argv[0], &actions, nil, &cArguments, environ)
            guard spawned == 0 else { throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .EIO) }
            var status: Int32 = 0
            waitpid(pid, &status, 0)
            return ""
        }
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    static func waitFor(_ timeout: Double, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try condition() { return true }
            Thread.sleep(forTimeInterval: 0.2)
        }
        return try condition()
    }

    @Test(
        "omote replay draws the avatar, bars and status in a terminal, quits on q and restores the terminal",
        .enabled(if: tmuxAvailable))
    func replayInTmux() throws {
        let omote = try #require(TestPaths.omoteBinary, "build the omote executable first (swift build)")
        let socket = "omote-test-\(getpid())"
        defer { _ = try? Self.tmux(socket, ["kill-server"]) }
        let command =
            "cd '\(TestPaths.repositoryRoot)' && '\(omote)' replay single_face --loop; echo OMOTE-EXITED-$?; sleep 30"
        try Self.tmux(socket, ["new-session", "-d", "-x", "120", "-y", "40", "-s", "view", "sh", "-c", command])
        var screen = ""
        let drawn = try Self.waitFor(20) {
            screen = try Self.tmux(socket, ["capture-pane", "-p", "-e", "-t", "view"])
            return screen.contains("face: tracking") && screen.contains("mouthSmile")
        }
        #expect(drawn, "screen was:\n\(screen.prefix(3000))")
        #expect(screen.contains("▀"), "the avatar is drawn with half blocks")
        #expect(screen.contains("38;2;"), "in 24-bit colour")
        #expect(screen.contains("fps") && screen.contains("landmarks") && screen.contains("guard:"))
        #expect(try Self.tmux(socket, ["display-message", "-p", "-t", "view", "#{alternate_on}"]).hasPrefix("1"))

        try Self.tmux(socket, ["send-keys", "-t", "view", "q"])
        let exited = try Self.waitFor(10) {
            try Self.tmux(socket, ["capture-pane", "-p", "-t", "view"]).contains("OMOTE-EXITED-0")
        }
        #expect(exited, "omote quit on q with status 0")
        #expect(
            try Self.tmux(socket, ["display-message", "-p", "-t", "view", "#{alternate_on}"]).hasPrefix("0"),
            "the alternate screen was left")
        #expect(
            try Self.tmux(socket, ["display-message", "-p", "-t", "view", "#{cursor_flag}"]).hasPrefix("1"),
            "the cursor is visible again")
    }
}
