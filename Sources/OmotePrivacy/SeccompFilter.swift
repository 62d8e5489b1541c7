import CPrivacyShim
#if canImport(Glibc)
import Glibc
#endif

/// The classic-BPF seccomp program Omote installs: check the architecture (a foreign one, e.g. 32-bit syscalls from a
/// 64-bit process, kills the process, since its syscall numbers mean something else), refuse every x32 syscall on
/// x86-64, keep core dumps off (no `prctl(PR_SET_DUMPABLE)`, no change to RLIMIT_CORE), return EPERM for each denied
/// syscall and allow the rest.
public struct SeccompFilter: Sendable {
    /// Everything that could move data out of the process or let another program act for it: sockets of any
    /// family and their data path, program execution, writing another process's memory, io_uring (which performs
    /// I/O without the syscalls above), reopening files by handle (bypasses path rules) and anonymous memory files.
    public static let deniedSyscallNames = [
        "socket", "socketpair", "connect", "bind", "listen", "accept", "accept4",
        "sendto", "sendmsg", "sendmmsg",
        "execve", "execveat",
        "ptrace", "process_vm_writev",
        "io_uring_setup", "open_by_handle_at", "memfd_create",
    ]

    /// One denied syscall with this architecture's number.
    public struct Rule: Sendable, Equatable {
        public let name: String
        public let number: UInt32
    }

    /// Syscall numbers of the argument rules that keep core dumps off once the guard engaged: a library cannot make
    /// the process dumpable again or raise RLIMIT_CORE (root could otherwise; a crash would then hand the process's
    /// memory to the core-dump handler). Reading limits (prlimit64 with no new limit) stays allowed.
    public struct DumpLock: Sendable, Equatable {
        public let prctl: UInt32
        public let setrlimit: UInt32?  // absent on architectures that only have prlimit64
        public let prlimit64: UInt32
    }

    public let architecture: UInt32
    public let x32Bit: UInt32
    public let denied: [Rule]
    public let dumpLock: DumpLock
    public let instructions: [omote_sock_filter]

    /// Builds the program for this machine. Throws when this architecture has no table or a syscall is unknown.
    public static func forThisMachine() throws(PrivacyGuardError) -> SeccompFilter {
        let architecture = omote_audit_arch()
        guard architecture != 0 else {
            throw PrivacyGuardError(.seccomp, "this CPU architecture has no seccomp syscall table in Omote (x86-64 and little-endian arm64 do)")
        }
        func number(_ name: String) throws(PrivacyGuardError) -> UInt32 {
            let number = omote_syscall_number(name)
            guard number >= 0 else { throw PrivacyGuardError(.seccomp, "syscall \(name) has no number on this architecture") }
            return UInt32(number)
        }
        var rules: [Rule] = []
        for name in deniedSyscallNames { rules.append(Rule(name: name, number: try number(name))) }
        let setrlimit = omote_syscall_number("setrlimit")
        let dumpLock = DumpLock(prctl: try number("prctl"), setrlimit: setrlimit >= 0 ? UInt32(setrlimit) : nil,
                                prlimit64: try number("prlimit64"))
        return SeccompFilter(architecture: architecture, x32Bit: omote_x32_syscall_bit(), denied: rules, dumpLock: dumpLock)
    }

    public init(architecture: UInt32, x32Bit: UInt32, denied: [Rule], dumpLock: DumpLock) {
        self.architecture = architecture
        self.x32Bit = x32Bit
        self.denied = denied
        self.dumpLock = dumpLock
        let deny = OMOTE_SECCOMP_RET_ERRNO | UInt32(EPERM)
        let rlimitCore: UInt32 = 4  // RLIMIT_CORE on every Linux architecture Omote supports
        let dumpable = UInt32(PR_SET_DUMPABLE)
        var program = BPFAssembler()
        program.load(.arch)
        program.jumpIfEqual(architecture, else: "kill")
        program.load(.number)
        if x32Bit != 0 { program.jumpIfGreaterOrEqual(x32Bit, then: "deny") }

        // Dump lock: prctl(PR_SET_DUMPABLE, …), setrlimit(RLIMIT_CORE, …), prlimit64(_, RLIMIT_CORE, new != NULL, _).
        program.jumpIfEqual(dumpLock.prctl, else: "after-prctl")
        program.load(.argumentLow(0))
        program.jumpIfEqual(dumpable, then: "deny")
        program.load(.number)
        program.label("after-prctl")
        if let setrlimit = dumpLock.setrlimit {
            program.jumpIfEqual(setrlimit, else: "after-setrlimit")
            program.load(.argumentLow(0))
            program.jumpIfEqual(rlimitCore, then: "deny")
            program.load(.number)
            program.label("after-setrlimit")
        }
        program.jumpIfEqual(dumpLock.prlimit64, else: "after-prlimit64")
        program.load(.argumentLow(1))
        program.jumpIfEqual(rlimitCore, else: "reload-number")
        program.load(.argumentLow(2))
        program.jumpIfEqual(0, else: "deny")
        program.load(.argumentHigh(2))
        program.jumpIfEqual(0, else: "deny")
        program.label("reload-number")
        program.load(.number)
        program.label("after-prlimit64")

        for rule in denied { program.jumpIfEqual(rule.number, then: "deny") }
        program.ret(OMOTE_SECCOMP_RET_ALLOW)
        program.label("deny")
        program.ret(deny)
        program.label("kill")
        program.ret(OMOTE_SECCOMP_RET_KILL_PROCESS)
        instructions = program.assemble()
    }

