import Foundation
import OmoteTestSupport
import Testing

/// The repository-wide rule: nothing in Sources/ may write frames or expression data to a file, pipe or socket, or
/// hand them to another program. Every use of an API that could do so must appear in `SourceRule.allowlist` with the
/// reason it is safe; a new use fails this test until someone reviews it and adds an entry.
enum SourceRule {
    /// APIs that create or write files, open sockets, start programs or serialise values.
    static let forbiddenTokens: [(token: String, what: String)] = [
        // Files opened or created for writing, and filesystem changes.
        ("fopen(", "stdio file open"), ("fdopen(", "stdio file open"), ("freopen(", "stdio file open"),
        ("creat(", "file creation"), ("O_CREAT", "open flag creating a file"), ("O_WRONLY", "open flag for writing"),
        ("O_RDWR", "open flag for writing"), ("O_TRUNC", "open flag truncating a file"),
        ("O_APPEND", "open flag for writing"),
        ("O_TMPFILE", "anonymous file creation"), ("write(to", "Data/String write to a file"),
        ("write(toFile", "write to a file"), ("createFile(", "FileManager file creation"),
        ("FileHandle(forWriting", "file handle for writing"), ("FileHandle(forUpdating", "file handle for writing"),
        ("OutputStream(", "Foundation output stream"), ("createDirectory(", "directory creation"),
        ("copyItem(", "file copy"), ("moveItem(", "file move"), ("createSymbolicLink(", "symlink creation"),
        ("linkItem(", "hard link creation"), ("removeItem(", "file removal"), ("mkfifo(", "fifo creation"),
        ("mknod(", "device node creation"), ("mkstemp(", "temp file creation"), ("mkdtemp(", "temp dir creation"),
        ("tmpfile(", "temp file creation"), ("truncate(", "truncate"), ("ftruncate(", "truncate"),
        ("rename(", "rename"), ("renameat(", "rename"), ("unlink(", "file removal"), ("unlinkat(", "file removal"),
        ("mkdir(", "directory creation"), ("symlink(", "symlink creation"), ("link(", "hard link creation"),
        ("linkat(", "hard link creation"), ("memfd_create(", "anonymous memory file"),
        ("shm_open(", "shared memory file"),
        // Sockets and network.
        ("socket(", "socket creation"), ("socketpair(", "socket creation"), ("connect(", "socket connect"),
        ("bind(", "socket bind"), ("listen(", "socket listen"), ("accept(", "socket accept"),
        ("accept4(", "socket accept"),
        ("sendto(", "socket send"), ("sendmsg(", "socket send"), ("sendmmsg(", "socket send"),
        ("URLSession", "network client"), ("URLRequest", "network request"), ("NWConnection", "network connection"),
        ("NWListener", "network listener"), ("CFSocket", "socket"),
        // Other programs.
        ("Process(", "child process"), ("posix_spawn", "child process"), ("execv", "exec"), ("execve(", "exec"),
        ("execl", "exec"),
        ("popen(", "child process with a pipe"), ("system(", "shell command"), ("fork(", "child process"),
        ("vfork(", "child process"),
        // Serialisation of values (types carrying frames or expression data must not be encodable).
        ("Codable", "encodable type"), ("Encodable", "encodable type"), ("JSONEncoder", "serialiser"),
        ("PropertyListEncoder", "serialiser"), ("NSKeyedArchiver", "serialiser"), ("JSONSerialization", "serialiser"),
    ]

    struct Allowance {
        /// A file, or a directory prefix ending in "/".
        let path: String
        let tokens: Set<String>
        let why: String
    }

