import ArgumentParser
import Omote
import CPrivacyShim
import OmotePrivacy
#if canImport(Glibc)
import Glibc
#endif

/// Hidden self-test of the privacy guard (run by OmotePrivacyTests in a child process, and by anyone who wants to see
/// the guard refuse): engages the guard, then attempts each forbidden act from the main thread and from a thread
/// started after engaging, and prints one line per attempt with the errno the kernel returned.
///
/// This is the only place in Sources/ that deliberately performs writes and opens sockets, and it is test code: before
/// engaging it creates one file (`existing`) inside the EMPTY scratch directory given on the command line, a TCP
/// listener and two unconnected sockets on 127.0.0.1, so that the attempts after engaging have something to act on.
/// No frame or expression data exists in this command.
struct GuardSelfTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "guard-selftest",
        abstract: "Engage the privacy guard, then try every forbidden act and report the kernel's answer.",
        shouldDisplay: false
    )

    @Option(help: "An existing, empty scratch directory (e.g. from mktemp -d). The only place the self-test writes, before engaging.")
    var scratch: String

    @Option(help: "A file that must stay readable under the guard (repeatable).")
    var read: [String] = []

    @Option(help: "A character device to allow as the camera node (e.g. /dev/null as a stand-in).")
    var camera: String?

    @Flag(help: "Start a thread before engaging, to show the guard refuses (fails closed) in a multi-threaded process.")
    var threadBeforeEngaging = false

    func run() throws {
        let fixture = try SelfTestFixture(scratch: scratch)
        if threadBeforeEngaging {
            var thread = pthread_t()
            _ = pthread_create(&thread, nil, { _ in pause(); return nil }, nil)
        }
        let status: PrivacyGuardStatus
        do { status = try PrivacyGuard.engage(cameraDevice: camera) } catch {
            print("guard-selftest: \(error)")
            throw ExitCode(2)
        }
        print(status.summary)
        print("landlock-abi\t\(status.landlock.abi)")

        var results = GuardAttempts.run(fixture: fixture, camera: camera, policy: status.landlock, scope: "main")
        results += GuardAttempts.runOnNewThread(fixture: fixture, camera: camera, policy: status.landlock)
        for path in read { results.append(GuardAttempts.readCheck(path)) }
        results += GuardAttempts.stateChecks()
        results.append(fixture.leftBehindCheck())

        var failures = 0
        for result in results {
            print(result.line)
            if !result.passed { failures += 1 }
        }
        print("guard-selftest: \(results.count - failures) of \(results.count) checks passed")
        if failures > 0 { throw ExitCode(1) }
    }
}

/// What one attempt returned: "ok" or the errno name.
struct AttemptResult {
    let scope: String
    let act: String
    let outcome: String
    let expected: String
    var passed: Bool { outcome == expected }
    var line: String { "\(scope)\t\(act)\t\(outcome)\texpected \(expected)\t\(passed ? "PASS" : "FAIL")" }
}

/// The objects the attempts act on, created before the guard engages.
struct SelfTestFixture: @unchecked Sendable {
    static let existingContents = "omote guard self-test: this file must survive unchanged\n"
    let scratch: String
    let existing: String
    let listenerDescriptor: Int32
    let listenerPort: UInt16
    let tcpClientDescriptor: Int32
    let udpDescriptor: Int32

