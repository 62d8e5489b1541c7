import Foundation
import OmoteTestSupport
import Testing

/// Reads an `strace -f` transcript and lists every call after the guard engaged (the first
/// `prctl(PR_SET_NO_NEW_PRIVS, 1`) that succeeded in writing/creating/changing a file, making a socket or running a
/// program. Interleaved threads (`<unfinished ...>` / `<... resumed>`) are stitched back together per pid.
struct StraceAudit {
    /// The exact trace set documented in Docs/privacy.md.
    static let traceSet =
        "prctl,seccomp,landlock_restrict_self,open,openat,openat2,creat,truncate,ftruncate,rename,renameat,renameat2,"
        + "unlink,unlinkat,mkdir,mkdirat,mknod,mknodat,link,linkat,symlink,symlinkat,socket,socketpair,connect,bind,listen,"
        + "accept,accept4,sendto,sendmsg,sendmmsg,execve,execveat,memfd_create"

    static let mutatingFileCalls: Set<String> = [
        "creat", "truncate", "ftruncate", "rename", "renameat", "renameat2", "unlink",
        "unlinkat", "mkdir", "mkdirat", "mknod", "mknodat", "link", "linkat", "symlink",
        "symlinkat", "memfd_create",
    ]
    static let socketOrExecCalls: Set<String> = [
        "socket", "socketpair", "connect", "bind", "listen", "accept", "accept4",
        "sendto", "sendmsg", "sendmmsg", "execve", "execveat",
    ]
    static let openCalls: Set<String> = ["open", "openat", "openat2"]
    static let writeFlags = ["O_WRONLY", "O_RDWR", "O_CREAT", "O_TRUNC", "O_APPEND", "O_TMPFILE"]

    struct Call: Equatable {
        let name: String
        let arguments: String
        let result: String
        var succeeded: Bool { !result.hasPrefix("-1") && !result.hasPrefix("?") }
    }

    var engaged = false
    var guardInstalled = false
    var callsAfterEngaging: [Call] = []
    var violations: [String] = []

    init(transcript: String) {
        var pending: [String: String] = [:]  // pid → text of an unfinished call
        for rawLine in transcript.split(separator: "\n") {
            var line = String(rawLine)
            var pid = "main"
            if line.hasPrefix("[pid "), let close = line.firstIndex(of: "]") {
                pid = String(line[line.index(line.startIndex, offsetBy: 5) ..< close]).trimmingCharacters(
                    in: .whitespaces)
                line = String(line[line.index(after: close)...]).trimmingCharacters(in: .whitespaces)
            } else if let space = line.firstIndex(of: " "), line[..<space].allSatisfy(\.isNumber) {
                pid = String(line[..<space])  // strace -f -o file style: "1234 openat(...)"
                line = String(line[line.index(after: space)...])
            }
            if line.hasSuffix("<unfinished ...>") {
                pending[pid] = String(line.dropLast("<unfinished ...>".count))
                continue
            }
            if line.hasPrefix("<... "), let resumed = line.range(of: " resumed>") {
                line = (pending.removeValue(forKey: pid) ?? "") + line[resumed.upperBound...]
            }
            guard let call = Self.parse(line) else { continue }
            consider(call)
        }
    }

    static func parse(_ line: String) -> Call? {
        guard let open = line.firstIndex(of: "("), let equals = line.range(of: " = ", options: .backwards) else {
            return nil
        }
        let name = String(line[..<open])
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { return nil }
        return Call(
            name: name, arguments: String(line[line.index(after: open) ..< equals.lowerBound]),
            result: String(line[equals.upperBound...]).trimmingCharacters(in: .whitespaces))
    }

    private mutating func consider(_ call: Call) {
        if !engaged {
            if call.name == "prctl", call.arguments.hasPrefix("PR_SET_NO_NEW_PRIVS, 1"), call.succeeded {
                engaged = true
            }
            return
        }
        callsAfterEngaging.append(call)
        if call.name == "seccomp", call.arguments.contains("SECCOMP_SET_MODE_FILTER"), call.succeeded {
            guardInstalled = true
        }
        guard call.succeeded else { return }
        if Self.openCalls.contains(call.name), Self.writeFlags.contains(where: { call.arguments.contains($0) }) {
            violations.append("write-open after the guard engaged: \(call.name)(\(call.arguments)) = \(call.result)")
        } else if Self.mutatingFileCalls.contains(call.name) || Self.socketOrExecCalls.contains(call.name) {
            violations.append(
                "\(call.name) succeeded after the guard engaged: \(call.name)(\(call.arguments)) = \(call.result)")
        }
    }
}