    /// Every reviewed use. Keep each entry as narrow as possible and say why it cannot leak frames or expressions.
    static let allowlist: [Allowance] = [
        // The camera open: V4L2 devices are opened O_RDWR for their ioctls and buffer queue. The privacy guard leaves
        // exactly that character device writable (Landlock rule on the node) and nothing else.
        Allowance(
            path: "Sources/OmoteCapture/V4L2/V4L2Driver.swift", tokens: ["O_RDWR"],
            why: "V4L2 camera node opened read-write for its ioctls (the one path the guard allows)"),
        // The guard's own self-test (hidden `omote guard-selftest`): test code that, before engaging, creates one file
        // in the empty scratch directory named on its command line, a 127.0.0.1 listener and stand-ins for inherited
        // descriptors, then attempts every forbidden act under the guard to show the kernel refuses it. It never
        // touches a frame.
        Allowance(
            path: "Sources/OmoteCLI/GuardSelfTestCommand.swift",
            tokens: ["O_CREAT", "O_WRONLY", "O_APPEND", "socket(", "socketpair(", "connect(", "bind(", "listen("],
            why: "privacy guard self-test: fixtures in a scratch dir and sockets, made before engaging"),
        Allowance(
            path: "Sources/OmoteCLI/GuardAttempts.swift",
            tokens: [
                "O_CREAT", "O_WRONLY", "O_RDWR", "O_APPEND", "O_TRUNC", "truncate(", "ftruncate(", "rename(",
                "unlink(", "mkdir(", "symlink(", "link(", "mkfifo(", "socket(", "socketpair(", "connect(",
                "sendto(", "sendmsg(", "bind(", "listen(", "accept(",
            ],
            why: "privacy guard self-test: forbidden acts attempted under the guard (each must be refused)"),
        Allowance(
            path: "Sources/OmoteCLI/GuardAttempts+Window.swift", tokens: ["sendto(", "connect("],
            why: "privacy guard self-test, window mode: sends and a second connect on the X socket (must be refused)"),
        Allowance(
            path: "Sources/OmoteCLI/FatalAttempts.swift", tokens: ["execv"],
            why: "privacy guard self-test: exec attempted under the guard in a forked child that must die of SIGSYS"),
        Allowance(
            path: "Sources/CGuardSelfTest/CGuardSelfTest.c", tokens: ["fork(", "sendmsg("],
            why: "self-test only: forks the children for fatal attempts and passes a descriptor, before engaging"),
        // The sensor process of every mode: forked before either side engages; it holds the frames and can write only
        // fixed-size records to the presenter, which holds the terminal and no frame.
        Allowance(
            path: "Sources/OmotePipeline/SensorProcess.swift", tokens: ["fork("],
            why: "privilege separation: frames are processed in a sensor that holds no terminal (Docs/privacy.md)"),
        Allowance(
            path: "Sources/OmoteCLI/SensorAttempts.swift", tokens: ["O_WRONLY"],
            why: "privacy guard self-test: the sensor tries to open the terminal for writing (must be refused)"),
        // The re-plug launcher: forks one session generation per plug-in of the camera; each generation opens the
        // camera and engages its own guard before its first frame, the launcher never holds a frame.
        Allowance(
            path: "Sources/OmotePipeline/CameraGenerations.swift", tokens: ["fork("],
            why: "re-plug launcher: a fresh, separately guarded session per plug-in (Docs/privacy.md)"),
        // The argument area: before anything else (no frame, no guard yet), `omote` re-executes itself with an empty
        // argument area, handing its own arguments over in a memfd, so that /proc/PID/cmdline and environ can be sealed.
        Allowance(
            path: "Sources/OmotePrivacy/ArgumentArea+Reexec.swift", tokens: ["execve("],
            why: "re-exec of /proc/self/exe at start-up, before any frame exists, to seal the argument area"),
        // The filter's own flag table: names the write flags so that every open carrying one is refused.
        Allowance(
            path: "Sources/CPrivacyShim/CPrivacyShim.c",
            tokens: ["O_WRONLY", "O_RDWR", "O_CREAT", "O_TRUNC", "O_APPEND", "O_TMPFILE"],
            why: "compile-time checks of the open flags the seccomp filter refuses"),
    ]

    struct Finding: CustomStringConvertible {
        let file: String, line: Int, token: String, what: String, text: String
        var description: String { "\(file):\(line): \(what) (\(token)): \(text.trimmingCharacters(in: .whitespaces))" }
    }

    /// Source files under `root/Sources` (Swift and C).
    static func sourceFiles(root: String) -> [String] {
        let sources = root + "/Sources"
        let enumerator = FileManager.default.enumerator(atPath: sources)
        var files: [String] = []
        while let relative = enumerator?.nextObject() as? String {
            if [".swift", ".c", ".h", ".cpp", ".hpp", ".m"].contains(where: { relative.hasSuffix($0) }) {
                files.append("Sources/" + relative)
            }
        }
        return files.sorted()
    }

    /// The line with `//` comments and C block-comment lines removed (string literals keep their contents, so an
    /// API named inside a string still counts: conservative).
    static func code(of line: Substring, inBlockComment: inout Bool) -> String {
        var result = ""
        var inString = false
        var previous: Character = " "
        var index = line.startIndex
        while index < line.endIndex {
            let character = line[index]
            let next = line.index(after: index) < line.endIndex ? line[line.index(after: index)] : " "
            if inBlockComment {
                if character == "*", next == "/" {
                    inBlockComment = false
                    index = line.index(after: index)
                }
            } else if inString {
                result.append(character)
                if character == "\"", previous != "\\" { inString = false }
            } else if character == "\"" {
                inString = true
                result.append(character)
            } else if character == "/", next == "/" {
                break
            } else if character == "/", next == "*" {
                inBlockComment = true
                index = line.index(after: index)
            } else {
                result.append(character)
            }
            previous = character
            index = line.index(after: index)
        }
        return result
    }

