import CPrivacyShim
import Foundation
import OmoteTestSupport
import Testing

@testable import OmotePrivacy

/// The forbidden acts, attempted for real in a child `omote guard-selftest` (so this test runner is never locked).
/// The expectations live here, independent of the child's own verdicts: Landlock answers EACCES, seccomp EPERM.
@Suite("Privacy guard: forbidden acts fail in a guarded child process", .serialized)
struct GuardAttemptTests {
    /// Refused by the seccomp allow-list (it answers before Landlock, which would say EACCES for the file acts).
    static let refusedActs = [
        // files and their metadata
        "create-file", "open-existing-for-write", "open-existing-read-write", "open-existing-append",
        "open-existing-truncate", "truncate", "rename", "unlink", "mkdir", "symlink", "hard-link", "mkfifo", "setxattr",
        "utimensat-nanoseconds", "chmod", "chown", "open-device-for-write",
        // descriptors a parent could hand over, and ways to reach them
        "recvmsg-scm-rights", "dup2-onto-stdout", "fcntl-dupfd", "mmap-shared-anonymous",
        // sockets
        "socket-inet", "socket-inet6", "socket-unix", "socket-netlink", "socket-packet", "socketpair-unix",
        "connect-127.0.0.1-listener", "sendto-127.0.0.1", "send-connected-udp", "sendmsg", "bind", "listen", "accept",
        // processes, signals, process metadata, the terminal, limits, dumps
        "fork", "memfd-create", "signal-parent", "signal-init", "prctl-set-name", "set-dumpable", "set-rlimit-core",
        "prlimit-set-memlock", "tiocsti-fd0", "tiocsti-fd1", "tiocsti-fd2", "tioclinux-fd0", "tioclinux-fd1",
        "tioclinux-fd2", "ioctl-fionread-stdout",
    ]
    /// Acts the filter answers by killing the process (each in its own forked child).
    static let fatalActs = [
        "execve-/bin/true", "execveat-/bin/true", "ptrace-peek-parent", "process-vm-writev",
        "process-vm-readv", "io-uring-setup", "open-by-handle-at", "bpf-map-create",
        "add-key-user-keyring", "keyctl", "shmget-0666", "msgget-0666", "semget-0666",
        "unshare-user-namespace",
    ]

    static func inheritedExpectations(_ name: String) -> [String: String] {
        [
            "inherited-\(name)-closed": "EBADF", "write-inherited-\(name)": "EPERM",
            "writev-inherited-\(name)": "EPERM",
            "pwrite-inherited-\(name)": "EPERM", "mmap-shared-inherited-\(name)": "EPERM",
            "ftruncate-inherited-\(name)": "EPERM",
        ]
    }

    /// Expected outcome per act, independent of the child's own verdicts.
    static func expectations(camera: Bool, inherited: [Int32] = []) -> [String: String] {
        var expected: [String: String] = [:]
        for act in refusedActs { expected[act] = "EPERM" }
        if camera { expected["open-camera-node-for-write"] = "EPERM" }  // opened before engaging; never re-opened
        expected["read-existing"] = "ok"
        expected["mmap-private-anonymous"] = "ok"
        expected["signal-self"] = "ok"
        for name in ["file", "udp", "unix"] + inherited.map({ "fd\($0)" }) {
            expected.merge(inheritedExpectations(name)) { $1 }
        }
        return expected
    }

    struct Row {
        let scope: String, act: String, outcome: String
    }

    static func rows(_ result: ChildResult) -> [Row] {
        result.stdoutLines.compactMap { line in
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count == 5 else { return nil }
            return Row(scope: String(fields[0]), act: String(fields[1]), outcome: String(fields[2]))
        }
    }

    func runSelfTest(camera: String?, display: String? = nil) throws -> (
        ChildResult, scratchEntries: [String], existing: String
    ) {
        let omote = try #require(TestPaths.omoteBinary, "build the omote executable first (swift build)")
        let scratch = try ChildProcess.makeScratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        var arguments = [
            "guard-selftest", "--scratch", scratch,
            "--read", TestPaths.sampleManifest, "--read", TestPaths.sampleFrame,
            "--read", TestPaths.trackerModel, "--read", TestPaths.avatar,
        ]
        if let camera { arguments += ["--camera", camera] }
        if let display { arguments += ["--display", display] }
        let result = try ChildProcess.run(omote, arguments)
        let entries = try FileManager.default.contentsOfDirectory(atPath: scratch).sorted()
        let existing = (try? String(contentsOfFile: scratch + "/existing", encoding: .utf8)) ?? "<missing>"
        return (result, entries, existing)
    }

