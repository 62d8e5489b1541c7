import CPrivacyShim
import Foundation
import OmoteCapture
import OmoteCore
import SystemPackage
import Testing

@testable import OmotePrivacy

/// A classic-BPF interpreter for the opcodes the filter uses, so the program's decisions are checked exactly as the
/// kernel would evaluate them, without installing it in the test runner.
func evaluate(_ program: [omote_sock_filter], arch: UInt32, nr: UInt32, args: [UInt64] = []) -> UInt32? {
    let arguments = args + Array(repeating: 0, count: 6 - args.count)
    var accumulator: UInt32 = 0
    var pc = 0
    var steps = 0
    while pc < program.count, steps < 4096 {
        steps += 1
        let instruction = program[pc]
        switch Int32(instruction.code) {
        case OMOTE_BPF_LD_W_ABS:
            switch Int32(instruction.k) {
            case OMOTE_SECCOMP_DATA_NR_OFFSET: accumulator = nr
            case OMOTE_SECCOMP_DATA_ARCH_OFFSET: accumulator = arch
            case let offset
            where offset >= OMOTE_SECCOMP_DATA_ARGS_OFFSET && offset < OMOTE_SECCOMP_DATA_ARGS_OFFSET + 48:
                let argument = arguments[Int(offset - OMOTE_SECCOMP_DATA_ARGS_OFFSET) / 8]
                accumulator =
                    (offset - OMOTE_SECCOMP_DATA_ARGS_OFFSET) % 8 == 0
                    ? UInt32(truncatingIfNeeded: argument) : UInt32(truncatingIfNeeded: argument >> 32)
            default: return nil
            }
            pc += 1
        case OMOTE_BPF_JMP_JEQ_K:
            pc += 1 + Int(accumulator == instruction.k ? instruction.jt : instruction.jf)
        case OMOTE_BPF_JMP_JGE_K:
            pc += 1 + Int(accumulator >= instruction.k ? instruction.jt : instruction.jf)
        case OMOTE_BPF_ALU_AND_K:
            accumulator &= instruction.k
            pc += 1
        case OMOTE_BPF_RET_K:
            return instruction.k
        default:
            return nil
        }
    }
    return nil  // fell off the end: the kernel rejects such a program
}

@Suite("seccomp allow-list program")
struct SeccompFilterTests {
    static let camera: Int32 = 7
    let filter: SeccompFilter
    let pid: UInt32 = 4242

    init() throws {
        filter = try SeccompFilter.forThisMachine(context: .init(processID: 4242, cameraDescriptors: [Self.camera]))
    }

    func number(_ name: String) throws -> UInt32 {
        let value = omote_syscall_number(name)
        try #require(value >= 0, "\(name) has no number here")
        return UInt32(value)
    }

    func decide(_ name: String, _ args: [UInt64] = []) throws -> UInt32? {
        evaluate(filter.instructions, arch: filter.architecture, nr: try number(name), args: args)
    }