    /// Whether `token` occurs in `code` as an API name (not as the tail of a longer identifier).
    static func contains(_ code: String, token: String) -> Bool {
        var searchStart = code.startIndex
        while let range = code.range(of: token, range: searchStart ..< code.endIndex) {
            let startsIdentifier = token.first.map { $0.isLetter || $0 == "_" } ?? false
            let before = range.lowerBound > code.startIndex ? code[code.index(before: range.lowerBound)] : " "
            let leftBoundary = !startsIdentifier || !(before.isLetter || before.isNumber || before == "_")
            let endsIdentifier = token.last.map { $0.isLetter || $0.isNumber || $0 == "_" } ?? false
            let after = range.upperBound < code.endIndex ? code[range.upperBound] : " "
            let rightBoundary = !endsIdentifier || !(after.isLetter || after.isNumber || after == "_")
            if leftBoundary, rightBoundary { return true }
            searchStart = range.upperBound
        }
        return false
    }

    static func findings(root: String, files: [String]) -> [Finding] {
        var findings: [Finding] = []
        for file in files {
            guard let text = try? String(contentsOfFile: root + "/" + file, encoding: .utf8) else { continue }
            var inBlockComment = false
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let code = code(of: line, inBlockComment: &inBlockComment)
                for rule in forbiddenTokens where contains(code, token: rule.token) {
                    findings.append(
                        Finding(file: file, line: number + 1, token: rule.token, what: rule.what, text: String(line)))
                }
            }
        }
        return findings
    }

    static func allowance(for finding: Finding) -> Allowance? {
        allowlist.first { entry in
            (entry.path.hasSuffix("/") ? finding.file.hasPrefix(entry.path) : finding.file == entry.path)
                && entry.tokens.contains(finding.token)
        }
    }
}

@Suite("Repository rule: no file-writing, socket, exec or serialisation APIs in Sources/ outside the allowlist")
struct SourceRuleTests {
    @Test("Sources/ uses no unreviewed file-writing, socket, exec or serialisation API")
    func noUnreviewedUses() throws {
        let root = TestPaths.repositoryRoot
        let files = SourceRule.sourceFiles(root: root)
        try #require(files.contains("Sources/OmotePrivacy/PrivacyGuard.swift"), "Sources/ not found under \(root)")
        let findings = SourceRule.findings(root: root, files: files)
        let unreviewed = findings.filter { SourceRule.allowance(for: $0) == nil }
        #expect(
            unreviewed.isEmpty,
            """
            New uses of APIs that can write files, open sockets, run programs or serialise values. Frames and \
            expression data must never leave the process; if this use is safe, add a commented entry to \
            SourceRule.allowlist (Tests/OmotePrivacyTests/SourceRuleTests.swift):
            \(unreviewed.map(\.description).joined(separator: "\n"))
            """)
        // No stale entries: an allowance for code that exists must still be needed (entries for code on another
        // branch that has not been merged yet are skipped until the file exists).
        for entry in SourceRule.allowlist where FileManager.default.fileExists(atPath: root + "/" + entry.path) {
            let used = findings.filter { SourceRule.allowance(for: $0)?.path == entry.path }.map(\.token)
            #expect(
                Set(used) == entry.tokens,
                "allowlist entry \(entry.path) lists tokens no longer used: \(entry.tokens.subtracting(used).sorted())")
        }
    }

    @Test("the scanner catches writes, sockets and encoders, and ignores comments and longer identifiers")
    func scannerCatchesAndIgnores() {
        var block = false
        func flagged(_ line: String) -> [String] {
            let code = SourceRule.code(of: Substring(line), inBlockComment: &block)
            return SourceRule.forbiddenTokens.filter { SourceRule.contains(code, token: $0.token) }.map(\.token)
        }
        #expect(flagged("let fd = open(path, O_WRONLY | O_CREAT, 0o600)").sorted() == ["O_CREAT", "O_WRONLY"])
        #expect(flagged("try data.write(to: url)") == ["write(to"])
        #expect(flagged("let s = Glibc.socket(AF_INET, SOCK_STREAM, 0)") == ["socket("])
        #expect(flagged("struct Weights: Codable {") == ["Codable"])
        #expect(flagged("let session = URLSession.shared") == ["URLSession"])
        #expect(flagged("FileManager.default.createFile(atPath: p, contents: d)") == ["createFile("])
        #expect(flagged("// socket( in a comment, O_CREAT too").isEmpty)
        #expect(flagged("omote_landlock_create_ruleset(&attr, size, 0); struct Model: Decodable {}").isEmpty)
        #expect(flagged("let x = filesystem(1); unlinked(2)").isEmpty)
        #expect(flagged("/* fopen( inside a block").isEmpty && block)
        #expect(flagged("   still inside */ FILE *f = fopen(name, \"w\");") == ["fopen("])
    }
}
