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
        "omote replay draws the avatar, bars and status in a terminal, prompts a calibration on c, quits on q and restores the terminal",
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
        #expect(!screen.contains("calibration 1/6"))

        // c: the presenter sends the command, the sensor starts the prompts, its frame records carry them back.
        try Self.tmux(socket, ["send-keys", "-t", "view", "c"])
        let prompted = try Self.waitFor(20) {
            screen = try Self.tmux(socket, ["capture-pane", "-p", "-t", "view"])
            return screen.contains("calibration 1/6, ") && screen.contains("relax your face")
        }
        #expect(prompted, "no calibration prompt after c:\n\(screen.prefix(3000))")

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

    /// The omote processes descending from `root` (the tmux pane's shell). Not by environment: omote re-executes
    /// itself with an empty one (the argument-area protection), so /proc/PID/environ shows nothing to match.
    static func omoteProcesses(under root: pid_t) -> [pid_t] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { pid_t($0) }.filter { pid in
            guard let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/exe"),
                exe.hasSuffix("/omote")
            else { return false }
            var ancestor = parent(of: pid)
            while let current = ancestor, current > 1 {
                if current == root { return true }
                ancestor = parent(of: current)
            }
            return false
        }.sorted()
    }

    static func parent(of pid: pid_t) -> pid_t? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        return stat[stat.index(after: close)...].split(separator: " ").dropFirst().first.flatMap { pid_t($0) }
    }

    /// Descriptor → what it points at ("/dev/null", "pipe:[123]", "/dev/pts/4").
    static func descriptors(of pid: pid_t) -> [Int32: String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []
        var result: [Int32: String] = [:]
        for entry in entries {
            guard let fd = Int32(entry),
                let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(entry)")
            else { continue }
            result[fd] = target
        }
        return result
    }

    /// A /proc/PID/status or /proc/PID/io field ("Seccomp", "rchar").
    static func field(_ name: String, of pid: pid_t, in file: String) -> String? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/\(file)", encoding: .utf8) else { return nil }
        return text.split(separator: "\n").first { $0.hasPrefix(name + ":") }.map {
            $0.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces)
        }
    }

    /// The files and pseudo-files a process maps (the path column of /proc/PID/maps: "/usr/lib/…/libc.so.6",
    /// "/dev/video0", "[heap]"); empty when the maps cannot be read.
    static func mappedPaths(of pid: pid_t) -> Set<String> {
        // Read to the end: String(contentsOfFile:) stops after one page of a /proc file (size 0), so a library mapped
        // further down would go unseen.
        guard let file = FileHandle(forReadingAtPath: "/proc/\(pid)/maps"), let data = try? file.readToEnd() else {
            return []
        }
        let maps = String(decoding: data, as: UTF8.self)
        return Set(
            maps.split(separator: "\n").compactMap { line in
                // address perms offset dev inode [path]: the path is what follows the fifth field.
                let fields = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
                return fields.count == 6 ? fields[5].trimmingCharacters(in: .whitespaces) : nil
            })
    }

    @Test(
        "on a terminal the frames are processed in a separate sensor process: it holds /dev/null and two pipes, the presenter the terminal and never reads a frame",
        .enabled(if: tmuxAvailable))
    func sensorAndPresenter() throws {
        let socket = "omote-split-\(getpid())"
        defer { _ = try? Self.tmux(socket, ["kill-server"]) }
        let omote = try #require(TestPaths.omoteBinary, "build the omote executable first (swift build)")
        let command =
            "cd '\(TestPaths.repositoryRoot)' && '\(omote)' replay single_face --loop; echo OMOTE-EXITED-$?; sleep 30"
        try Self.tmux(socket, ["new-session", "-d", "-x", "120", "-y", "40", "-s", "view", "sh", "-c", command])
        var screen = ""
        let drawn = try Self.waitFor(30) {
            screen = try Self.tmux(socket, ["capture-pane", "-p", "-t", "view"])
            return screen.contains("face: tracking") && screen.contains("mouthSmile")
        }
        try #require(drawn, "screen was:\n\(screen.prefix(3000))")
        let pane = try #require(
            pid_t(
                try Self.tmux(socket, ["display-message", "-p", "-t", "view", "#{pane_pid}"]).trimmingCharacters(
                    in: .whitespacesAndNewlines)))
        let pids = Self.omoteProcesses(under: pane)
        try #require(pids.count == 2, "want a presenter and a sensor, found \(pids)")
        let presenter = try #require(pids.first { !pids.contains(Self.parent(of: $0) ?? -1) })
        let sensor = try #require(pids.first { $0 != presenter })
        #expect(Self.parent(of: sensor) == presenter)
        #expect(screen.contains("sensor: pid \(sensor), writes only records"), "the status line names the sensor")

        // Descriptors: the sensor has no terminal at all; the presenter has it and the other end of the two pipes.
        let sensorFDs = Self.descriptors(of: sensor)
        let presenterFDs = Self.descriptors(of: presenter)
        #expect([0, 1, 2].allSatisfy { sensorFDs[$0] == "/dev/null" }, "\(sensorFDs)")
        #expect(!sensorFDs.values.contains { $0.hasPrefix("/dev/pts") || $0 == "/dev/tty" }, "\(sensorFDs)")
        #expect([0, 1, 2].allSatisfy { presenterFDs[$0]?.hasPrefix("/dev/pts/") == true }, "\(presenterFDs)")
        let sensorPipes = Set(sensorFDs.filter { $0.key > 2 }.values)
        let presenterPipes = Set(presenterFDs.filter { $0.key > 2 }.values)
        #expect(sensorFDs.count == 5 && sensorPipes.count == 2 && sensorPipes.allSatisfy { $0.hasPrefix("pipe:") })
        #expect(presenterFDs.count == 5 && presenterPipes == sensorPipes, "\(presenterFDs) vs \(sensorFDs)")
        // Both engaged their own guard.
        #expect(Self.field("Seccomp", of: sensor, in: "status") == "2")
        #expect(Self.field("Seccomp", of: presenter, in: "status") == "2")
        // Issue 22: only the sensor ever maps a JPEG decoder (libturbojpeg, and libv4l2 with its libjpeg, each loaded
        // with dlopen before its guard, libv4l2 only by a camera's sensor) or camera memory; the presenter's address
        // space has none of them, so it cannot decode or hold a frame.
        let sensorMaps = Self.mappedPaths(of: sensor)
        let presenterMaps = Self.mappedPaths(of: presenter)
        #expect(presenterMaps.contains { $0.hasSuffix("/omote") }, "the presenter's maps were read: \(presenterMaps)")
        #expect(sensorMaps.contains { $0.contains("/libturbojpeg.so") }, "the sensor decodes: \(sensorMaps.sorted())")
        for library in ["libturbojpeg", "libjpeg", "libv4l"] {
            #expect(!presenterMaps.contains { $0.contains(library) }, "presenter maps \(presenterMaps.sorted())")
        }
        #expect(
            !presenterMaps.contains { $0.hasPrefix("/dev/video") || $0.hasPrefix("/dev/v4l") || $0.contains("dmabuf") },
            "the presenter maps no camera buffer: \(presenterMaps.sorted())")
        // The presenter never holds a frame: the clip's JPEG bytes were read by the sensor, and the presenter has read
        // far less than one pass of them (its input is 1 KB records, the terminal's keys and /proc).
        let clip = TestPaths.repositoryRoot + "/SampleFrames/single_face"
        let clipBytes = try FileManager.default.contentsOfDirectory(atPath: clip).filter { $0.hasSuffix(".jpg") }
            .reduce(0) {
                $0 + ((try? FileManager.default.attributesOfItem(atPath: clip + "/" + $1)[.size] as? Int) ?? 0)
            }
        let sensorRead = Int(Self.field("rchar", of: sensor, in: "io") ?? "") ?? 0
        let presenterRead = Int(Self.field("rchar", of: presenter, in: "io") ?? "") ?? .max
        #expect(sensorRead >= clipBytes, "the sensor read the clip (\(sensorRead) of \(clipBytes) bytes)")
        #expect(presenterRead < clipBytes / 2, "the presenter read \(presenterRead) bytes; the clip is \(clipBytes)")

        // r crosses to the sensor as a command: the tracker forgets the face and finds it again as a new one.
        #expect(screen.contains("face: tracking (id 1)"))
        try Self.tmux(socket, ["send-keys", "-t", "view", "r"])
        let reset = try Self.waitFor(10) {
            try Self.tmux(socket, ["capture-pane", "-p", "-t", "view"]).contains("face: tracking (id 2)")
        }
        #expect(reset, "r reset the tracker in the sensor")
        try Self.tmux(socket, ["send-keys", "-t", "view", "q"])
        let exited = try Self.waitFor(10) {
            try Self.tmux(socket, ["capture-pane", "-p", "-t", "view"]).contains("OMOTE-EXITED-0")
        }
        #expect(exited, "q reached the sensor as a command and both ended")
        let closing = try Self.tmux(socket, ["capture-pane", "-p", "-J", "-t", "view"])
        #expect(closing.contains(" ms after starting the sensor, drawn after "), "start-up is reported:\n\(closing)")
        #expect(Self.omoteProcesses(under: pane).isEmpty)
    }
}
