import CPrivacyShim
#if canImport(Glibc)
import Glibc
#endif

/// The classic-BPF seccomp program Omote installs: check the architecture (a foreign one, e.g. 32-bit syscalls from a
/// 64-bit process, kills the process, since its syscall numbers mean something else), refuse every x32 syscall on
/// x86-64, return EPERM for each denied syscall and allow the rest.
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

    public let architecture: UInt32
    public let x32Bit: UInt32
    public let denied: [Rule]
    public let instructions: [omote_sock_filter]

    /// Builds the program for this machine. Throws when this architecture has no table or a syscall is unknown.
    public static func forThisMachine() throws(PrivacyGuardError) -> SeccompFilter {
        let architecture = omote_audit_arch()
        guard architecture != 0 else {
            throw PrivacyGuardError(.seccomp, "this CPU architecture has no seccomp syscall table in Omote (x86-64 and arm64 do)")
        }
        var rules: [Rule] = []
        for name in deniedSyscallNames {
            let number = omote_syscall_number(name)
            guard number >= 0 else {
                throw PrivacyGuardError(.seccomp, "syscall \(name) has no number on this architecture")
            }
            rules.append(Rule(name: name, number: UInt32(number)))
        }
        return SeccompFilter(architecture: architecture, x32Bit: omote_x32_syscall_bit(), denied: rules)
    }

    public init(architecture: UInt32, x32Bit: UInt32, denied: [Rule]) {
        self.architecture = architecture
        self.x32Bit = x32Bit
        self.denied = denied
        func statement(_ code: Int32, _ k: UInt32) -> omote_sock_filter {
            omote_sock_filter(code: UInt16(code), jt: 0, jf: 0, k: k)
        }
        func jump(_ code: Int32, _ k: UInt32, ifTrue: Int, ifFalse: Int) -> omote_sock_filter {
            omote_sock_filter(code: UInt16(code), jt: UInt8(ifTrue), jf: UInt8(ifFalse), k: k)
        }
        let deny = OMOTE_SECCOMP_RET_ERRNO | UInt32(EPERM)
        var program: [omote_sock_filter] = [
            statement(OMOTE_BPF_LD_W_ABS, UInt32(OMOTE_SECCOMP_DATA_ARCH_OFFSET)),
            jump(OMOTE_BPF_JMP_JEQ_K, architecture, ifTrue: 1, ifFalse: 0),
            statement(OMOTE_BPF_RET_K, OMOTE_SECCOMP_RET_KILL_PROCESS),
            statement(OMOTE_BPF_LD_W_ABS, UInt32(OMOTE_SECCOMP_DATA_NR_OFFSET)),
        ]
        if x32Bit != 0 {
            program.append(jump(OMOTE_BPF_JMP_JGE_K, x32Bit, ifTrue: 0, ifFalse: 1))
            program.append(statement(OMOTE_BPF_RET_K, deny))
        }
        // Each match jumps forward to the shared EPERM return after the final ALLOW.
        for (index, rule) in denied.enumerated() {
            let remaining = denied.count - index - 1
            program.append(jump(OMOTE_BPF_JMP_JEQ_K, rule.number, ifTrue: remaining + 1, ifFalse: 0))
        }
        program.append(statement(OMOTE_BPF_RET_K, OMOTE_SECCOMP_RET_ALLOW))
        program.append(statement(OMOTE_BPF_RET_K, deny))
        precondition(denied.count < 250, "BPF jump offsets are 8-bit")
        instructions = program
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
