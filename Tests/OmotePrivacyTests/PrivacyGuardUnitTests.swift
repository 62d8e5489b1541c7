import CPrivacyShim
import Foundation
@testable import OmotePrivacy
import Testing

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
            case let offset where offset >= OMOTE_SECCOMP_DATA_ARGS_OFFSET && offset < OMOTE_SECCOMP_DATA_ARGS_OFFSET + 48:
                let argument = arguments[Int(offset - OMOTE_SECCOMP_DATA_ARGS_OFFSET) / 8]
                accumulator = (offset - OMOTE_SECCOMP_DATA_ARGS_OFFSET) % 8 == 0 ? UInt32(truncatingIfNeeded: argument) : UInt32(truncatingIfNeeded: argument >> 32)
            default: return nil
            }
            pc += 1
        case OMOTE_BPF_JMP_JEQ_K:
            pc += 1 + Int(accumulator == instruction.k ? instruction.jt : instruction.jf)
        case OMOTE_BPF_JMP_JGE_K:
            pc += 1 + Int(accumulator >= instruction.k ? instruction.jt : instruction.jf)
        case OMOTE_BPF_RET_K:
            return instruction.k
        default:
            return nil
        }
    }
    return nil  // fell off the end: the kernel rejects such a program
}

@Suite("seccomp filter program")
struct SeccompFilterTests {
    let filter: SeccompFilter

    init() throws { filter = try SeccompFilter.forThisMachine() }

    @Test("each denied syscall returns EPERM, everyday syscalls are allowed")
    func deniedAndAllowed() throws {
        let eperm = OMOTE_SECCOMP_RET_ERRNO | UInt32(EPERM)
        #expect(filter.denied.count == 17)
        #expect(Set(filter.denied.map(\.name)) == Set(SeccompFilter.deniedSyscallNames))
        for rule in filter.denied {
            #expect(evaluate(filter.instructions, arch: filter.architecture, nr: rule.number) == eperm, "\(rule.name)")
        }
        for name in ["read", "write", "openat", "close", "getpid"] {
            let number = UInt32(omote_syscall_number(name))
            #expect(evaluate(filter.instructions, arch: filter.architecture, nr: number) == OMOTE_SECCOMP_RET_ALLOW, "\(name)")
        }
    }

    @Test("core dumps stay off: PR_SET_DUMPABLE and RLIMIT_CORE changes are refused, reading limits is not")
    func dumpLock() {
        let eperm = OMOTE_SECCOMP_RET_ERRNO | UInt32(EPERM)
        let arch = filter.architecture
        let prctl = UInt32(omote_syscall_number("prctl")), prlimit = UInt32(omote_syscall_number("prlimit64"))
        let rlimitCore: UInt64 = 4, rlimitNofile: UInt64 = 7
        #expect(evaluate(filter.instructions, arch: arch, nr: prctl, args: [UInt64(PR_SET_DUMPABLE), 1]) == eperm)
        #expect(evaluate(filter.instructions, arch: arch, nr: prctl, args: [UInt64(PR_GET_DUMPABLE)]) == OMOTE_SECCOMP_RET_ALLOW)
        #expect(evaluate(filter.instructions, arch: arch, nr: prctl, args: [UInt64(PR_SET_NAME), 0x1234]) == OMOTE_SECCOMP_RET_ALLOW)
        // prlimit64(pid, resource, new_limit, old_limit): a new RLIMIT_CORE (pointer in either half) is refused.
        #expect(evaluate(filter.instructions, arch: arch, nr: prlimit, args: [0, rlimitCore, 0x7ffd_0000_1000, 0]) == eperm)
        #expect(evaluate(filter.instructions, arch: arch, nr: prlimit, args: [0, rlimitCore, 0x7ffd_0000_0000, 0]) == eperm)
        #expect(evaluate(filter.instructions, arch: arch, nr: prlimit, args: [0, rlimitCore, 0x1000, 0]) == eperm)
        #expect(evaluate(filter.instructions, arch: arch, nr: prlimit, args: [0, rlimitCore, 0, 0x7ffd_0000_1000]) == OMOTE_SECCOMP_RET_ALLOW)
        #expect(evaluate(filter.instructions, arch: arch, nr: prlimit, args: [0, rlimitNofile, 0x7ffd_0000_1000, 0]) == OMOTE_SECCOMP_RET_ALLOW)
        if let setrlimit = filter.dumpLock.setrlimit {
            #expect(evaluate(filter.instructions, arch: arch, nr: setrlimit, args: [rlimitCore, 0x1000]) == eperm)
            #expect(evaluate(filter.instructions, arch: arch, nr: setrlimit, args: [rlimitNofile, 0x1000]) == OMOTE_SECCOMP_RET_ALLOW)
        }
    }