    @Test("the program fits the kernel's limit and every syscall number reaches a return")
    func wellFormed() {
        #expect(filter.instructions.count < 4096)
        for nr in UInt32(0) ..< 600 {
            #expect(
                evaluate(filter.instructions, arch: filter.architecture, nr: nr) != nil, "nr \(nr) fell off the program"
            )
        }
    }

    @Test("listed syscalls are allowed, unlisted ones refused with EPERM, hostile ones kill")
    func allowDenyKill() throws {
        for name in SeccompFilter.allowedSyscallNames where omote_syscall_number(name) >= 0 {
            #expect(try decide(name) == SeccompFilter.allow, "\(name)")
        }
        for name in SeccompFilter.killedSyscallNames where omote_syscall_number(name) >= 0 {
            #expect(try decide(name) == SeccompFilter.kill, "\(name)")
        }
        // Issue 16's acts that are not killed: sockets of every kind, metadata, truncation, dup onto stdout, pipes,
        // memfd, splice-style copies, namespaces' cousins, epoll.
        let refused = [
            "socket", "socketpair", "connect", "bind", "listen", "accept", "accept4", "sendto", "sendmsg",
            "sendmmsg", "recvfrom", "recvmsg", "recvmmsg", "shutdown", "setsockopt", "getsockopt",
            "setxattr", "lsetxattr", "fsetxattr", "removexattr", "utimensat", "utimes", "chmod", "fchmod",
            "fchmodat", "chown", "fchown", "fchownat", "lchown", "truncate", "ftruncate", "fallocate",
            "rename", "renameat", "renameat2", "unlink", "unlinkat", "mkdir", "mkdirat", "mknod", "mknodat",
            "link", "linkat", "symlink", "symlinkat", "creat", "openat2", "dup", "dup2", "dup3", "pipe",
            "pipe2", "memfd_create", "splice", "tee", "vmsplice", "sendfile", "copy_file_range", "tkill",
            "rt_sigqueueinfo", "rt_tgsigqueueinfo", "pidfd_open", "pidfd_send_signal", "setrlimit",
            "sched_setaffinity", "msync", "mlockall", "seccomp", "landlock_create_ruleset", "fork", "vfork",
            "epoll_create1", "eventfd2", "inotify_init1",
        ]
        for name in refused where omote_syscall_number(name) >= 0 {
            #expect(try decide(name) == SeccompFilter.deny, "\(name)")
        }
    }

    @Test("write, writev, pwrite64: only stdout and stderr, whatever the high bits")
    func writesOnlyToOutputs() throws {
        for name in ["write", "writev", "pwrite64", "pwritev", "pwritev2"] where omote_syscall_number(name) >= 0 {
            #expect(try decide(name, [1]) == SeccompFilter.allow, "\(name)(1)")
            #expect(try decide(name, [2]) == SeccompFilter.allow, "\(name)(2)")
            #expect(
                try decide(name, [0x1_0000_0001]) == SeccompFilter.allow, "the kernel reads fd as 32 bits: still fd 1")
            for fd: UInt64 in [0, 3, 4, 5, UInt64(Self.camera), 1000, 0xFFFF_FFFF] {
                #expect(try decide(name, [fd]) == SeccompFilter.deny, "\(name)(\(fd))")
            }
        }
    }

    @Test("ioctl: terminal queries on 0–2, the capture's V4L2 requests on the camera, nothing else (never TIOCSTI)")
    func ioctlRequests() throws {
        for fd: UInt64 in [0, 1, 2] {
            for request in SeccompFilter.terminalRequests {
                #expect(try decide("ioctl", [fd, UInt64(request)]) == SeccompFilter.allow)
            }
            for request in [OMOTE_TIOCSTI, OMOTE_TIOCLINUX, 0x541B /* FIONREAD */, 0x5414 /* TIOCSWINSZ */] {
                #expect(
                    try decide("ioctl", [fd, UInt64(request)]) == SeccompFilter.deny, "fd \(fd) request \(request)")
            }
            #expect(try decide("ioctl", [fd, UInt64(SeccompFilter.cameraRequests[0])]) == SeccompFilter.deny)
        }
        for request in SeccompFilter.cameraRequests {
            #expect(try decide("ioctl", [UInt64(Self.camera), UInt64(request)]) == SeccompFilter.allow)
            #expect(try decide("ioctl", [3, UInt64(request)]) == SeccompFilter.deny)
        }
        #expect(try decide("ioctl", [UInt64(Self.camera), UInt64(OMOTE_TCGETS)]) == SeccompFilter.deny)
        #expect(try decide("ioctl", [UInt64(Self.camera), UInt64(OMOTE_TIOCSTI)]) == SeccompFilter.deny)
    }

    @Test("the camera rule names exactly the V4L2 requests the capture code makes")
    func cameraRequestsMatchCapture() {
        #expect(Set(SeccompFilter.cameraRequests.map(UInt.init)) == Set(V4L2Request.allCases.map(\.code)))
    }

    @Test("mmap: private mappings anywhere, shared ones only of the camera's buffers")
    func mappings() throws {
        let privateMap = UInt64(MAP_PRIVATE | MAP_ANONYMOUS)
        #expect(try decide("mmap", [0, 4096, 3, privateMap, 0xFFFF_FFFF_FFFF_FFFF, 0]) == SeccompFilter.allow)
        #expect(try decide("mmap", [0, 4096, 1, UInt64(MAP_PRIVATE), 3, 0]) == SeccompFilter.allow)
        #expect(try decide("mmap", [0, 4096, 3, UInt64(MAP_SHARED), UInt64(Self.camera), 0]) == SeccompFilter.allow)
        for fd: UInt64 in [0, 1, 2, 3, 0xFFFF_FFFF] {
            #expect(try decide("mmap", [0, 4096, 3, UInt64(MAP_SHARED), fd, 0]) == SeccompFilter.deny, "fd \(fd)")
            #expect(try decide("mmap", [0, 4096, 3, 0x03 /* MAP_SHARED_VALIDATE */, fd, 0]) == SeccompFilter.deny)
        }
        #expect(
            try decide("mmap", [0, 4096, 3, UInt64(MAP_SHARED | MAP_ANONYMOUS), 0xFFFF_FFFF, 0]) == SeccompFilter.deny)
    }

    @Test("openat and open: read-only flags only")
    func opens() throws {
        let readOnly = UInt64(O_RDONLY | O_CLOEXEC | O_NONBLOCK) | 0o200000 /* O_DIRECTORY */
        #expect(try decide("openat", [0, 0, readOnly]) == SeccompFilter.allow)
        for flags in [
            O_WRONLY, O_RDWR, O_CREAT, O_TRUNC, O_APPEND, O_RDONLY | 0o20000000 /* __O_TMPFILE */, O_WRONLY | O_RDWR,
        ] {
            #expect(try decide("openat", [0, 0, UInt64(flags)]) == SeccompFilter.deny, "openat flags \(flags)")
            if omote_syscall_number("open") >= 0 {
                #expect(try decide("open", [0, UInt64(flags)]) == SeccompFilter.deny, "open flags \(flags)")
            }
        }
    }

    @Test("prctl: the guard's own read-backs only; no PR_SET_NAME, no dumpable again")
    func prctlOptions() throws {
        for option in SeccompFilter.allowedPrctlOptions {
            #expect(try decide("prctl", [UInt64(option)]) == SeccompFilter.allow)
        }
        for option in [
            PR_SET_NAME, PR_SET_DUMPABLE, PR_SET_MM, PR_SET_NO_NEW_PRIVS, PR_SET_PTRACER, PR_SET_SECCOMP, PR_SET_VMA,
        ] {
            #expect(try decide("prctl", [UInt64(option), 1]) == SeccompFilter.deny, "prctl \(option)")
        }
    }

    @Test("limits can be read, never set; RLIMIT_CORE stays 0")
    func limits() throws {
        #expect(try decide("prlimit64", [0, 4, 0, 0x7ffd_0000_1000]) == SeccompFilter.allow)
        #expect(try decide("prlimit64", [0, 4, 0x7ffd_0000_1000, 0]) == SeccompFilter.deny)
        #expect(
            try decide("prlimit64", [0, 8, 0x7ffd_0000_0000, 0]) == SeccompFilter.deny, "a pointer with a zero low half"
        )
        #expect(try decide("prlimit64", [0, 7, 0x1000, 0]) == SeccompFilter.deny)
        if omote_syscall_number("setrlimit") >= 0 {
            #expect(try decide("setrlimit", [4, 0x1000]) == SeccompFilter.deny)
        }
    }

    @Test("threads but no processes; clone3 answers ENOSYS so glibc falls back to the checkable clone")
    func threadsOnly() throws {
        let threadFlags = UInt64(0x3D0F00)  // pthread_create's flags, CLONE_THREAD among them
        #expect(try decide("clone", [threadFlags]) == SeccompFilter.allow)
        #expect(try decide("clone", [UInt64(SIGCHLD)]) == SeccompFilter.deny)
        #expect(
            try decide("clone", [UInt64(OMOTE_CLONE_THREAD) << 32]) == SeccompFilter.deny, "only the low word counts")
        #expect(try decide("clone3") == OMOTE_SECCOMP_RET_ERRNO | UInt32(ENOSYS))
    }

    @Test("signals only to this process; fcntl without F_DUPFD")
    func signalsAndFcntl() throws {
        #expect(try decide("kill", [UInt64(pid), 0]) == SeccompFilter.allow)
        #expect(try decide("tgkill", [UInt64(pid), 17, 6]) == SeccompFilter.allow)
        for other: UInt64 in [1, 0, 0xFFFF_FFFF, UInt64(pid) + 1] {
            #expect(try decide("kill", [other, 9]) == SeccompFilter.deny, "kill(\(other))")
            #expect(try decide("tgkill", [other, 1, 9]) == SeccompFilter.deny)
        }
        for command in SeccompFilter.allowedFcntlCommands {
            #expect(try decide("fcntl", [1, UInt64(command)]) == SeccompFilter.allow)
        }
        for command in [0 /* F_DUPFD */, 1030 /* F_DUPFD_CLOEXEC */, 8 /* F_SETOWN */, 1024 /* F_SETLEASE */] {
            #expect(try decide("fcntl", [1, UInt64(command)]) == SeccompFilter.deny)
        }
    }

    @Test("sensor and presenter: the presenter writes the terminal and its command pipe, the sensor only its records")
    func splitSession() throws {
        let write = try number("write")
        let ioctl = try number("ioctl")
        let windowSize: UInt64 = 0x5413  // TIOCGWINSZ
        // Presenter: record pipe's read end 3 (kept, never writable), command pipe's write end 6.
        let presenter = try SeccompFilter.forThisMachine(
            context: PrivacyGuard.filterContext(
                processID: 1, cameraDescriptors: [], statusChannel: nil, commandChannels: [6]))
        func presenterDecides(_ nr: UInt32, _ args: [UInt64]) -> UInt32? {
            evaluate(presenter.instructions, arch: presenter.architecture, nr: nr, args: args)
        }
        for fd: UInt64 in [1, 2, 6] { #expect(presenterDecides(write, [fd]) == SeccompFilter.allow, "presenter \(fd)") }
        for fd: UInt64 in [0, 3, 4, 5] {
            #expect(presenterDecides(write, [fd]) == SeccompFilter.deny, "presenter \(fd)")
        }
        #expect(presenterDecides(ioctl, [1, windowSize]) == SeccompFilter.allow)
        #expect(presenterDecides(ioctl, [6, windowSize]) == SeccompFilter.deny)
        // Sensor: record pipe's write end 4, command pipe's read end 5 (kept, never writable), a camera on 7.
        let sensor = try SeccompFilter.forThisMachine(
            context: PrivacyGuard.filterContext(
                processID: 2, cameraDescriptors: [7], statusChannel: 4, commandChannels: []))
        func sensorDecides(_ nr: UInt32, _ args: [UInt64]) -> UInt32? {
            evaluate(sensor.instructions, arch: sensor.architecture, nr: nr, args: args)
        }
        #expect(sensorDecides(write, [4]) == SeccompFilter.allow)
        for fd: UInt64 in [0, 1, 2, 3, 5, 6, 7] {
            #expect(sensorDecides(write, [fd]) == SeccompFilter.deny, "sensor \(fd)")
        }
        for fd: UInt64 in [0, 1, 2] { #expect(sensorDecides(ioctl, [fd, windowSize]) == SeccompFilter.deny) }
    }

    @Test("window presenter: writes, recvmsg and recvfrom on its X connection only; no sendmsg, no SysV shared memory")
    func windowPresenter() throws {
        let write = try number("write")
        let writev = try number("writev")
        let recvmsg = try number("recvmsg")
        let recvfrom = try number("recvfrom")
        let sendmsg = try number("sendmsg")
        let shmget = try number("shmget")
        // Record pipe read end 3, command pipe write end 6, X connection 8.
        let presenter = try SeccompFilter.forThisMachine(
            context: PrivacyGuard.filterContext(
                processID: 1, cameraDescriptors: [], statusChannel: nil, commandChannels: [6], displayConnection: 8))
        func decides(_ nr: UInt32, _ args: [UInt64]) -> UInt32? {
            evaluate(presenter.instructions, arch: presenter.architecture, nr: nr, args: args)
        }
        for fd: UInt64 in [1, 2, 6, 8] {
            #expect(decides(write, [fd]) == SeccompFilter.allow, "write \(fd)")
            #expect(decides(writev, [fd]) == SeccompFilter.allow, "writev \(fd)")
        }
        for fd: UInt64 in [0, 3, 4, 5, 7, 9] { #expect(decides(writev, [fd]) == SeccompFilter.deny, "writev \(fd)") }
        for receive in [recvmsg, recvfrom] {
            #expect(decides(receive, [8]) == SeccompFilter.allow)
            for fd: UInt64 in [0, 1, 3, 6, 7, 9] {
                #expect(decides(receive, [fd]) == SeccompFilter.deny, "receive \(receive) on \(fd)")
            }
        }
        #expect(decides(sendmsg, [8]) == SeccompFilter.deny, "descriptors are never passed to the X server")
        #expect(decides(shmget, [0, 4096, 0]) == SeccompFilter.kill, "no MIT-SHM: SysV shared memory kills")
        // A presenter without a window reads no socket at all.
        let terminal = try SeccompFilter.forThisMachine(
            context: PrivacyGuard.filterContext(
                processID: 1, cameraDescriptors: [], statusChannel: nil, commandChannels: [6]))
        for receive in [recvmsg, recvfrom] {
            #expect(
                evaluate(terminal.instructions, arch: terminal.architecture, nr: receive, args: [8])
                    == SeccompFilter.deny)
        }
    }

    @Test("without a camera there are no V4L2 ioctls and no shared mappings at all")
    func noCamera() throws {
        let plain = try SeccompFilter.forThisMachine(context: .init(processID: 1, cameraDescriptors: []))
        let ioctl = try number("ioctl")
        let mmap = try number("mmap")
        for request in SeccompFilter.cameraRequests {
            for fd: UInt64 in [0, 1, 2, 3, 7] {
                #expect(
                    evaluate(plain.instructions, arch: plain.architecture, nr: ioctl, args: [fd, UInt64(request)])
                        == SeccompFilter.deny)
            }
        }
        #expect(
            evaluate(
                plain.instructions, arch: plain.architecture, nr: mmap, args: [0, 4096, 3, UInt64(MAP_SHARED), 7, 0])
                == SeccompFilter.deny)
    }

    @Test("a foreign architecture (int 0x80) kills the process; x32 syscalls are refused")
    func architectureCheck() throws {
        let socketNumber = try number("socket")
        let i386: UInt32 = 0x4000_0003  // AUDIT_ARCH_I386
        #expect(evaluate(filter.instructions, arch: i386, nr: 1) == SeccompFilter.kill)
        #expect(evaluate(filter.instructions, arch: i386, nr: socketNumber) == SeccompFilter.kill)
        if filter.x32Bit != 0 {
            #expect(
                evaluate(filter.instructions, arch: filter.architecture, nr: filter.x32Bit | (try number("read")))
                    == SeccompFilter.deny)
        }
    }

    @Test("syscall numbers come from this architecture's kernel headers")
    func numbersFromHeaders() {
        #if arch(x86_64)
        #expect(omote_syscall_number("socket") == 41)
        #expect(omote_syscall_number("execve") == 59)
        #expect(omote_syscall_number("io_uring_setup") == 425)
        #expect(omote_syscall_number("close_range") == 436)
        #endif
        #if arch(arm64)
        #expect(omote_syscall_number("open") == -1, "arm64 has only openat")
        #endif
        #expect(omote_syscall_number("no_such_syscall") == -1)
    }
}

