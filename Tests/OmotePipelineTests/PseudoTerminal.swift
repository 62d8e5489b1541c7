import Foundation
import Testing

/// A pseudo-terminal pair for tests that need a real terminal (raw mode, the live view).
struct PseudoTerminal {
    /// The master side (close it when done) and the path of the slave side.
    let master: Int32
    let slavePath: String

    /// Opens /dev/ptmx, unlocks the new slave (TIOCSPTLCK 0) and asks its number (TIOCGPTN). posix_openpt, unlockpt
    /// and ptsname are not visible to Swift here; the request codes are the generic Linux encodings
    /// (_IOW('T', 0x31, int), _IOR('T', 0x30, unsigned int)), the same on x86-64 and arm64.
    static func open() throws -> PseudoTerminal {
        let master = Glibc.open("/dev/ptmx", O_RDWR | O_NOCTTY)
        try #require(master >= 0)
        var unlock: Int32 = 0
        var number: UInt32 = 0
        guard ioctl(master, UInt(0x4004_5431), &unlock) == 0, ioctl(master, UInt(0x8004_5430), &number) == 0 else {
            close(master)
            throw POSIXError(.ENOTTY)
        }
        return PseudoTerminal(master: master, slavePath: "/dev/pts/\(number)")
    }
}

extension PseudoTerminal {
    /// Runs `argv` in a new session whose controlling terminal, stdin, stdout and stderr are a fresh pseudo-terminal
    /// of 40 rows × 120 columns, with `environment` added to this process's. Returns its wait status and everything
    /// the terminal received (the child is killed after `timeout` seconds). Once the output contains `quitOn`, the
    /// user types q.
    static func run(
        _ argv: [String], environment: [String: String] = [:], quitOn: String? = nil, timeout: Double = 120
    ) throws -> (
        status: Int32, output: [UInt8]
    ) {
        var quitOn = quitOn
        let terminal = try PseudoTerminal.open()
        defer { close(terminal.master) }
        var size = winsize(ws_row: 40, ws_col: 120, ws_xpixel: 0, ws_ypixel: 0)
        _ = ioctl(terminal.master, UInt(TIOCSWINSZ), &size)
        var cArguments = argv.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        let merged = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        var cEnvironment = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { cEnvironment.forEach { free($0) } }
        // A new session whose first terminal opened (fd 0, without O_NOCTTY) becomes its controlling terminal.
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
        let spawned = posix_spawn(&pid, argv[0], &actions, &attributes, &cArguments, &cEnvironment)
        try #require(spawned == 0, "posix_spawn: \(spawned)")

        // Everything the terminal receives while the child runs, and what is left once it exited. (POLLHUP alone
        // means nothing yet: the master reports it until the child has opened the slave side.)
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        var status: Int32 = 0
        var exited = false
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            var request = pollfd(fd: terminal.master, events: Int16(POLLIN), revents: 0)
            _ = poll(&request, 1, exited ? 0 : 100)
            if request.revents & Int16(POLLIN) != 0 {
                let count = buffer.withUnsafeMutableBytes { read(terminal.master, $0.baseAddress, $0.count) }
                if count > 0 {
                    output += buffer.prefix(count)
                    if let trigger = quitOn, String(decoding: output, as: UTF8.self).contains(trigger) {
                        _ = write(terminal.master, "q", 1)
                        quitOn = nil
                    }
                    continue
                }
            }
            if exited { break }
            exited = waitpid(pid, &status, WNOHANG) == pid
        }
        if !exited { kill(pid, SIGKILL) }
        return (status, output)
    }
}
