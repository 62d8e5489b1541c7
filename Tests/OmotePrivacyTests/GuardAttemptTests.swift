import Foundation
@testable import OmotePrivacy
import Testing

/// The forbidden acts, attempted for real in a child `omote guard-selftest` (so this test runner is never locked).
/// The expectations live here, independent of the child's own verdicts: Landlock answers EACCES, seccomp EPERM.
@Suite("Privacy guard: forbidden acts fail in a guarded child process", .serialized)
struct GuardAttemptTests {
    static let filesystemActs = ["create-file", "open-existing-for-write", "open-existing-read-write", "truncate", "rename",
                                 "unlink", "mkdir", "symlink", "hard-link", "mkfifo"]
    static let seccompActs = ["socket-inet", "socket-inet6", "socket-unix", "socket-netlink", "socket-packet",
                              "socketpair-unix", "connect-127.0.0.1-listener", "sendto-127.0.0.1", "sendmsg", "bind",
                              "listen", "accept", "ptrace-peek-parent", "process-vm-writev", "memfd-create", "io-uring-setup",
                              "open-by-handle-at", "set-dumpable", "set-rlimit-core", "execveat-/bin/true", "execve-/bin/true"]

    /// Expected outcome per act on a kernel with Landlock ABI ≥ 6 (this machine offers 7).
    static func expectations(camera: Bool) -> [String: String] {
        var expected: [String: String] = [:]
        for act in filesystemActs { expected[act] = "EACCES" }
        for act in seccompActs { expected[act] = "EPERM" }
        expected["signal-parent"] = "EPERM"  // Landlock signal scope (ABI 6)
        if camera {
            expected["open-camera-node-for-write"] = "ok"
            expected["open-other-device-for-write"] = "EACCES"
        } else {
            expected["open-device-for-write"] = "EACCES"
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

    func runSelfTest(camera: String?) throws -> (ChildResult, scratchEntries: [String], existing: String) {
        let omote = try #require(PrivacyTestPaths.omoteBinary, "build the omote executable first (swift build)")
        let scratch = try ChildProcess.makeScratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        var arguments = ["guard-selftest", "--scratch", scratch,
                         "--read", PrivacyTestPaths.sampleManifest, "--read", PrivacyTestPaths.sampleFrame,
                         "--read", PrivacyTestPaths.dlibModel, "--read", PrivacyTestPaths.cascade]
        if let camera { arguments += ["--camera", camera] }
        let result = try ChildProcess.run(omote, arguments)
        let entries = try FileManager.default.contentsOfDirectory(atPath: scratch).sorted()
        let existing = (try? String(contentsOfFile: scratch + "/existing", encoding: .utf8)) ?? "<missing>"
        return (result, entries, existing)
    }

    func check(camera: String?) throws {
        let (result, entries, existing) = try runSelfTest(camera: camera)
        #expect(result.status == 0, "guard-selftest failed:\n\(result.stdout)\n\(result.stderr)")
        let abiLine = result.stdoutLines.first { $0.hasPrefix("landlock-abi\t") }
        let abi = try #require(abiLine.flatMap { Int($0.dropFirst("landlock-abi\t".count)) }, "no ABI line:\n\(result.stdout)")
        try #require(abi >= 6, "this test's expectations need Landlock ABI ≥ 6; the kernel offers \(abi)")

        let rows = Self.rows(result)
        let expected = Self.expectations(camera: camera != nil)
        for scope in ["main", "thread"] {
            let outcomes = Dictionary(rows.filter { $0.scope == scope }.map { ($0.act, $0.outcome) }, uniquingKeysWith: { a, _ in a })
            for (act, want) in expected.sorted(by: { $0.key < $1.key }) {
                #expect(outcomes[act] == want, "\(scope) \(act): got \(outcomes[act] ?? "no result"), want \(want)")
            }
        }
        // Reads keep working under the guard.
        for path in [PrivacyTestPaths.sampleManifest, PrivacyTestPaths.sampleFrame, PrivacyTestPaths.dlibModel, PrivacyTestPaths.cascade] {
            #expect(rows.contains { $0.scope == "read" && $0.act == path && $0.outcome == "ok" }, "read of \(path) failed under the guard")
        }
        let state = Dictionary(rows.filter { $0.scope == "state" }.map { ($0.act, $0.outcome) }, uniquingKeysWith: { a, _ in a })
        #expect(state == ["no_new_privs": "1", "seccomp-mode": "2", "dumpable": "0", "rlimit-core": "0/0"])
        // Nothing left behind: only the fixture file, unchanged.
        #expect(entries == ["existing"])
        #expect(existing == "omote guard self-test: this file must survive unchanged\n")
        #expect(result.stdout.contains("guard: Landlock v\(min(abi, 7)) fs+net+scope, seccomp 17 syscalls, no dumps"))
    }

    @Test("files, sockets, exec and process access are refused on the main thread and a thread started after engaging")
    func forbiddenActsWithoutCamera() throws { try check(camera: nil) }

    @Test("with a camera node allowed, only that node opens for writing")
    func forbiddenActsWithCameraNode() throws { try check(camera: "/dev/null") }

    @Test("a full replay of SampleFrames decodes under the guard")
    func replayUnderGuard() throws {
        let omote = try #require(PrivacyTestPaths.omoteBinary)
        let result = try ChildProcess.run(omote, ["replay", "--fast"])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        let lines = result.stdoutLines
        #expect(lines.first?.hasPrefix("guard: Landlock v") == true, "replay must engage the guard before the first frame:\n\(result.stdout)")
        for (clip, frames) in [("single_face", 72), ("face_noface", 169), ("no_face", 95)] {
            #expect(lines.contains { $0.hasPrefix("\(clip): \(frames) frames 640×360, 0 corrupt") }, "\(clip) did not replay fully:\n\(result.stdout)")
        }
    }

    @Test("a camera path that is not a character device is refused before anything is locked")
    func cameraMustBeCharacterDevice() throws {
        let omote = try #require(PrivacyTestPaths.omoteBinary)
        let scratch = try ChildProcess.makeScratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let result = try ChildProcess.run(omote, ["guard-selftest", "--scratch", scratch, "--camera", PrivacyTestPaths.sampleManifest])
        #expect(result.status == 2)
        #expect(result.stdout.contains("privacy guard could not be engaged (camera node)"))
        #expect(result.stdout.contains("is not a character device"))
    }

    @Test("engaging after a thread started fails closed: nothing is attempted and the reason is named")
    func refusesInMultiThreadedProcess() throws {
        let omote = try #require(PrivacyTestPaths.omoteBinary)
        let scratch = try ChildProcess.makeScratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let result = try ChildProcess.run(omote, ["guard-selftest", "--scratch", scratch, "--thread-before-engaging"])
        #expect(result.status == 2, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("privacy guard could not be engaged (thread check): 2 threads are already running"))
        #expect(!result.stdout.contains("\tPASS") && !result.stdout.contains("\tFAIL"))
    }

    @Test("omote doctor reports what this kernel can enforce")
    func doctorReportsCapabilities() throws {
        let omote = try #require(PrivacyTestPaths.omoteBinary)
        let result = try ChildProcess.run(omote, ["doctor"])
        let capabilities = PrivacyGuard.probe()
        #expect(result.stdout.contains("privacy: Landlock v\(capabilities.landlock.abi)"))
        #expect(result.stdout.contains("privacy: seccomp filters available"))
        #expect(result.stdout.contains("the privacy guard can be fully engaged on this kernel") == capabilities.canEngage)
    }
}