    /// Installs the program on every thread of the process (TSYNC). Needs no_new_privs (or CAP_SYS_ADMIN).
    func install() throws(PrivacyGuardError) {
        let result = instructions.withUnsafeBufferPointer { omote_seccomp_install_tsync($0.baseAddress, UInt16($0.count)) }
        if result < 0 {
            let code = errno
            let hint = code == EINVAL ? " (the kernel lacks CONFIG_SECCOMP_FILTER or TSYNC)" : ""
            throw PrivacyGuardError(.seccomp, "seccomp(SECCOMP_SET_MODE_FILTER, TSYNC) failed\(hint)", errno: code)
        }
        if result > 0 {
            throw PrivacyGuardError(.seccomp, "thread \(result) could not be synchronised to the seccomp filter (it runs under another filter)")
        }
    }
}

/// A tiny classic-BPF assembler with named forward jump targets (nil target: fall through to the next instruction).
struct BPFAssembler {
    enum Word {
        case number, arch
        /// Low / high 32 bits of syscall argument i (little-endian: low word first).
        case argumentLow(Int), argumentHigh(Int)
        var offset: UInt32 {
            switch self {
            case .number: UInt32(OMOTE_SECCOMP_DATA_NR_OFFSET)
            case .arch: UInt32(OMOTE_SECCOMP_DATA_ARCH_OFFSET)
            case let .argumentLow(index): UInt32(OMOTE_SECCOMP_DATA_ARGS_OFFSET) + 8 * UInt32(index)
            case let .argumentHigh(index): UInt32(OMOTE_SECCOMP_DATA_ARGS_OFFSET) + 8 * UInt32(index) + 4
            }
        }
    }

    private struct Pending {
        var code: Int32
        var k: UInt32
        var then: String?
        var otherwise: String?
    }

    private var pending: [Pending] = []
    private var labels: [String: Int] = [:]

    mutating func load(_ word: Word) { pending.append(Pending(code: OMOTE_BPF_LD_W_ABS, k: word.offset)) }
    mutating func ret(_ value: UInt32) { pending.append(Pending(code: OMOTE_BPF_RET_K, k: value)) }
    mutating func jumpIfEqual(_ value: UInt32, then: String? = nil, else otherwise: String? = nil) {
        pending.append(Pending(code: OMOTE_BPF_JMP_JEQ_K, k: value, then: then, otherwise: otherwise))
    }
    mutating func jumpIfGreaterOrEqual(_ value: UInt32, then: String? = nil, else otherwise: String? = nil) {
        pending.append(Pending(code: OMOTE_BPF_JMP_JGE_K, k: value, then: then, otherwise: otherwise))
    }
    mutating func label(_ name: String) {
        precondition(labels[name] == nil, "label \(name) defined twice")
        labels[name] = pending.count
    }

    func assemble() -> [omote_sock_filter] {
        pending.enumerated().map { index, instruction in
            func offset(_ label: String?) -> UInt8 {
                guard let label else { return 0 }
                guard let target = labels[label] else { preconditionFailure("undefined BPF label \(label)") }
                let distance = target - index - 1
                precondition((0 ... 255).contains(distance), "BPF jumps go forward at most 255 instructions")
                return UInt8(distance)
            }
            return omote_sock_filter(code: UInt16(instruction.code), jt: offset(instruction.then),
                                     jf: offset(instruction.otherwise), k: instruction.k)
        }
    }
}