    func check(_ result: ChildResult, camera: Bool, inherited: [Int32] = [], window: Bool = false) throws {
        #expect(result.status == 0, "guard-selftest failed:\n\(result.stdout)\n\(result.stderr)")
        let rows = Self.rows(result)
        let expected = Self.expectations(camera: camera, inherited: inherited)
        for scope in ["main", "thread"] {
            let outcomes = Dictionary(
                rows.filter { $0.scope == scope }.map { ($0.act, $0.outcome) }, uniquingKeysWith: { a, _ in a })
            for (act, want) in expected.sorted(by: { $0.key < $1.key }) {
                #expect(outcomes[act] == want, "\(scope) \(act): got \(outcomes[act] ?? "no result"), want \(want)")
            }
        }
        let fatal = Dictionary(
            rows.filter { $0.scope == "fatal" }.map { ($0.act, $0.outcome) }, uniquingKeysWith: { a, _ in a })
        for act in Self.fatalActs {
            #expect(fatal[act] == "SIGSYS", "\(act): got \(fatal[act] ?? "no result"), want SIGSYS")
        }
        // A sensor process (every mode) cannot write to 0–2 or the terminal; its two pipes are all it has.
        let sensor = Dictionary(
            rows.filter { $0.scope == "sensor" }.map { ($0.act, $0.outcome) }, uniquingKeysWith: { a, _ in a })
        for act in ["write-fd0", "write-fd1", "write-fd2", "open-tty-for-write", "tiocsti-fd0", "ioctl-winsize-fd1"] {
            #expect(sensor[act] == "EPERM", "sensor \(act): got \(sensor[act] ?? "no result")")
        }
        #expect(sensor["only-records-and-commands"] == "ok")
        #expect(sensor["stdio-null-before-engaging"] == "ok", "the sensor held the terminal before engaging")
        var state = Dictionary(
            rows.filter { $0.scope == "state" }.map { ($0.act, $0.outcome) }, uniquingKeysWith: { a, _ in a })
        if window {
            // The X connection is the one descriptor kept besides 0–2.
            let open = state["open-descriptors"]?.split(separator: ",") ?? []
            #expect(open.count == 4 && open.prefix(3) == ["0", "1", "2"], "open: \(open)")
            state["open-descriptors"] = open.prefix(3).joined(separator: ",")
        }
        #expect(
            state == [
                "no_new_privs": "1", "seccomp-mode": "2", "dumpable": "0", "rlimit-core": "0/0",
                "open-descriptors": "0,1,2", "argument-area": omote_mseal(nil, 0) == 0 ? "sealed" : "unsealed",
            ])
        // guard-selftest decodes nothing and opens no camera: it never mapped libturbojpeg, libv4l2 or libjpeg, and a
        // decoder or camera asked for now is refused cleanly.
        let decoder = Dictionary(
            rows.filter { $0.scope == "decoder" }.map { ($0.act, $0.outcome) }, uniquingKeysWith: { a, _ in a })
        #expect(
            decoder == [
                "libturbojpeg-mapped": "not-mapped", "libjpeg-mapped": "not-mapped", "libv4l-mapped": "not-mapped",
                "decoder-after-engaging": "capture.decoderNotLoaded",
                "camera-after-engaging": "capture.cameraLibraryNotLoaded",
            ])
        // After the steady-state narrowing: no opens, path look-ups, file or executable mappings, prctl — on this
        // thread and a new one — while an open descriptor and anonymous memory still work.
        let steady = Dictionary(
            rows.filter { $0.scope == "steady" }.map { ($0.act, $0.outcome) }, uniquingKeysWith: { a, _ in a })
        #expect(
            steady == [
                "open-read-before-narrowing": "ok", "narrow": "ok", "open-read": "EPERM", "openat-read": "EPERM",
                "access-path": "EPERM", "readlink-proc-self-exe": "EPERM",
                "prctl-get-seccomp": "EPERM", "mmap-file": "EPERM", "mmap-anonymous-executable": "EPERM",
                "mmap-private-anonymous": "ok", "mprotect-add-exec": "EPERM", "read-open-descriptor": "ok",
                "thread-open-read": "EPERM",
            ])
        #expect(rows.contains { $0.scope == "memory" && $0.act == "private-buffer" && $0.outcome == "locked" })
        #expect(result.stdout.contains("guard: Landlock v7 fs+net+scope, seccomp allow-list of "))
    }

    func check(camera: String?) throws {
        let (result, entries, existing) = try runSelfTest(camera: camera)
        let abiLine = result.stdoutLines.first { $0.hasPrefix("landlock-abi\t") }
        let abi = try #require(
            abiLine.flatMap { Int($0.dropFirst("landlock-abi\t".count)) }, "no ABI line:\n\(result.stdout)")
        try #require(abi >= 6, "this test's expectations need Landlock ABI ≥ 6; the kernel offers \(abi)")
        try check(result, camera: camera != nil)
        let rows = Self.rows(result)
        // Reads keep working under the guard.
        for path in [
            TestPaths.sampleManifest, TestPaths.sampleFrame, TestPaths.trackerModel,
            TestPaths.avatar,
        ] {
            #expect(
                rows.contains { $0.scope == "read" && $0.act == path && $0.outcome == "ok" },
                "read of \(path) failed under the guard")
        }
        // Nothing left behind: only the fixture file, unchanged (the inherited write descriptor wrote nothing).
        #expect(entries == ["existing"])
        #expect(existing == "omote guard self-test: this file must survive unchanged\n")
    }

    @Test("descriptors a real parent leaves open (a file for append, one read-write) are closed and unusable")
    func inheritedFromParent() throws {
        let omote = try #require(TestPaths.omoteBinary)
        let scratch = try ChildProcess.makeScratchDirectory()
        let outside = try ChildProcess.makeScratchDirectory()
        defer {
            try? FileManager.default.removeItem(atPath: scratch)
            try? FileManager.default.removeItem(atPath: outside)
        }
        let target = outside + "/parent-file"
        try "parent's file\n".write(toFile: target, atomically: false, encoding: .utf8)
        let result = try ChildProcess.run(
            "/bin/sh",
            [
                "-c",
                "exec 3>>\"$1\" 4<>\"$1\"; exec \"$0\" guard-selftest --scratch \"$2\" --inherited 3 --inherited 4",
                omote, target, scratch,
            ])
        try check(result, camera: false, inherited: [3, 4])
        #expect(result.stdout.contains("closed "), "the status line names the closed descriptors:\n\(result.stdout)")
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "parent's file\n")
    }

    @Test("stdout or stderr that is a socket is refused before anything else happens", arguments: ["stdout", "stderr"])
    func socketOutputRefused(stream: String) throws {
        let omote = try #require(TestPaths.omoteBinary)
        let scratch = try ChildProcess.makeScratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        var pair: [Int32] = [-1, -1]
        try #require(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &pair) == 0)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: omote)
        process.arguments = ["guard-selftest", "--scratch", scratch]
        let socketEnd = FileHandle(fileDescriptor: pair[1], closeOnDealloc: false)
        let other = Pipe()
        if stream == "stdout" {
            process.standardOutput = socketEnd
            process.standardError = other
        } else {
            process.standardOutput = other
            process.standardError = socketEnd
        }
        process.standardInput = FileHandle.nullDevice
        try process.run()
        close(pair[1])
        let fromSocket = FileHandle(fileDescriptor: pair[0], closeOnDealloc: true).readDataToEndOfFile()
        let fromPipe = other.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: fromSocket + fromPipe, as: UTF8.self)
        #expect(process.terminationStatus == 2, "\(text)")
        #expect(text.contains("cannot engage the privacy guard (descriptors): \(stream) is a socket"))
        #expect(!text.contains("\tPASS"))
    }

    @Test(
        "a refused mlock is an error; with --allow-swappable-memory the status line warns",
        .enabled(
            if: FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"),
            "setpriv (util-linux) is needed to drop CAP_IPC_LOCK"))
    func memoryLockFailure() throws {
        let omote = try #require(TestPaths.omoteBinary)
        for allow in [false, true] {
            let scratch = try ChildProcess.makeScratchDirectory()
            defer { try? FileManager.default.removeItem(atPath: scratch) }
            // Without CAP_IPC_LOCK (root has it) a zero RLIMIT_MEMLOCK makes every mlock fail.
            let result = try ChildProcess.run(
                "/usr/bin/setpriv",
                [
                    "--inh-caps=-ipc_lock", "--bounding-set=-ipc_lock", "--",
                    "/bin/sh", "-c", "ulimit -l 0; exec \"$0\" guard-selftest --scratch \"$1\" $2",
                    omote, scratch, allow ? "--allow-swappable-memory" : "",
                ])
            let rows = Self.rows(result)
            let memory = rows.first { $0.scope == "memory" && $0.act == "private-buffer" }?.outcome
            #expect(memory == (allow ? "unlocked" : "lock-refused"), "\(result.stdout)")
            #expect(result.status == 1, "the refused lock is reported as a failed check")
            if allow {
                #expect(result.stdout.contains("WARNING 1 private buffer(s) not locked"), "\(result.stdout)")
            }
        }
    }

    @Test("files, sockets, exec and process access are refused on the main thread and a thread started after engaging")
    func forbiddenActsWithoutCamera() throws { try check(camera: nil) }

    @Test("with a camera node allowed, only that node opens for writing")
    func forbiddenActsWithCameraNode() throws { try check(camera: "/dev/null") }

    @Test("with the window view's X connection kept, every act is still refused and the window still draws")
    func forbiddenActsWithWindow() throws {
        let display = try VirtualDisplay()
        defer { display.stop() }
        let (result, entries, _) = try runSelfTest(camera: nil, display: display.name)
        try check(result, camera: false, window: true)
        let window = Dictionary(
            Self.rows(result).filter { $0.scope == "window" }.map { ($0.act, $0.outcome) },
            uniquingKeysWith: { a, _ in a })
        #expect(
            window == [
                "present-and-read-back": "ok", "sendmsg-descriptor-over-display": "EPERM", "sendto-display": "EPERM",
                "connect-display-again": "EPERM", "dup-display": "EPERM",
            ])
        #expect(result.stdout.contains("writes only the terminal and the X window's connection"), "\(result.stdout)")
        #expect(entries == ["existing"])
    }

    @Test("a full replay of SampleFrames decodes under the guard")
    func replayUnderGuard() throws {
        let omote = try #require(TestPaths.omoteBinary)
        let result = try ChildProcess.run(omote, ["replay", "--fast"])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        let lines = result.stdoutLines
        #expect(
            lines.first?.hasPrefix("guard: Landlock v") == true,
            "replay must engage the guard before the first frame:\n\(result.stdout)")
        #expect(
            result.stderr.contains("guard engaged, seccomp allow-list of") && result.stderr.contains("sensor: pid"),
            "frames are processed in the confined sensor:\n\(result.stderr)")
        for (clip, frames) in [("single_face", 72), ("face_noface", 169), ("no_face", 95)] {
            #expect(
                lines.contains { $0.hasPrefix("\(clip): \(frames) frames 640×360, 0 corrupt") },
                "\(clip) did not replay fully:\n\(result.stdout)")
        }
    }

    @Test("a camera path that is not a character device is refused before anything is locked")
    func cameraMustBeCharacterDevice() throws {
        let omote = try #require(TestPaths.omoteBinary)
        let scratch = try ChildProcess.makeScratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let result = try ChildProcess.run(
            omote, ["guard-selftest", "--scratch", scratch, "--camera", TestPaths.sampleManifest])
        #expect(result.status == 2)
        #expect(result.stdout.contains("cannot engage the privacy guard (camera node)"))
        #expect(result.stdout.contains("is not a character device"))
    }

    @Test("engaging after a thread started fails closed: nothing is attempted and the reason is named")
    func refusesInMultiThreadedProcess() throws {
        let omote = try #require(TestPaths.omoteBinary)
        let scratch = try ChildProcess.makeScratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let result = try ChildProcess.run(omote, ["guard-selftest", "--scratch", scratch, "--thread-before-engaging"])
        #expect(result.status == 2, "\(result.stdout)\n\(result.stderr)")
        #expect(
            result.stdout.contains("cannot engage the privacy guard (thread check): 2 threads are already running"))
        #expect(!result.stdout.contains("\tPASS") && !result.stdout.contains("\tFAIL"))
    }

    @Test("omote doctor reports what this kernel can enforce")
    func doctorReportsCapabilities() throws {
        let omote = try #require(TestPaths.omoteBinary)
        let result = try ChildProcess.run(omote, ["doctor"])
        let capabilities = PrivacyGuard.probe()
        #expect(result.stdout.contains("privacy: Landlock v\(capabilities.landlock.abi)"))
        #expect(result.stdout.contains("privacy: seccomp filters available"))
        #expect(result.stdout.contains("allow-list of"))
        #expect(result.stdout.contains("privacy verdict: \(capabilities.verdict)"))
        // One verdict, consistent with the lines: a FAIL among the privacy lines means the guard cannot engage.
        let failedPrivacy = result.stdoutLines.contains { $0.hasPrefix("FAIL privacy:") }
        #expect(failedPrivacy == !capabilities.canEngage)
        #expect(result.stdout.contains("cannot engage") == failedPrivacy)
        #expect(result.stdout.contains("privacy: Yama") || result.stdout.contains("ptrace_scope"))
        // The process layout of a terminal session, one line.
        #expect(
            result.stdout.contains("note split: sensor process (camera, decoder, networks; no terminal) writes only"))
    }
}
