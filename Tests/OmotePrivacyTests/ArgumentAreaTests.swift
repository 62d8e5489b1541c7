import CPrivacyShim
import Foundation
import OmoteCore
import OmoteTestSupport
import Testing

@testable import OmotePrivacy

/// Issue 22, item 3: /proc/PID/cmdline (readable by every user) and /proc/PID/environ show memory the process can
/// write, so `omote` re-executes itself with one empty argument and no environment and seals that memory. Checked from
/// outside, as the process that would read the published bytes sees it.
@Suite("Argument area: nothing published through /proc/PID/cmdline or environ", .serialized)
struct ArgumentAreaTests {
    /// The acts `guard-selftest --publish-marker` attempts in the parent ("main") and the sensor process, and what
    /// the kernel must answer once the area is sealed: the stores fault, the page cannot be made writable again.
    static let expectedOutcomes = [
        "store-argument-area": "EFAULT", "store-environment-area": "EFAULT",
        "mprotect-argument-area-writable": "EPERM",
    ]

    /// What one poll of one process read: cmdline, then environ (nil: unreadable).
    struct Sample: Hashable {
        let pid: Int32
        let cmdline: [UInt8]
        let environ: [UInt8]?
    }

    @Test("a marker the presenter and its sensor process write into their argument and environment area never shows")
    func markerNeverPublished() throws {
        let omote = try #require(TestPaths.omoteBinary, "build the omote executable first (swift build)")
        let scratch = try ChildProcess.makeScratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let arguments = ["guard-selftest", "--scratch", scratch, "--publish-marker", "--hold-milliseconds", "1500"]
        let process = Process()
        process.executableURL = URL(fileURLWithPath: omote)
        process.arguments = arguments
        process.environment = Self.environmentWithoutLoaderVariables()
        process.currentDirectoryURL = URL(fileURLWithPath: TestPaths.repositoryRoot)
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let pid = process.processIdentifier
        let collected = LockedData()
        let reader = Thread { collected.set(output.fileHandleForReading.readDataToEndOfFile()) }
        reader.start()

        // Poll the process and every child it forks, as fast as /proc answers, until it has exited.
        var samples = Set<Sample>()
        var polls = 0
        let deadline = Date().addingTimeInterval(120)
        while !collected.isSet, Date() < deadline {
            for watched in [pid] + Self.children(of: pid) {
                guard let cmdline = Self.read("/proc/\(watched)/cmdline") else { continue }
                samples.insert(Sample(pid: watched, cmdline: cmdline, environ: Self.read("/proc/\(watched)/environ")))
            }
            polls += 1
        }
        process.waitUntilExit()
        let stdout = String(decoding: collected.value, as: UTF8.self)
        #expect(process.terminationStatus == 0, "\(stdout)")

        let lines = stdout.split(separator: "\n").map { $0.split(separator: "\t").map(String.init) }
        let marker = try #require(lines.first { $0.first == "marker" }?.last, "no marker line in: \(stdout)")
        let child = try #require(
            lines.first { $0.first == "publish" }.flatMap { Int32($0.last?.split(separator: " ").last ?? "") })
        // The kernel's answers, against this table (not the command's own verdicts), in both processes.
        for scope in ["main", "sensor"] {
            for (act, expected) in Self.expectedOutcomes {
                let row = lines.first { $0.count == 5 && $0[0] == scope && $0[1] == act }
                #expect(row?[2] == expected, "\(scope) \(act): \(row?[2] ?? "no row")")
            }
        }