    @Test("a foreign architecture kills the process; x32 syscalls are refused")
    func architectureCheck() throws {
        let socketNumber = UInt32(omote_syscall_number("socket"))
        let i386: UInt32 = 0x4000_0003  // AUDIT_ARCH_I386
        #expect(evaluate(filter.instructions, arch: i386, nr: 1) == OMOTE_SECCOMP_RET_KILL_PROCESS)
        #expect(evaluate(filter.instructions, arch: i386, nr: socketNumber) == OMOTE_SECCOMP_RET_KILL_PROCESS)
        if filter.x32Bit != 0 {
            let read = UInt32(omote_syscall_number("read"))
            #expect(evaluate(filter.instructions, arch: filter.architecture, nr: filter.x32Bit | read) == OMOTE_SECCOMP_RET_ERRNO | UInt32(EPERM))
        }
    }

    @Test("syscall numbers come from this architecture's kernel headers")
    func numbersFromHeaders() {
        #if arch(x86_64)
        #expect(omote_syscall_number("socket") == 41)
        #expect(omote_syscall_number("execve") == 59)
        #expect(omote_syscall_number("io_uring_setup") == 425)
        #endif
        #expect(omote_syscall_number("no_such_syscall") == -1)
    }
}

@Suite("Landlock policy per ABI")
struct LandlockPolicyTests {
    @Test("every write right is handled at each ABI; newer rights appear with their ABI")
    func rightsPerABI() {
        let writeRights = UInt64(OMOTE_LANDLOCK_ACCESS_FS_WRITE_FILE) | UInt64(OMOTE_LANDLOCK_ACCESS_FS_REMOVE_DIR)
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
        let started = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
        let thread = Thread { started.signal(); release.wait() }
        thread.start()
        started.wait()
        defer { release.signal() }
        #expect((ProcessThreads.count() ?? 0) >= 2)
        #expect(throws: PrivacyGuardError.self) { try PrivacyGuard.preflight() }
        do {
            _ = try PrivacyGuard.preflight()
        } catch {
            #expect(error.step == .threads)
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
        let error = PrivacyGuardError(.landlock, LandlockAvailability.explain(errno: EOPNOTSUPP), errno: EOPNOTSUPP)
        #expect(error.description.contains("(Landlock)"))
        #expect(error.description.contains("lsm="))
        #expect(error.description.contains("errno \(EOPNOTSUPP)"))
        #expect(LandlockAvailability.explain(errno: ENOSYS).contains("CONFIG_SECURITY_LANDLOCK"))
    }

    @Test("the status line summarises what is enforced")
    func statusSummary() {
        let status = PrivacyGuardStatus(kernelLandlockABI: 7, landlock: LandlockPolicy(kernelABI: 7),
                                        deniedSyscalls: SeccompFilter.deniedSyscallNames, cameraDevice: nil)
        #expect(status.summary.hasPrefix("guard: Landlock v7 fs+net+scope, seccomp 17 syscalls, no dumps"))
        let withCamera = PrivacyGuardStatus(kernelLandlockABI: 7, landlock: LandlockPolicy(kernelABI: 7),
                                            deniedSyscalls: SeccompFilter.deniedSyscallNames, cameraDevice: "/dev/video0")
        #expect(withCamera.summary.contains("writable: /dev/video0 only"))
    }
}

@Suite("Output policy")
struct OutputPolicyTests {
    @Test("expression data is allowed only on a terminal, with the reason otherwise")
    func decisions() {
        #expect(OutputPolicy.decision(isTerminal: true, kind: .characterDevice) == OutputDecision(allowed: true, reason: nil))
        for (kind, phrase) in [(OutputPolicy.StreamKind.pipe, "a pipe"), (.regularFile, "a file"), (.socket, "a socket"), (.characterDevice, "a device that is not a terminal")] {
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
        defer { close(fds[0]); close(fds[1]) }
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