    init(scratch: String) throws {
        var info = stat()
        guard stat(scratch, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
            throw ValidationError("--scratch \(scratch) is not an existing directory")
        }
        guard Self.entries(of: scratch) == [] else {
            throw ValidationError("--scratch \(scratch) must be empty (the self-test writes nowhere else)")
        }
        self.scratch = scratch
        existing = scratch + "/existing"
        // Self-test fixture (before engaging): the file the attempts try to overwrite, truncate, rename, link, remove.
        let descriptor = open(existing, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw ValidationError("cannot create \(existing): errno \(errno)") }
        let written = Self.existingContents.utf8CString.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count - 1) }
        close(descriptor)
        guard written == Self.existingContents.utf8.count else { throw ValidationError("cannot write \(existing)") }

        // Self-test fixture (before engaging): a listener on 127.0.0.1 and unconnected sockets to try after engaging.
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        tcpClientDescriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        udpDescriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        listenerDescriptor = listener
        guard listener >= 0, tcpClientDescriptor >= 0, udpDescriptor >= 0 else {
            throw ValidationError("cannot create the self-test's sockets: errno \(errno)")
        }
        var address = Self.loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { bind(listener, UnsafeRawPointer($0).assumingMemoryBound(to: sockaddr.self), length) }
        guard bound == 0, listen(listener, 4) == 0 else { throw ValidationError("cannot listen on 127.0.0.1: errno \(errno)") }
        let named = withUnsafeMutablePointer(to: &address) { getsockname(listener, UnsafeMutableRawPointer($0).assumingMemoryBound(to: sockaddr.self), &length) }
        guard named == 0 else { throw ValidationError("getsockname failed: errno \(errno)") }
        listenerPort = UInt16(bigEndian: address.sin_port)
    }

    static func loopback(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }

    static func entries(of directory: String) -> [String]? {
        guard let handle = opendir(directory) else { return nil }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
            if name != ".", name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// Nothing new in the scratch directory and `existing` unchanged.
    func leftBehindCheck() -> AttemptResult {
        let names = Self.entries(of: scratch) ?? ["<unreadable>"]
        var contents = [UInt8](repeating: 0, count: 256)
        let descriptor = open(existing, O_RDONLY | O_CLOEXEC)
        let count = descriptor >= 0 ? contents.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) } : -1
        if descriptor >= 0 { close(descriptor) }
        let unchanged = count >= 0 && String(decoding: contents[0 ..< max(count, 0)], as: UTF8.self) == Self.existingContents
        let outcome = names == ["existing"] && unchanged ? "ok" : "left:\(names.joined(separator: ","))\(unchanged ? "" : ",existing-modified")"
        return AttemptResult(scope: "after", act: "nothing-left-behind", outcome: outcome, expected: "ok")
    }
}