@Suite("strace shows no write-open, socket or exec after the guard engages")
struct StraceTests {
    @Test("the audit flags successful write-opens, sockets and execs after the marker, and nothing before it")
    func auditFlagsViolations() {
        let transcript = """
            openat(AT_FDCWD, "/tmp/before", O_WRONLY|O_CREAT|O_TRUNC, 0644) = 3
            prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)  = 0
            seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, {len=25, filter=0x1}) = 0
            openat(AT_FDCWD, "/x/manifest.tsv", O_RDONLY|O_NONBLOCK) = 3
            openat(AT_FDCWD, "/tmp/denied", O_WRONLY|O_CREAT|O_TRUNC, 0644) = -1 EACCES (Permission denied)
            socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = -1 EPERM (Operation not permitted)
            [pid  4242] openat(AT_FDCWD, "/tmp/leak", O_RDWR|O_CLOEXEC <unfinished ...>
            [pid  4243] socket(AF_UNIX, SOCK_STREAM, 0) = 5
            [pid  4242] <... openat resumed>) = 7
            execve("/bin/true", ["/bin/true"], 0x7ffc /* 0 vars */) = 0
            """
        let audit = StraceAudit(transcript: transcript)
        #expect(audit.engaged)
        #expect(audit.guardInstalled)
        #expect(audit.violations.count == 3, "\(audit.violations)")
        #expect(audit.violations.contains { $0.contains("/tmp/leak") })
        #expect(audit.violations.contains { $0.hasPrefix("socket succeeded") })
        #expect(audit.violations.contains { $0.hasPrefix("execve succeeded") })
        #expect(!audit.violations.contains { $0.contains("/tmp/before") })
    }

    @Test("Docs/privacy.md documents exactly the trace this suite runs")
    func documentedCommandMatches() throws {
        let doc = try String(contentsOfFile: TestPaths.repositoryRoot + "/Docs/privacy.md", encoding: .utf8)
        #expect(
            doc.contains(
                "strace -f -qq -e trace=\(StraceAudit.traceSet) \\\n  .build/release/omote replay --fast single_face"))
    }

    @Test(
        "omote replay --fast single_face under strace -f: no write-open, socket or exec after the guard",
        .enabled(
            if: FileManager.default.isExecutableFile(atPath: "/usr/bin/strace"),
            "strace is not installed (Scripts/setup.sh installs it)"))
    func replayUnderStrace() throws {
        let omote = try #require(TestPaths.omoteBinary)
        let result = try ChildProcess.run(
            "/usr/bin/strace",
            ["-f", "-qq", "-e", "trace=\(StraceAudit.traceSet)", omote, "replay", "--fast", "single_face"])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr.suffix(2000))")
        #expect(result.stdout.contains("single_face: 72 frames"))
        // Start-up order: not dumpable (no attach, no /proc/PID/mem) before the clip is even looked at, and the
        // whole guard (Landlock, then seccomp) before the first frame is opened.
        let lines = result.stderr.split(separator: "\n").map(String.init)
        let dumpable = lines.firstIndex { $0.contains("prctl(PR_SET_DUMPABLE, SUID_DUMP_DISABLE") }
        let firstClipOpen = lines.firstIndex { $0.contains("openat(") && $0.contains("SampleFrames") }
        // With `-f`, the presenter's and the sensor's calls interleave, and strace splits a call another
        // process interrupts into "… <unfinished ...>" and a later "<... name resumed> … = 0": the call succeeded
        // where its result line says so.
        func succeeded(_ name: String, _ marker: String) -> Int? {
            for (start, line) in lines.enumerated() where line.contains(name + "(" + marker) {
                if line.contains("= 0") { return start }
                guard line.contains("<unfinished ...>") else { continue }
                let pid = line.hasPrefix("[pid") ? String(line.prefix { $0 != "]" }) : ""
                if let end = lines[(start + 1)...].firstIndex(where: {
                    $0.hasPrefix(pid) && $0.contains("<... \(name) resumed>")
                }), lines[end].contains("= 0") {
                    return end
                }
            }
            return nil
        }
        let landlock = succeeded("landlock_restrict_self", "")
        let seccomp = succeeded("seccomp", "SECCOMP_SET_MODE_FILTER")
        let firstFrame = lines.firstIndex { $0.contains("openat(") && $0.contains("single_face/0000.jpg") }
        if let dumpable, let firstClipOpen, let landlock, let seccomp, let firstFrame {
            #expect(dumpable < firstClipOpen, "PR_SET_DUMPABLE 0 must come before anything else the command does")
            #expect(landlock < seccomp && seccomp < firstFrame, "the guard engages before the first frame")
        } else {
            Issue.record(
                "missing start-up steps in the trace: dumpable \(String(describing: dumpable)), clip \(String(describing: firstClipOpen)), landlock \(String(describing: landlock)), seccomp \(String(describing: seccomp)), frame \(String(describing: firstFrame))"
            )
        }
        // strace is a tracer attached from the start: the status line names it.
        #expect(result.stdout.contains("TRACED by PID"), "\(result.stdout)")
        let audit = StraceAudit(transcript: result.stderr)
        #expect(audit.engaged, "no prctl(PR_SET_NO_NEW_PRIVS, 1) in the trace: the guard never engaged")
        #expect(audit.guardInstalled, "no successful seccomp(SECCOMP_SET_MODE_FILTER) after the marker")
        // The replay's reads of the clip happen after the marker, so the trace really covers the frame path.
        #expect(
            audit.callsAfterEngaging.filter {
                $0.name == "openat" && $0.arguments.contains("single_face/") && $0.succeeded
            }.count >= 72)
        #expect(audit.violations.isEmpty, "\(audit.violations.joined(separator: "\n"))")
    }
}
