import Foundation
import OmoteCore
import OmoteTestSupport
import OmoteView
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Reads an `strace -f -y -o FILE` transcript ("PID call(…) = result", descriptors shown as `4<socket:[123]>`) and
/// lists every successful write after the first guard engaged (the first `prctl(PR_SET_NO_NEW_PRIVS, 1`) to anything
/// but the X connection, a pipe omote made itself (the sensor's records, the presenter's commands), or stdout/stderr.
struct WindowWriteAudit {
    static let writeCalls: Set<String> = [
        "write", "writev", "pwrite64", "pwritev", "pwritev2", "sendto", "sendmsg", "sendmmsg",
    ]

    private(set) var engaged = false
    private(set) var displaySocket: String?
    private(set) var ownPipes: Set<String> = []
    private(set) var writesToDisplay = 0
    private(set) var violations: [String] = []

    init(transcript: String) {
        var pending: [Substring: String] = [:]
        for rawLine in transcript.split(separator: "\n") {
            guard let space = rawLine.firstIndex(of: " ") else { continue }
            let pid = rawLine[..<space]
            // strace pads the pid column to five characters: "2174  prctl(…" as well as "12174 prctl(…".
            var line = String(rawLine[rawLine.index(after: space)...].drop(while: { $0 == " " }))
            if line.hasSuffix("<unfinished ...>") {
                pending[pid] = String(line.dropLast("<unfinished ...>".count))
                continue
            }
            if line.hasPrefix("<... "), let resumed = line.range(of: " resumed>") {
                line = (pending.removeValue(forKey: pid) ?? "") + line[resumed.upperBound...]
            }
            consider(line)
        }
    }

    /// "4<socket:[123]>" → "socket:[123]"; the descriptor's number and what it is.
    static func descriptor(_ argument: Substring) -> (number: Int, target: String)? {
        guard let open = argument.firstIndex(of: "<"), let number = Int(argument[..<open]) else { return nil }
        let rest = argument[argument.index(after: open)...]
        guard let close = rest.lastIndex(of: ">") else { return nil }
        return (number, String(rest[..<close]))
    }

    private mutating func consider(_ line: String) {
        guard let open = line.firstIndex(of: "("), let equals = line.range(of: " = ", options: .backwards) else {
            return
        }
        let name = line[..<open]
        let arguments = line[line.index(after: open) ..< equals.lowerBound]
        let succeeded = !line[equals.upperBound...].hasPrefix("-1")
        guard succeeded else { return }
        if name == "pipe2" {
            // pipe2([3<pipe:[1234]>, 4<pipe:[1234]>], O_CLOEXEC)
            for match in arguments.matches(of: /<(pipe:\[\d+\])>/) { ownPipes.insert(String(match.1)) }
        } else if name == "connect", arguments.contains(".X11-unix/X"),
            let first = arguments.split(separator: ",").first, let (_, target) = Self.descriptor(first)
        {
            displaySocket = target
        } else if name == "prctl", arguments.hasPrefix("PR_SET_NO_NEW_PRIVS, 1") {
            engaged = true
        } else if engaged, Self.writeCalls.contains(String(name)),
            let first = arguments.split(separator: ",").first, let (number, target) = Self.descriptor(first)
        {
            if target == displaySocket {
                writesToDisplay += 1
            } else if !(number == 1 || number == 2 || ownPipes.contains(target)) {
                violations.append(String(line.prefix(200)))
            }
        }
    }
}

@Suite("strace: the window view writes only to its X connection and the terminal")
struct WindowStraceTests {
    @Test("the audit tells the X connection, omote's pipes and the terminal from anything else")
    func auditFlagsOtherTargets() {
        let transcript = """
            100   pipe2([3<pipe:[11]>, 4<pipe:[11]>], O_CLOEXEC) = 0
            100 connect(5<socket:[77]>, {sa_family=AF_UNIX, sun_path=@"/tmp/.X11-unix/X3"}, 20) = 0
            100 write(5<socket:[77]>, "before", 6) = 6
            100  prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) = 0
            100 writev(5<socket:[77]>, [{iov_base="x", iov_len=1}], 1) = 1
            100 write(1<pipe:[9]>, "status", 6) = 6
            101 write(4<pipe:[11]>, "record", 6) = 6
            100 write(7</tmp/leak>, "x", 1 <unfinished ...>
            101 sendto(6<socket:[88]>, "x", 1, 0, NULL, 0) = -1 EPERM (Operation not permitted)
            100 <... write resumed>) = 1
            """
        let audit = WindowWriteAudit(transcript: transcript)
        #expect(audit.displaySocket == "socket:[77]")
        #expect(audit.ownPipes == ["pipe:[11]"])
        #expect(audit.writesToDisplay == 1)
        #expect(
            audit.violations.count == 1 && audit.violations[0].hasPrefix("write(7</tmp/leak>"), "\(audit.violations)")
    }

    @Test(
        "omote replay --view window under strace -f: after the guard, writes go to the X socket and the terminal only",
        .enabled(
            if: FileManager.default.isExecutableFile(atPath: "/usr/bin/strace"),
            "strace is not installed (Scripts/setup.sh installs it)"))
    func windowSessionUnderStrace() throws {
        let display = try VirtualDisplay()
        defer { display.stop() }
        let trace = try ChildProcess.makeScratchDirectory() + "/trace"
        defer { try? FileManager.default.removeItem(atPath: (trace as NSString).deletingLastPathComponent) }
        let calls = "prctl,pipe2,connect," + WindowWriteAudit.writeCalls.sorted().joined(separator: ",")
        let session = try WindowSession(
            display: display.name, arguments: ["replay", "single_face", "--view", "window", "--loop"],
            tracer: ["/usr/bin/strace", "-f", "-qq", "-y", "-e", "trace=\(calls)", "-o", trace])
        let client = try X11TestClient(display: display.name)
        let window = try #require(session.window(on: client), "no window:\n\(session.transcript)")
        // Let it draw for a while (frames arrive, the overlay updates), then quit from the window.
        let deadline = Date().addingTimeInterval(60)
        var first = try client.pixels(of: window).pixels
        while first.count(where: { $0 != 0x00FF00 }) < first.count / 50 && Date() < deadline {
            usleep(50_000)
            first = try client.pixels(of: window).pixels
        }
        usleep(1_500_000)
        let q = try #require(try client.keycode(forKeysym: 0x71))
        client.press(q, in: window)
        #expect(session.exit(within: 30) != nil)
        #expect(session.process.terminationStatus == 0, "\(session.transcript)")
        let audit = WindowWriteAudit(transcript: try String(contentsOfFile: trace, encoding: .utf8))
        #expect(audit.engaged, "no prctl(PR_SET_NO_NEW_PRIVS, 1): the guard never engaged")
        #expect(audit.displaySocket != nil, "no connect to the X server in the trace")
        #expect(audit.writesToDisplay >= 10, "only \(audit.writesToDisplay) writes to the X connection after the guard")
        #expect(audit.violations.isEmpty, "\(audit.violations.joined(separator: "\n"))")
    }
}