enum GuardAttempts {
    /// Runs every forbidden act once and records the kernel's answers.
    static func run(fixture: SelfTestFixture, camera: String?, policy: LandlockPolicy, scope: String) -> [AttemptResult] {
        var results: [AttemptResult] = []
        func attempt(_ act: String, expect expected: String, _ body: () -> Int) {
            errno = 0
            let result = body()
            let outcome = result >= 0 ? "ok" : errnoName(errno)
            results.append(AttemptResult(scope: scope, act: act, outcome: outcome, expected: expected))
        }
        let dir = fixture.scratch
        let existing = fixture.existing

        // Filesystem: Landlock answers EACCES.
        attempt("create-file", expect: "EACCES") { closing(open(dir + "/created", O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)) }
        attempt("open-existing-for-write", expect: "EACCES") { closing(open(existing, O_WRONLY | O_CLOEXEC)) }
        attempt("open-existing-read-write", expect: "EACCES") { closing(open(existing, O_RDWR | O_CLOEXEC)) }
        attempt("truncate", expect: policy.restrictsTruncate ? "EACCES" : "unenforced") {
            policy.restrictsTruncate ? Int(truncate(existing, 0)) : 0
        }
        attempt("rename", expect: "EACCES") { Int(rename(existing, dir + "/renamed")) }
        attempt("unlink", expect: "EACCES") { Int(unlink(existing)) }
        attempt("mkdir", expect: "EACCES") { Int(mkdir(dir + "/directory", 0o700)) }
        attempt("symlink", expect: "EACCES") { Int(symlink(existing, dir + "/symlink")) }
        attempt("hard-link", expect: "EACCES") { Int(link(existing, dir + "/hardlink")) }
        attempt("mkfifo", expect: "EACCES") { Int(mkfifo(dir + "/fifo", 0o600)) }
        if let camera {
            attempt("open-camera-node-for-write", expect: "ok") { closing(open(camera, O_WRONLY | O_CLOEXEC)) }
            attempt("open-other-device-for-write", expect: "EACCES") { closing(open(camera == "/dev/zero" ? "/dev/null" : "/dev/zero", O_WRONLY | O_CLOEXEC)) }
        } else {
            attempt("open-device-for-write", expect: "EACCES") { closing(open("/dev/null", O_WRONLY | O_CLOEXEC)) }
        }

        // Sockets, exec and process access: seccomp answers EPERM.
        let stream = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        let datagram = Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        attempt("socket-inet", expect: "EPERM") { closing(socket(AF_INET, stream, 0)) }
        attempt("socket-inet6", expect: "EPERM") { closing(socket(AF_INET6, stream, 0)) }
        attempt("socket-unix", expect: "EPERM") { closing(socket(AF_UNIX, stream, 0)) }
        attempt("socket-netlink", expect: "EPERM") { closing(socket(AF_NETLINK, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)) }
        attempt("socket-packet", expect: "EPERM") { closing(socket(AF_PACKET, datagram, 0)) }
        attempt("socketpair-unix", expect: "EPERM") {
            var pair: [Int32] = [-1, -1]
            let result = socketpair(AF_UNIX, stream, 0, &pair)
            if result == 0 { close(pair[0]); close(pair[1]) }
            return Int(result)
        }
        var target = SelfTestFixture.loopback(port: fixture.listenerPort)
        let targetLength = socklen_t(MemoryLayout<sockaddr_in>.size)
        attempt("connect-127.0.0.1-listener", expect: "EPERM") {
            withUnsafePointer(to: &target) { Int(connect(fixture.tcpClientDescriptor, UnsafeRawPointer($0).assumingMemoryBound(to: sockaddr.self), targetLength)) }
        }
        attempt("sendto-127.0.0.1", expect: "EPERM") {
            withUnsafePointer(to: &target) { Int(sendto(fixture.udpDescriptor, "x", 1, 0, UnsafeRawPointer($0).assumingMemoryBound(to: sockaddr.self), targetLength)) }
        }
        attempt("sendmsg", expect: "EPERM") {
            var header = msghdr()
            return Int(sendmsg(fixture.udpDescriptor, &header, 0))
        }
        attempt("bind", expect: "EPERM") {
            var any = SelfTestFixture.loopback(port: 0)
            return withUnsafePointer(to: &any) { Int(bind(fixture.udpDescriptor, UnsafeRawPointer($0).assumingMemoryBound(to: sockaddr.self), targetLength)) }
        }
        attempt("listen", expect: "EPERM") { Int(listen(fixture.tcpClientDescriptor, 1)) }
        attempt("accept", expect: "EPERM") { closing(accept(fixture.listenerDescriptor, nil, nil)) }
        attempt("ptrace-peek-parent", expect: "EPERM") { omote_guard_attempt_ptrace() }
        attempt("process-vm-writev", expect: "EPERM") { omote_guard_attempt_process_vm_writev() }
        attempt("memfd-create", expect: "EPERM") { closing(omote_guard_attempt_memfd()) }
        attempt("io-uring-setup", expect: "EPERM") { closing(omote_guard_attempt_io_uring()) }
        attempt("open-by-handle-at", expect: "EPERM") { closing(omote_guard_attempt_open_by_handle(dir)) }
        attempt("set-dumpable", expect: "EPERM") { Int(omote_prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)) }
        attempt("set-rlimit-core", expect: "EPERM") {
            var limit = rlimit(rlim_cur: 0, rlim_max: 0)
            return Int(setrlimit(__rlimit_resource_t(RLIMIT_CORE.rawValue), &limit))
        }
        attempt("signal-parent", expect: policy.scopesSignalsAndAbstractSockets ? "EPERM" : "unenforced") {
            policy.scopesSignalsAndAbstractSockets ? Int(kill(getppid(), 0)) : 0
        }
        // Last: if exec were allowed, the process would be replaced and the report would end here.
        attempt("execveat-/bin/true", expect: "EPERM") { omote_guard_attempt_execveat("/bin/true") }
        attempt("execve-/bin/true", expect: "EPERM") {
            let arguments: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/true"), nil]
            defer { free(arguments[0]) }
            return Int(execv("/bin/true", arguments))
        }
        // "unenforced" results above mean this kernel's Landlock ABI lacks the right; they pass as expected there.
        return results.map { result in
            result.expected == "unenforced" ? AttemptResult(scope: result.scope, act: result.act, outcome: "unenforced", expected: "unenforced") : result
        }
    }

    /// Runs the same attempts on a thread created after the guard engaged (it must inherit every restriction).
    static func runOnNewThread(fixture: SelfTestFixture, camera: String?, policy: LandlockPolicy) -> [AttemptResult] {
        final class Job: @unchecked Sendable {
            let fixture: SelfTestFixture, camera: String?, policy: LandlockPolicy
            var results: [AttemptResult] = []
            init(fixture: SelfTestFixture, camera: String?, policy: LandlockPolicy) {
                self.fixture = fixture
                self.camera = camera
                self.policy = policy
            }
        }
        let job = Job(fixture: fixture, camera: camera, policy: policy)
        var thread = pthread_t()
        let context = Unmanaged.passRetained(job).toOpaque()
        let created = pthread_create(&thread, nil, { context in
            let job = Unmanaged<Job>.fromOpaque(context!).takeRetainedValue()
            job.results = GuardAttempts.run(fixture: job.fixture, camera: job.camera, policy: job.policy, scope: "thread")
            return nil
        }, context)
        guard created == 0 else {
            Unmanaged<Job>.fromOpaque(context).release()
            return [AttemptResult(scope: "thread", act: "pthread_create", outcome: errnoName(created), expected: "ok")]
        }
        pthread_join(thread, nil)
        return job.results
    }

    /// A file that must stay readable: read its first bytes.
    static func readCheck(_ path: String) -> AttemptResult {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        var outcome = descriptor >= 0 ? "ok" : errnoName(errno)
        if descriptor >= 0 {
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count <= 0 { outcome = count == 0 ? "empty" : errnoName(errno) }
            close(descriptor)
        }
        return AttemptResult(scope: "read", act: path, outcome: outcome, expected: "ok")
    }

    /// What the kernel reports about this process now.
    static func stateChecks() -> [AttemptResult] {
        var core = rlimit()
        let coreLimit = getrlimit(__rlimit_resource_t(RLIMIT_CORE.rawValue), &core) == 0 ? "\(core.rlim_cur)/\(core.rlim_max)" : errnoName(errno)
        return [
            AttemptResult(scope: "state", act: "no_new_privs", outcome: "\(omote_prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0))", expected: "1"),
            AttemptResult(scope: "state", act: "seccomp-mode", outcome: "\(omote_prctl(PR_GET_SECCOMP, 0, 0, 0, 0))", expected: "2"),
            AttemptResult(scope: "state", act: "dumpable", outcome: "\(omote_prctl(PR_GET_DUMPABLE, 0, 0, 0, 0))", expected: "0"),
            AttemptResult(scope: "state", act: "rlimit-core", outcome: coreLimit, expected: "0/0"),
        ]
    }

    private static func closing(_ descriptor: Int32) -> Int {
        if descriptor >= 0 { close(descriptor) }
        return Int(descriptor)
    }

    private static func closing(_ descriptor: Int) -> Int {
        if descriptor >= 0 { close(Int32(descriptor)) }
        return descriptor
    }

    static func errnoName(_ code: Int32) -> String {
        switch code {
        case EACCES: "EACCES"
        case EPERM: "EPERM"
        case EXDEV: "EXDEV"
        case EAGAIN: "EAGAIN"
        case EINVAL: "EINVAL"
        case ENOENT: "ENOENT"
        case EEXIST: "EEXIST"
        case EFAULT: "EFAULT"
        case EBADF: "EBADF"
        case ENOSYS: "ENOSYS"
        case EOPNOTSUPP: "EOPNOTSUPP"
        case ECONNREFUSED: "ECONNREFUSED"
        default: "errno\(code)"
        }
    }
}

// The syscalls glibc does not wrap, attempted through the privacy shim's raw calls.
private func omote_guard_attempt_ptrace() -> Int { omote_attempt_ptrace_peek(getppid()) }
private func omote_guard_attempt_process_vm_writev() -> Int { omote_attempt_process_vm_writev(getpid()) }
private func omote_guard_attempt_memfd() -> Int { omote_attempt_memfd_create("omote-selftest") }
private func omote_guard_attempt_io_uring() -> Int { omote_attempt_io_uring_setup() }
private func omote_guard_attempt_open_by_handle(_ directory: String) -> Int {
    let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    defer { if descriptor >= 0 { close(descriptor) } }
    return omote_attempt_open_by_handle_at(descriptor)
}
private func omote_guard_attempt_execveat(_ path: String) -> Int { omote_attempt_execveat(AT_FDCWD, path) }