@Suite("Landlock policy per ABI")
struct LandlockPolicyTests {
    @Test("every write right is handled at each ABI; newer rights appear with their ABI")
    func rightsPerABI() {
        let writeRights =
            UInt64(OMOTE_LANDLOCK_ACCESS_FS_WRITE_FILE) | UInt64(OMOTE_LANDLOCK_ACCESS_FS_REMOVE_DIR)
            | UInt64(OMOTE_LANDLOCK_ACCESS_FS_REMOVE_FILE) | UInt64(OMOTE_LANDLOCK_ACCESS_FS_MAKE_CHAR)
            | UInt64(OMOTE_LANDLOCK_ACCESS_FS_MAKE_DIR) | UInt64(OMOTE_LANDLOCK_ACCESS_FS_MAKE_REG)
            | UInt64(OMOTE_LANDLOCK_ACCESS_FS_MAKE_SOCK) | UInt64(OMOTE_LANDLOCK_ACCESS_FS_MAKE_FIFO)
            | UInt64(OMOTE_LANDLOCK_ACCESS_FS_MAKE_BLOCK) | UInt64(OMOTE_LANDLOCK_ACCESS_FS_MAKE_SYM)
        let reads = UInt64(OMOTE_LANDLOCK_ACCESS_FS_READ_FILE) | UInt64(OMOTE_LANDLOCK_ACCESS_FS_READ_DIR)
        for abi in 1 ... 9 {
            let policy = LandlockPolicy(kernelABI: abi)
            #expect(policy.abi == min(abi, 7))
            #expect(policy.handledFilesystem & writeRights == writeRights)
            #expect(policy.handledFilesystem & reads == 0, "reads must stay allowed")
            #expect(policy.restrictsRefer == (abi >= 2))
            #expect(policy.restrictsTruncate == (abi >= 3))
            #expect(policy.restrictsTCP == (abi >= 4))
            #expect(policy.restrictsDeviceIoctl == (abi >= 5))
            #expect(policy.scopesSignalsAndAbstractSockets == (abi >= 6))
            #expect(policy.missingProtections.isEmpty == (abi >= 6))
            // Every right an older ABI lacks names what covers it meanwhile.
            #expect(policy.missingProtections.allSatisfy { !$0.coveredBy.isEmpty && $0.abi > abi })
            // The camera rule grants only what is handled: write, plus device ioctl from ABI 5.
            #expect(policy.cameraAllowed & ~policy.handledFilesystem == 0)
            #expect(policy.cameraAllowed & UInt64(OMOTE_LANDLOCK_ACCESS_FS_WRITE_FILE) != 0)
        }
        #expect(LandlockPolicy(kernelABI: 7).coverage == "fs+net+scope")
        #expect(LandlockPolicy(kernelABI: 4).coverage == "fs+net")
        #expect(LandlockPolicy(kernelABI: 0).handledFilesystem == 0)
    }
}

