import CGuardSelfTest
import CPrivacyShim
import Omote
import OmoteCore
import OmotePrivacy

#if canImport(Glibc)
import Glibc
#endif

/// What one attempt returned: "ok" or the errno name (or, for a fatal act, the signal that ended its child).
struct AttemptResult {
    let scope: String
    let act: String
    let outcome: String
    let expected: String
    var passed: Bool { outcome == expected }
    var line: String { "\(scope)\t\(act)\t\(outcome)\texpected \(expected)\t\(passed ? "PASS" : "FAIL")" }
}

extension AttemptResult {
    /// Runs one act that returns a descriptor or count (negative on failure, with errno set) and records its outcome.
    init(scope: String, act: String, expected: String, attempting body: () -> Int) {
        errno = 0
        let result = body()
        self.init(
            scope: scope, act: act, outcome: result >= 0 ? "ok" : GuardAttempts.errnoName(errno), expected: expected)
    }
}

/// Every act issue 16 lists (and the older ones), attempted after the guard engaged. The seccomp allow-list answers
/// first, so refused acts report EPERM (Landlock, the second layer, would say EACCES for file acts).
enum GuardAttempts {
    static func run(fixture: SelfTestFixture, camera: String?, inherited: [Int32], scope: String) -> [AttemptResult] {
        var results: [AttemptResult] = []
        func attempt(_ act: String, expect expected: String = "EPERM", _ body: () -> Int) {
            results.append(AttemptResult(scope: scope, act: act, expected: expected, attempting: body))
        }
        let dir = fixture.scratch
        let existing = fixture.existing

        // Files: no write-open, no change to any file or its metadata.
        attempt("create-file") { closing(open(dir + "/created", O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)) }
        attempt("open-existing-for-write") { closing(open(existing, O_WRONLY | O_CLOEXEC)) }
        attempt("open-existing-read-write") { closing(open(existing, O_RDWR | O_CLOEXEC)) }
        attempt("open-existing-append") { closing(open(existing, O_RDONLY | O_APPEND | O_CLOEXEC)) }
        attempt("open-existing-truncate") { closing(open(existing, O_RDONLY | O_TRUNC | O_CLOEXEC)) }
        attempt("truncate") { Int(truncate(existing, 0)) }
        attempt("rename") { Int(rename(existing, dir + "/renamed")) }
        attempt("unlink") { Int(unlink(existing)) }
        attempt("mkdir") { Int(mkdir(dir + "/directory", 0o700)) }
        attempt("symlink") { Int(symlink(existing, dir + "/symlink")) }
        attempt("hard-link") { Int(link(existing, dir + "/hardlink")) }
        attempt("mkfifo") { Int(mkfifo(dir + "/fifo", 0o600)) }
        attempt("setxattr") { omote_attempt_setxattr(existing) }
        attempt("utimensat-nanoseconds") { omote_attempt_utimensat(existing) }
        attempt("chmod") { Int(chmod(existing, 0o644)) }
        attempt("chown") { Int(chown(existing, getuid(), getgid())) }
        if let camera {
            attempt("open-camera-node-for-write") { closing(open(camera, O_WRONLY | O_CLOEXEC)) }
        }
        attempt("open-device-for-write") {
            closing(open(camera == "/dev/zero" ? "/dev/null" : "/dev/zero", O_WRONLY | O_CLOEXEC))
        }
        attempt("read-existing", expect: "ok") { closing(open(existing, O_RDONLY | O_CLOEXEC)) }

        // Descriptors handed over by a parent (stand-ins made before engaging, and --inherited ones): closed by the
        // guard, and writing, mapping or truncating any descriptor but stdout/stderr is refused regardless.
        let standIns =
            [("file", fixture.writableFile), ("udp", fixture.connectedUDP), ("unix", fixture.unixEnd)]
            + inherited.map { ("fd\($0)", $0) }
        for (name, descriptor) in standIns {
            attempt("inherited-\(name)-closed", expect: "EBADF") { Int(fcntl(descriptor, F_GETFD)) }
            attempt("write-inherited-\(name)") { Int(write(descriptor, "x", 1)) }
            attempt("writev-inherited-\(name)") {
                var byte: UInt8 = 0x78
                return withUnsafeMutablePointer(to: &byte) { pointer in
                    var vector = iovec(iov_base: UnsafeMutableRawPointer(pointer), iov_len: 1)
                    return Int(writev(descriptor, &vector, 1))
                }
            }
            attempt("pwrite-inherited-\(name)") { Int(pwrite(descriptor, "x", 1, 0)) }
            attempt("mmap-shared-inherited-\(name)") { omote_attempt_mmap_shared(descriptor) }
            attempt("ftruncate-inherited-\(name)") { Int(ftruncate(descriptor, 0)) }
        }
        attempt("recvmsg-scm-rights") { omote_attempt_recvmsg(fixture.unixEnd) }
        attempt("dup2-onto-stdout") { Int(dup2(STDIN_FILENO, STDOUT_FILENO)) }
        attempt("fcntl-dupfd") { closing(fcntl(STDOUT_FILENO, F_DUPFD, 10)) }
        attempt("mmap-shared-anonymous") {
            let pointer = mmap(nil, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0)
            guard let pointer, pointer != MAP_FAILED else { return -1 }
            munmap(pointer, 4096)
            return 0
        }
        attempt("mmap-private-anonymous", expect: "ok") {
            let pointer = mmap(nil, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
            guard let pointer, pointer != MAP_FAILED else { return -1 }
            munmap(pointer, 4096)
            return 0
        }

        // Sockets of any kind, on fresh or pre-made sockets.
        let stream = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        let datagram = Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        attempt("socket-inet") { closing(socket(AF_INET, stream, 0)) }
        attempt("socket-inet6") { closing(socket(AF_INET6, stream, 0)) }
        attempt("socket-unix") { closing(socket(AF_UNIX, stream, 0)) }
        attempt("socket-netlink") {
            closing(socket(AF_NETLINK, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0))
        }
        attempt("socket-packet") { closing(socket(AF_PACKET, datagram, 0)) }
        attempt("socketpair-unix") {
            var pair: [Int32] = [-1, -1]
            let result = socketpair(AF_UNIX, stream, 0, &pair)
            if result == 0 {
                close(pair[0])
                close(pair[1])
            }
            return Int(result)
        }
        var target = SelfTestFixture.loopback(port: fixture.listenerPort)
        let targetLength = socklen_t(MemoryLayout<sockaddr_in>.size)
        attempt("connect-127.0.0.1-listener") {
            withUnsafePointer(to: &target) {
                Int(
                    connect(
                        fixture.tcpClientDescriptor, UnsafeRawPointer($0).assumingMemoryBound(to: sockaddr.self),
                        targetLength))
            }
        }
        attempt("sendto-127.0.0.1") {
            withUnsafePointer(to: &target) {
                Int(
                    sendto(
                        fixture.udpDescriptor, "x", 1, 0, UnsafeRawPointer($0).assumingMemoryBound(to: sockaddr.self),
                        targetLength))
            }
        }
        attempt("send-connected-udp") { Int(send(fixture.connectedUDP, "x", 1, 0)) }
        attempt("sendmsg") {
            var header = msghdr()
            return Int(sendmsg(fixture.udpDescriptor, &header, 0))
        }
        attempt("bind") {
            var any = SelfTestFixture.loopback(port: 0)
            return withUnsafePointer(to: &any) {
                Int(
                    bind(
                        fixture.udpDescriptor, UnsafeRawPointer($0).assumingMemoryBound(to: sockaddr.self), targetLength
                    ))
            }
        }
        attempt("listen") { Int(listen(fixture.tcpClientDescriptor, 1)) }
        attempt("accept") { closing(accept(fixture.listenerDescriptor, nil, nil)) }

        // Processes, signals, world-readable metadata, the terminal, limits, dumps.
        attempt("fork") { omote_attempt_clone_process() }
        attempt("memfd-create") { closing(omote_attempt_memfd_create("omote-selftest")) }
        attempt("signal-parent") { Int(kill(getppid(), 0)) }
        attempt("signal-init") { Int(kill(1, 0)) }
        attempt("signal-self", expect: "ok") { Int(kill(getpid(), 0)) }
        attempt("prctl-set-name") {
            Int(
                omote_prctl(
                    PR_SET_NAME,
                    UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(("leak" as StaticString).utf8Start))), 0, 0, 0))
        }
        attempt("set-dumpable") { Int(omote_prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)) }
        attempt("set-rlimit-core") {
            var limit = rlimit(rlim_cur: 0, rlim_max: 0)
            return Int(setrlimit(__rlimit_resource_t(RLIMIT_CORE.rawValue), &limit))
        }
        attempt("prlimit-set-memlock") { omote_attempt_set_limit(8 /* RLIMIT_MEMLOCK */, 0, 0) }
        for descriptor: Int32 in [0, 1, 2] {
            attempt("tiocsti-fd\(descriptor)") { omote_attempt_tiocsti(descriptor) }
            attempt("tioclinux-fd\(descriptor)") { omote_attempt_tioclinux(descriptor) }
        }
        attempt("ioctl-fionread-stdout") {
            var count: Int32 = 0
            return omote_attempt_ioctl(STDOUT_FILENO, 0x541B /* FIONREAD */, &count)
        }
        return results
    }

    /// Runs the same attempts on a thread created after the guard engaged (it must inherit every restriction).
    static func runOnNewThread(fixture: SelfTestFixture, camera: String?, inherited: [Int32]) -> [AttemptResult] {
        final class Job: @unchecked Sendable {
            let fixture: SelfTestFixture, camera: String?, inherited: [Int32]
            var results: [AttemptResult] = []
            init(fixture: SelfTestFixture, camera: String?, inherited: [Int32]) {
                self.fixture = fixture
                self.camera = camera
                self.inherited = inherited
            }
        }
        let job = Job(fixture: fixture, camera: camera, inherited: inherited)
        var thread = pthread_t()
        let context = Unmanaged.passRetained(job).toOpaque()
        let created = pthread_create(
            &thread, nil,
            { context in
                let job = Unmanaged<Job>.fromOpaque(context!).takeRetainedValue()
                job.results = GuardAttempts.run(
                    fixture: job.fixture, camera: job.camera, inherited: job.inherited, scope: "thread")
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

    /// Private memory after engaging: locked out of swap, or (with a low locked-memory limit) refused — unless the
    /// user allowed swappable memory, when it is kept unlocked and the status line warns.
    static func privateMemoryCheck(allowSwappable: Bool) -> AttemptResult {
        let outcome: String
        do {
            let buffer = try RigidPrivateBuffer<UInt8>(count: 64 << 10)
            outcome = buffer.isLocked ? "locked" : "unlocked"
            // While the unlocked buffer lives, the status line must say so.
            if !buffer.isLocked, let status = PrivacyGuard.status { print("memory\tstatus-line\t\(status.summary)") }
        } catch {
            switch error.code {
            case .memoryLockRefused: outcome = "lock-refused"
            case .memoryMapRefused: outcome = "map-refused"
            default: outcome = error.code.rawValue
            }
        }
        return AttemptResult(scope: "memory", act: "private-buffer", outcome: outcome, expected: "locked")
    }

    /// What the kernel reports about this process now.
    /// `sealable`: whether the kernel has mseal (probed before engaging: the filter refuses the call afterwards).
    /// `displayConnection`: the X connection guard-selftest --display keeps (the one descriptor besides 0–2).
    static func stateChecks(sealable: Bool, displayConnection: Int32? = nil) -> [AttemptResult] {
        var core = rlimit()
        let coreLimit =
            getrlimit(__rlimit_resource_t(RLIMIT_CORE.rawValue), &core) == 0
            ? "\(core.rlim_cur)/\(core.rlim_max)" : errnoName(errno)
        let open = (DescriptorHygiene.openDescriptors() ?? []).map(String.init).joined(separator: ",")
        let argumentArea =
            switch ArgumentArea.protection {
            case .sealed: "sealed"
            case .unsealed: "unsealed"
            case .failed: "not-re-executed"
            case .notAttempted: "not-attempted"
            }
        return [
            AttemptResult(
                scope: "state", act: "no_new_privs", outcome: "\(omote_prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0))",
                expected: "1"),
            AttemptResult(
                scope: "state", act: "seccomp-mode", outcome: "\(omote_prctl(PR_GET_SECCOMP, 0, 0, 0, 0))",
                expected: "2"),
            AttemptResult(
                scope: "state", act: "dumpable", outcome: "\(omote_prctl(PR_GET_DUMPABLE, 0, 0, 0, 0))", expected: "0"),
            AttemptResult(scope: "state", act: "rlimit-core", outcome: coreLimit, expected: "0/0"),
            AttemptResult(
                scope: "state", act: "open-descriptors", outcome: open,
                expected: "0,1,2" + (displayConnection.map { ",\($0)" } ?? "")),
            AttemptResult(
                scope: "state", act: "argument-area", outcome: argumentArea, expected: sealable ? "sealed" : "unsealed"),
        ]
    }

    static func closing(_ descriptor: Int32) -> Int {
        if descriptor >= 0 { close(descriptor) }
        return Int(descriptor)
    }

    static func closing(_ descriptor: Int) -> Int {
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
        case ENOTTY: "ENOTTY"
        case EOPNOTSUPP: "EOPNOTSUPP"
        case ECONNREFUSED: "ECONNREFUSED"
        default: "errno\(code)"
        }
    }
}