        // Never the marker, nor any part of it, in anything /proc showed.
        let needle = Array(marker.utf8.prefix(8))
        for sample in samples {
            #expect(!Self.contains(sample.cmdline, needle), "cmdline of \(sample.pid): \(Self.text(sample.cmdline))")
            #expect(!Self.contains(sample.environ ?? [], needle), "environ of \(sample.pid)")
        }
        // Once re-executed (the start shows the real command line for an instant), cmdline is one NUL byte and environ
        // is empty, in the parent and in the child, which only ever exists re-executed (a process that has exited
        // shows nothing at all).
        let original = Array(([omote] + arguments).joined(separator: "\0").utf8) + [0]
        for sample in samples where sample.cmdline != original {
            #expect(
                sample.cmdline == [0] || sample.cmdline.isEmpty,
                "cmdline of \(sample.pid): \(Self.text(sample.cmdline))")
            #expect(sample.environ?.isEmpty ?? true, "environ of \(sample.pid): \(Self.text(sample.environ ?? []))")
        }
        #expect(samples.contains { $0.pid == pid && $0.cmdline == [0] }, "the parent was never seen re-executed")
        #expect(samples.contains { $0.pid == child && $0.cmdline == [0] }, "the child \(child) was never polled")
        if getuid() == 0 {  // environ of an undumpable process is readable only with CAP_SYS_PTRACE
            #expect(samples.contains { $0.pid == child && $0.environ == [] }, "the child's environ was never read")
        }
        #expect(polls > 10)
    }

    @Test("the arguments, the environment and the process name survive the re-exec, byte for byte")
    func argumentsAndEnvironmentSurvive() throws {
        let omote = try #require(TestPaths.omoteBinary, "build the omote executable first (swift build)")
        let arguments = [
            "guard-selftest", "--scratch", "/no such/scratch ü", "--read", "a b=c", "--read", "", "--read",
            "x\t\"'$ -y",
            "--report-startup",
        ]
        var environment = Self.environmentWithoutLoaderVariables()
        let chosen = [
            "HOME": "/home/some one", "XDG_CACHE_HOME": "/tmp/cache dir", "TERM": "xterm-256color",
            "DISPLAY": ":7", "LANG": "de_DE.UTF-8", "OMOTE_SAMPLE_FRAMES": "/nowhere", "OMOTE_TEST_EMPTY": "",
            "OMOTE_TEST_EQUALS": "a=b=c", "OMOTE_TEST_TEXT": "zwei  Wörter ✓\nzweite Zeile",
        ]
        environment.merge(chosen) { $1 }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: omote)
        process.arguments = arguments
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)

        var reported: [String: [String]] = [:]
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            let fields = line.split(separator: "\t", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 2 else { continue }
            let value = ["argument-area", "handoff-open"].contains(fields[0]) ? fields[1] : Self.unhex(fields[1])
            reported[fields[0], default: []].append(value)
        }
        #expect(reported["argument"] == [omote] + arguments)
        let entries = reported["environment"] ?? []
        let restored = Dictionary(
            entries.map { entry in
                let parts = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
            }, uniquingKeysWith: { first, _ in first })
        #expect(entries.count == environment.count)
        #expect(restored == environment)
        #expect(reported["process-name"] == ["omote"])
        #expect(reported["handoff-open"] == ["no"], "the handoff's memfd must be closed once read")
        if omote_mseal(nil, 0) == 0 {
            #expect(reported["argument-area"]?.first?.contains("sealed read-only (mseal)") == true)
        }
    }

    @Test("started with stdin closed, the handoff takes descriptor 0 and is still found, and closed once read")
    func closedStandardInput() throws {
        let omote = try #require(TestPaths.omoteBinary, "build the omote executable first (swift build)")
        let script = "exec \"$0\" guard-selftest --scratch 'a b' --report-startup <&-; echo unreachable"
        let result = try ChildProcess.run("/bin/sh", ["-c", script, omote])
        #expect(result.status == 0, "\(result.stderr)")
        let arguments = result.stdoutLines.filter { $0.hasPrefix("argument\t") }.map {
            Self.unhex(String($0.dropFirst("argument\t".count)))
        }
        #expect(arguments == [omote, "guard-selftest", "--scratch", "a b", "--report-startup"])
        #expect(result.stdoutLines.contains("handoff-open\tno"), "the handoff's memfd must be closed once read")
        #expect(result.stdout.contains("sealed read-only") || omote_mseal(nil, 0) != 0)
    }

    @Test("re-executed, omote behaves as before: help, a usage error's exit status, and Ctrl-C's ending")
    func behavesAsBefore() throws {
        let omote = try #require(TestPaths.omoteBinary, "build the omote executable first (swift build)")
        let help = try ChildProcess.run(omote, ["--help"])
        #expect(help.status == 0 && help.stdout.contains("USAGE: omote <subcommand>"))
        let wrong = try ChildProcess.run(omote, ["no-such-command"])
        #expect(wrong.status == 64 && wrong.stderr.contains("Error:"))

        // The same process (exec keeps the PID) receives Ctrl-C once re-executed, and dies of it. Spawned in its own
        // process group with no signal blocked (this runner's threads block most, and a mask survives exec); Ctrl-C
        // reaches the whole group, the sensor process included.
        let scratch = try ChildProcess.makeScratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let pid = try Self.spawnWithSignalsUnblocked(
            omote, ["guard-selftest", "--scratch", scratch, "--publish-marker", "--hold-milliseconds", "10000"])
        let deadline = Date().addingTimeInterval(30)
        while Self.read("/proc/\(pid)/cmdline") != [0], Date() < deadline { usleep(1000) }
        kill(-pid, SIGINT)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        #expect(status & 0x7F == SIGINT, "wait status \(status)")
    }

    @Test("the exec's file name pads the strings at the top of the stack to whole pages")
    func layoutFillsPages() {
        let marker = MemoryLayout<UnsafeRawPointer>.size
        for pageSize in [4096, 16384, 65536] {
            for fixed in [marker + 1, marker + 1 + 30, marker + 1 + 4090, marker + 1 + 4080, marker + 1 + 5000] {
                let layout = ArgumentArea.Layout(pageSize: pageSize, fixedBytes: fixed, sealable: true)
                let total = fixed + layout.path.utf8.count + 1 + (layout.padding.map { $0.utf8.count + 1 } ?? 0)
                #expect(total % pageSize == 0, "page \(pageSize), fixed \(fixed)")
                #expect(layout.path.utf8.count < ArgumentArea.Layout.pathLimit)
                #expect(layout.path.hasSuffix("/proc/self/exe") && layout.path.allSatisfy { $0 != "." })
                #expect(!(layout.padding ?? "").contains("="))
            }
        }
        #expect(ArgumentArea.Layout(pageSize: 4096, fixedBytes: marker + 1, sealable: false).path == "/proc/self/exe")
        #expect(ArgumentArea.Layout(pageSize: 4096, fixedBytes: marker + 1, sealable: true).padding == nil)
    }

    @Test("the handoff decodes what it encodes and refuses what does not match its counts")
    func handoffRoundTrip() throws {
        let handoff = ArgumentArea.Handoff(
            arguments: [Array("omote".utf8), [], [0xFF, 0x20]], environment: [Array("A=b=c".utf8), []],
            processName: Array("omote".utf8))
        #expect(try ArgumentArea.Handoff(decoding: handoff.encoded) == handoff)
        #expect(throws: OmoteError.self) { try ArgumentArea.Handoff(decoding: Array(handoff.encoded.dropLast())) }
        #expect(throws: OmoteError.self) { try ArgumentArea.Handoff(decoding: handoff.encoded + [0x41, 0]) }
        #expect(throws: OmoteError.self) { try ArgumentArea.Handoff(decoding: [1, 0, 0]) }
    }

    // MARK: helpers

    /// The loader's variables would stay visible in environ (sealed, so constant); the tests start without them.
    static func environmentWithoutLoaderVariables() -> [String: String] {
        ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("LD_") && $0.key != "GLIBC_TUNABLES" }
    }

    /// posix_spawn in a new process group, with an empty signal mask and the quit signals at their default action
    /// (`SpawnedProcess.startCleanly`); stdout and stderr to /dev/null.
    static func spawnWithSignalsUnblocked(_ path: String, _ arguments: [String]) throws -> pid_t {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        SpawnedProcess.startCleanly(&attributes)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid = pid_t()
        let result = posix_spawn(&pid, path, &actions, &attributes, argv, environ)
        guard result == 0 else { throw POSIXError(POSIXErrorCode(rawValue: result) ?? .EIO) }
        return pid
    }

    static func children(of parent: Int32) -> [Int32] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return entries.compactMap(Int32.init).filter { pid in
            guard let stat = read("/proc/\(pid)/stat"), let close = stat.lastIndex(of: UInt8(ascii: ")")) else {
                return false
            }
            let fields = stat[(close + 2)...].split(separator: UInt8(ascii: " "))
            return fields.count > 1 && Int32(String(decoding: fields[1], as: UTF8.self)) == parent
        }
    }

    static func read(_ path: String) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 8192)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 { return nil }
            if count == 0 { return bytes }
            bytes += buffer[0 ..< count]
        }
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard haystack.count >= needle.count else { return false }
        return (0 ... haystack.count - needle.count).contains {
            haystack[$0 ..< $0 + needle.count].elementsEqual(needle)
        }
    }

    static func text(_ bytes: [UInt8]) -> String {
        String(decoding: bytes.prefix(120).map { $0 == 0 ? UInt8(ascii: "|") : $0 }, as: UTF8.self)
    }

    static func unhex(_ hex: String) -> String {
        let digits = Array(hex.utf8)
        let bytes = stride(from: 0, to: digits.count - 1, by: 2).compactMap {
            UInt8(String(decoding: digits[$0 ... $0 + 1], as: UTF8.self), radix: 16)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