@Suite("Guard engagement rules")
struct GuardEngagementTests {
    @Test("engaging in a multi-threaded process fails closed and names the reason")
    func refusesWithThreads() throws {
        // Keep a second thread alive for the check (the test runner has more anyway). Only the side-effect-free
        // preflight is called here: this runner must never lock itself down.
        let started = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let thread = Thread {
            started.signal()
            release.wait()
        }
        thread.start()
        started.wait()
        defer { release.signal() }
        #expect((ProcessThreads.count() ?? 0) >= 2)
        #expect(throws: OmoteError.self) { _ = try PrivacyGuard.preflight() }
        do {
            _ = try PrivacyGuard.preflight()
        } catch {
            #expect(error.code == .privacyThreadCheck)
            #expect(error.description.contains("threads are already running"))
            #expect(error.description.contains("Omote refuses to read frames"))
        }
        #expect(PrivacyGuard.status == nil)
    }

    @Test("probe reports this kernel's capabilities without engaging")
    func probeIsSideEffectFree() {
        let capabilities = PrivacyGuard.probe()
        #expect(capabilities.landlockABI == Int(omote_landlock_abi_version()))
        #expect(capabilities.seccompArchitectureSupported)
        #expect(omote_prctl(PR_GET_SECCOMP, 0, 0, 0, 0) == 0, "probe must not install a filter")
        #expect(omote_prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 0)
        #expect(capabilities.findings.contains { $0.text.hasPrefix("Landlock") || $0.text.contains("Landlock") })
        if capabilities.landlockABI >= 6 { #expect(capabilities.canEngage) }
    }

    @Test("errors name the step, the errno and what to do")
    func errorDescriptions() {
        let error = OmoteError.privacyGuard(
            .privacyLandlock, LandlockAvailability.explain(errno: EOPNOTSUPP), errno: EOPNOTSUPP)
        #expect(error.code == .privacyLandlock)
        #expect(error.errno == Errno(rawValue: EOPNOTSUPP))
        #expect(error.description.hasPrefix("cannot engage the privacy guard (Landlock): "))
        #expect(error.description.contains("lsm="))
        #expect(error.description.contains("errno \(EOPNOTSUPP)"))
        #expect(error.description.contains("Omote refuses to read frames without the full guard"))
        #expect(LandlockAvailability.explain(errno: ENOSYS).contains("CONFIG_SECURITY_LANDLOCK"))
    }

    @Test("the status line summarises what is enforced, closed descriptors and a tracer")
    func statusSummary() {
        let status = PrivacyGuardStatus(
            kernelLandlockABI: 7, landlock: LandlockPolicy(kernelABI: 7), allowedSyscalls: 90,
            closedDescriptors: 0, cameraDevice: nil, tracer: nil)
        #expect(
            status.summary.hasPrefix("guard: Landlock v7 fs+net+scope, seccomp allow-list of 90 syscalls, no dumps"))
        #expect(!status.summary.contains("TRACED"))
        let withCamera = PrivacyGuardStatus(
            kernelLandlockABI: 7, landlock: LandlockPolicy(kernelABI: 7), allowedSyscalls: 90,
            closedDescriptors: 3, cameraDevice: "/dev/video0",
            tracer: Tracer(processID: 77, name: "strace"))
        #expect(withCamera.summary.contains("writable: /dev/video0 only"))
        #expect(withCamera.summary.contains("closed 3 inherited descriptor(s)"))
        #expect(withCamera.summary.contains("TRACED by PID 77 (strace)"))
    }

