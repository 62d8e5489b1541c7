import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A child started with posix_spawn and reaped by its pid, for tests that time how fast it exits.
///
/// Foundation's `Process` learns of an exit from a socket the child inherits, so it reports the child running for as
/// long as anything else holds that socket — and a process another test forks or spawns at the same moment inherits
/// it (it is not close-on-exec). Under the full suite that made a child that exited at once look alive for over five
/// seconds. Here the pid is polled with `waitpid`, and the child inherits nothing but its standard streams.
package final class SpawnedProcess {
    package let processIdentifier: pid_t
    private var status: Int32?
    private let output = LockedData()
    private let errors = LockedData()

    /// Starts `executable` with `arguments` in `directory`, with exactly `environment`, standard input from
    /// /dev/null, both output streams collected, in a process group of its own (as Foundation's `Process` does).
    package init(
        _ executable: String, _ arguments: [String], environment: [String: String], directory: String
    ) throws {
        var outputPipe: [Int32] = [0, 0]
        var errorPipe: [Int32] = [0, 0]
        guard pipe(&outputPipe) == 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        guard pipe(&errorPipe) == 0 else {
            close(outputPipe[0])
            close(outputPipe[1])
            throw POSIXError(.init(rawValue: errno) ?? .EIO)
        }
        for descriptor in outputPipe + errorPipe { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outputPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errorPipe[1], 2)
        // Every other descriptor this process has open now (other tests' pipes and sockets) stays out of the child.
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for fd in open.compactMap({ Int32($0) }) where fd > 2 && fd != outputPipe[1] && fd != errorPipe[1] {
            posix_spawn_file_actions_addclose(&actions, fd)
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        Self.startCleanly(&attributes)

        // env(1) changes directory and execs the program, so the pid is the program's.
        let command = ["/usr/bin/env", "-C", directory, executable] + arguments
        var cArguments = command.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        var cEnvironment = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { cEnvironment.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, command[0], &actions, &attributes, &cArguments, &cEnvironment)
        close(outputPipe[1])
        close(errorPipe[1])
        guard spawned == 0 else {
            close(outputPipe[0])
            close(errorPipe[0])
            throw POSIXError(.init(rawValue: spawned) ?? .EIO)
        }
        processIdentifier = pid
        for (descriptor, sink) in [(outputPipe[0], output), (errorPipe[0], errors)] {
            Thread {
                sink.set(FileHandle(fileDescriptor: descriptor, closeOnDealloc: true).readDataToEndOfFile())
            }.start()
        }
    }

    /// Spawn attributes for a child that starts as if from a shell, whatever the test runner's thread has: its own
    /// process group, no blocked signals, and the quit signals and SIGPIPE at their default actions.
    package static func startCleanly(_ attributes: inout posix_spawnattr_t) {
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signalNumber in [SIGPIPE, SIGINT, SIGTERM, SIGHUP] { sigaddset(&defaults, signalNumber) }
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    }

    deinit {
        if isRunning {
            kill(processIdentifier, SIGKILL)
            var ignored: Int32 = 0
            waitpid(processIdentifier, &ignored, 0)
        }
    }

    /// Whether the child still runs (reaps it, without blocking, once it has exited).
    package var isRunning: Bool {
        guard status == nil else { return false }
        var raw: Int32 = 0
        let reaped = waitpid(processIdentifier, &raw, WNOHANG)
        if reaped == processIdentifier {
            // Exit status, or 128 + the signal that killed it (as a shell reports it).
            status = raw & 0x7F == 0 ? (raw >> 8) & 0xFF : 128 + raw & 0x7F
        } else if reaped < 0 && errno != EINTR {
            status = -1
        }
        return status == nil
    }

    /// The exit status (128 + signal when killed by one); -1 before it has been seen to exit.
    package var terminationStatus: Int32 { isRunning ? -1 : status ?? -1 }

    /// Seconds until the child exited (nil if it still runs after `seconds`).
    package func exit(within seconds: Double) -> Double? {
        let start = Date()
        while isRunning {
            if Date().timeIntervalSince(start) > seconds { return nil }
            usleep(2000)
        }
        return Date().timeIntervalSince(start)
    }

    /// Everything printed to standard output and then standard error, once both pipes reached their end (waits up to
    /// ten seconds for that).
    package var transcript: String {
        let deadline = Date().addingTimeInterval(10)
        while !(output.isSet && errors.isSet) && Date() < deadline { usleep(2000) }
        return String(decoding: output.value, as: UTF8.self) + String(decoding: errors.value, as: UTF8.self)
    }
}