    @Test("the tracer is read from TracerPid; none in this test runner unless one is attached")
    func tracerParsing() {
        #expect(Tracer.tracerPID(fromStatus: "Name:\tomote\nTracerPid:\t1234\nUid:\t0\n") == 1234)
        #expect(Tracer.tracerPID(fromStatus: "TracerPid:\t0\n") == 0)
        #expect(Tracer.tracerPID(fromStatus: "Name:\tomote\n") == nil)
    }

    @Test("doctor's verdict follows its findings: a requirement blocks, a warning does not")
    func verdictConsistency() {
        let capabilities = PrivacyGuard.probe()
        let required = capabilities.findings.contains { $0.level == .required }
        #expect(capabilities.canEngage == !required)
        #expect(capabilities.verdict.contains("cannot engage") == required)
        let ptrace = capabilities.findings.filter { $0.text.contains("ptrace_scope") || $0.text.contains("Yama") }
        #expect(ptrace.count == 1, "doctor reports Yama exactly once")
        if capabilities.ptraceScope == nil || capabilities.ptraceScope == 0 {
            #expect(ptrace.first?.level == .warning)
            #expect(ptrace.first?.fix?.contains("ptrace_scope=1") == true)
        }
    }
}

@Suite("Output policy")
struct OutputPolicyTests {
    @Test("expression data is allowed only on a terminal, with the reason otherwise")
    func decisions() {
        #expect(
            OutputPolicy.decision(isTerminal: true, kind: .characterDevice)
                == OutputDecision(allowed: true, reason: nil))
        for (kind, phrase) in [
            (OutputPolicy.StreamKind.pipe, "a pipe"), (.regularFile, "a file"), (.socket, "a socket"),
            (.characterDevice, "a device that is not a terminal"),
        ] {
            let decision = OutputPolicy.decision(isTerminal: false, kind: kind)
            #expect(!decision.allowed)
            #expect(decision.reason?.contains("stdout is \(phrase)") == true)
            #expect(decision.reason?.contains("only status and timings") == true)
        }
    }

    @Test("stream kinds are read from the descriptor")
    func streamKinds() throws {
        var fds: [Int32] = [-1, -1]
        #expect(pipe(&fds) == 0)
        defer {
            close(fds[0])
            close(fds[1])
        }
        #expect(OutputPolicy.StreamKind.of(descriptor: fds[1]) == .pipe)
        let null = open("/dev/null", O_RDONLY)
        defer { close(null) }
        #expect(OutputPolicy.StreamKind.of(descriptor: null) == .characterDevice)
        #expect(OutputPolicy.StreamKind.of(descriptor: -1) == .closed)
        // Under `swift test` stdout is not a terminal when piped; the live value must agree with isatty.
        #expect(OutputPolicy.expressionDataAllowed == (isatty(STDOUT_FILENO) == 1))
        #expect((OutputPolicy.expressionDataWithheldReason == nil) == OutputPolicy.expressionDataAllowed)
    }
}
