import CPrivacyShim
import OmoteCore

#if canImport(Glibc)
import Glibc
#endif

/// The classic-BPF seccomp program Omote installs: an allow-list. Only the syscalls the running pipeline (Swift's
/// runtime, Foundation, libjpeg-turbo, libv4l2, the terminal view) makes after engagement are allowed, several only
/// with argument checks; everything else returns EPERM, so a rare call nobody listed degrades instead of killing the
/// process; the clearly hostile ones (exec, ptrace, process memory access, bpf, keys, SysV IPC, io_uring, modules,
/// namespaces, …) kill the process. A foreign syscall ABI (int 0x80 on x86-64) kills; x32 syscalls are refused.
///
/// Argument checks compare the low 32 bits where the kernel itself reads a 32-bit value (descriptors, ioctl requests,
/// flags, pids), so a value with stray high bits cannot slip past the check while meaning the same to the kernel.
package struct SeccompFilter: Sendable {
    /// What the program is built for: this process's id (signals only to itself), the camera's descriptors (the only
    /// V4L2 ioctls and shared mappings), and the descriptors Omote writes to (stdout, stderr).
    package struct Context: Sendable, Equatable {
        package var processID: UInt32
        package var cameraDescriptors: [Int32]
        package var outputDescriptors: [Int32] = [1, 2]
        package var terminalDescriptors: [Int32] = [0, 1, 2]
        /// The presenter's X server connection (window view): also in `outputDescriptors`, and the only descriptor
        /// `recvmsg` and `recvfrom` may read (libxcb reads replies and events with the first, the rest of a reply
        /// longer than its buffer with the second).
        package var displaySockets: [Int32] = []

        package init(processID: UInt32, cameraDescriptors: [Int32]) {
            self.processID = processID
            self.cameraDescriptors = cameraDescriptors
        }
    }

    /// Allowed with any arguments: reading, memory management, threads' plumbing, time, signals to itself (handlers
    /// and masks only), waiting on the camera. Names this architecture lacks (arm64 has no open, stat, poll, …) are
    /// skipped. Ordered roughly by frequency: the program is a linear scan.
    package static let allowedSyscallNames = [
        "read", "clock_nanosleep", "futex", "close", "newfstatat", "fstat", "munmap", "brk", "mprotect", "madvise",
        "readv", "pread64", "preadv", "preadv2", "lseek", "stat", "lstat", "statx", "statfs", "fstatfs", "getdents64",
        "readlink", "readlinkat", "access", "faccessat", "faccessat2", "getcwd", "close_range",
        "mremap", "mlock", "mlock2", "munlock", "mincore", "membarrier",
        "futex_waitv", "set_robust_list", "rseq", "set_tid_address", "arch_prctl", "sched_yield", "sched_getaffinity",
        "getrandom", "clock_gettime", "clock_getres", "nanosleep", "gettimeofday", "time",
        "getpid", "gettid", "getppid", "getuid", "geteuid", "getgid", "getegid", "getresuid", "getresgid", "uname",
        "sysinfo", "getrusage", "times", "getrlimit",
        "exit", "exit_group", "restart_syscall", "rt_sigreturn", "rt_sigaction", "rt_sigprocmask", "sigaltstack",
        "rt_sigpending", "rt_sigsuspend", "rt_sigtimedwait",
        "poll", "ppoll", "select", "pselect6",
        "wait4", "waitid",  // reaping the sensor (no new process can be made after engaging)
    ]

    /// Allowed only when the arguments pass a check (see `Check`); otherwise EPERM.
    package static let checkedSyscallNames = [
        "ioctl", "write", "writev", "pwrite64", "pwritev", "pwritev2", "mmap", "openat", "open", "prctl", "prlimit64",
        "clone", "clone3", "kill", "tgkill", "fcntl", "seccomp", "recvmsg", "recvfrom",
    ]

    /// Kill the process: no code path of Omote or its libraries makes these, so an attempt means the process is
    /// compromised. Exec, debugging and process-memory access, kernel objects that outlive the process or cross users
    /// (bpf, keys, SysV IPC), io_uring (I/O without the syscalls above), file handles (bypass path rules), modules,
    /// mounts and namespaces.
    package static let killedSyscallNames = [
        "execve", "execveat", "ptrace", "process_vm_readv", "process_vm_writev", "bpf", "add_key", "request_key",
        "keyctl", "shmget", "shmat", "shmctl", "msgget", "msgsnd", "msgrcv", "msgctl", "semget", "semop", "semtimedop",
        "semctl", "io_uring_setup", "io_uring_enter", "io_uring_register", "open_by_handle_at", "name_to_handle_at",
        "userfaultfd", "perf_event_open", "kexec_load", "kexec_file_load", "init_module", "finit_module",
        "delete_module", "mount", "umount2", "pivot_root", "chroot", "setns", "unshare", "pidfd_getfd", "iopl",
        "ioperm",
        "swapon", "swapoff", "reboot", "acct", "fanotify_init",
    ]

    /// The prctl options allowed: the guard's own read-backs.
    package static let allowedPrctlOptions: [UInt32] = [
        UInt32(PR_GET_NO_NEW_PRIVS), UInt32(PR_GET_SECCOMP), UInt32(PR_GET_DUMPABLE), UInt32(PR_GET_NAME),
    ]
    /// Terminal ioctls on stdin/stdout/stderr: read and set the line discipline (raw mode and its restore), and the
    /// window size. Never TIOCSTI (push input) or TIOCLINUX.
    package static let terminalRequests: [UInt32] = [
        UInt32(OMOTE_TCGETS), UInt32(OMOTE_TCSETS), UInt32(OMOTE_TCSETSW), UInt32(OMOTE_TCSETSF),
        UInt32(OMOTE_TIOCGWINSZ),
    ]
    /// The V4L2 requests Omote's capture makes, allowed on the camera's descriptors only.
    package static let cameraRequests: [UInt32] = (0 ..< omote_v4l2_request_count()).map { omote_v4l2_request($0) }
    /// Open flags that create, write, truncate or append: refused on every open.
    package static let writeOpenFlags = UInt32(
        OMOTE_O_WRONLY | OMOTE_O_RDWR | OMOTE_O_CREAT | OMOTE_O_TRUNC
            | OMOTE_O_APPEND | OMOTE_O_TMPFILE_BIT)
    /// fcntl commands allowed: descriptor and status flags (no F_DUPFD, leases, owners or signals).
    package static let allowedFcntlCommands: [UInt32] = [
        UInt32(OMOTE_F_GETFD), UInt32(OMOTE_F_SETFD), UInt32(OMOTE_F_GETFL), UInt32(OMOTE_F_SETFL),
    ]

    package let architecture: UInt32
    package let x32Bit: UInt32
    package let context: Context
    /// name → number on this architecture, for everything the program names.
    package let numbers: [String: UInt32]
    package let instructions: [omote_sock_filter]

    /// Names of the syscalls the program allows (with or without argument checks) on this architecture.
    package var allowedOnThisArchitecture: [String] {
        (Self.allowedSyscallNames + Self.checkedSyscallNames).filter { numbers[$0] != nil && $0 != "clone3" }
    }

    /// Builds the program for this machine. Throws when this architecture has no table or a core syscall is unknown.
    package static func forThisMachine(context: Context) throws(OmoteError) -> SeccompFilter {
        let architecture = omote_audit_arch()
        guard architecture != 0 else {
            throw OmoteError.privacyGuard(
                .privacySeccomp,
                "this CPU architecture has no seccomp syscall table in Omote (x86-64 and little-endian arm64 do)")
        }
        var numbers: [String: UInt32] = [:]
        for name in allowedSyscallNames + checkedSyscallNames + killedSyscallNames {
            let number = omote_syscall_number(name)
            if number >= 0 { numbers[name] = UInt32(number) }
        }
        for core in ["read", "write", "openat", "close", "mmap", "munmap", "futex", "exit_group", "ioctl", "clone"]
        where numbers[core] == nil {
            throw OmoteError.privacyGuard(.privacySeccomp, "syscall \(core) has no number on this architecture")
        }
        return SeccompFilter(
            architecture: architecture, x32Bit: omote_x32_syscall_bit(), numbers: numbers, context: context)
    }

    package init(architecture: UInt32, x32Bit: UInt32, numbers: [String: UInt32], context: Context) {
        self.architecture = architecture
        self.x32Bit = x32Bit
        self.numbers = numbers
        self.context = context
        instructions = Self.assemble(architecture: architecture, x32Bit: x32Bit, numbers: numbers, context: context)
    }

    package static let deny = OMOTE_SECCOMP_RET_ERRNO | UInt32(EPERM)
    package static let allow = OMOTE_SECCOMP_RET_ALLOW
    package static let kill = OMOTE_SECCOMP_RET_KILL_PROCESS

    private static func assemble(
        architecture: UInt32, x32Bit: UInt32, numbers: [String: UInt32],
        context: Context
    ) -> [omote_sock_filter] {
        var program = BPFAssembler()
        program.checkArchitecture(architecture, x32Bit: x32Bit)
        var block = 0
        func rule(_ name: String, _ body: (inout BPFAssembler) -> Void) {
            guard let number = numbers[name] else { return }
            block += 1
            program.jumpIfEqual(number, else: "after-\(block)")
            body(&program)  // always ends in a return, so the accumulator still holds the number after the label
            program.label("after-\(block)")
        }
        func allowIf(argument index: Int, in values: [UInt32]) -> (inout BPFAssembler) -> Void {
            { program in
                let ok = "ok-\(block)"
                program.load(.argumentLow(index))
                for value in values { program.jumpIfEqual(value, then: ok) }
                program.ret(deny)
                program.label(ok)
                program.ret(allow)
            }
        }
        func allowIf(argument index: Int, masked mask: UInt32, equals value: UInt32) -> (inout BPFAssembler) -> Void {
            { program in
                program.load(.argumentLow(index))
                program.and(mask)
                program.jumpIfEqual(value, then: "ok-\(block)")
                program.ret(deny)
                program.label("ok-\(block)")
                program.ret(allow)
            }
        }

        // The hottest calls first (the program is a linear scan).
        rule("read") { $0.ret(allow) }
        rule("clock_nanosleep") { $0.ret(allow) }
        rule("ioctl") { program in
            let id = block
            program.load(.argumentLow(0))
            if !context.cameraDescriptors.isEmpty {
                for descriptor in context.cameraDescriptors {
                    program.jumpIfEqual(UInt32(bitPattern: descriptor), then: "camera-\(id)")
                }
            }
            for descriptor in context.terminalDescriptors {
                program.jumpIfEqual(UInt32(bitPattern: descriptor), then: "terminal-\(id)")
            }
            program.ret(deny)
            if !context.cameraDescriptors.isEmpty {
                program.label("camera-\(id)")
                program.load(.argumentLow(1))
                for request in cameraRequests { program.jumpIfEqual(request, then: "ok-\(id)") }
                program.ret(deny)
            }
            program.label("terminal-\(id)")
            program.load(.argumentLow(1))
            for request in terminalRequests { program.jumpIfEqual(request, then: "ok-\(id)") }
            program.ret(deny)
            program.label("ok-\(id)")
            program.ret(allow)
        }
        let outputs = context.outputDescriptors.map { UInt32(bitPattern: $0) }
        for name in ["write", "writev", "pwrite64", "pwritev", "pwritev2"] {
            rule(name, allowIf(argument: 0, in: outputs))
        }
        rule("mmap") { program in
            let id = block
            program.load(.argumentLow(3))
            program.and(UInt32(OMOTE_MAP_TYPE))
            program.jumpIfEqual(UInt32(OMOTE_MAP_PRIVATE), then: "ok-\(id)")
            if !context.cameraDescriptors.isEmpty {
                program.load(.argumentLow(4))
                for descriptor in context.cameraDescriptors {
                    program.jumpIfEqual(UInt32(bitPattern: descriptor), then: "ok-\(id)")
                }
            }
            program.ret(deny)
            program.label("ok-\(id)")
            program.ret(allow)
        }
        for name in ["recvmsg", "recvfrom"] {
            rule(name, allowIf(argument: 0, in: context.displaySockets.map { UInt32(bitPattern: $0) }))
        }
        rule("openat", allowIf(argument: 2, masked: writeOpenFlags, equals: 0))
        rule("open", allowIf(argument: 1, masked: writeOpenFlags, equals: 0))
        for name in allowedSyscallNames where name != "read" && name != "clock_nanosleep" {
            rule(name) { $0.ret(allow) }
        }
        rule("prctl", allowIf(argument: 0, in: allowedPrctlOptions))
        rule("prlimit64") { program in
            // Reading a limit only: new_limit (a pointer, both halves) must be NULL.
            let id = block
            program.load(.argumentLow(2))
            program.jumpIfEqual(0, else: "no-\(id)")
            program.load(.argumentHigh(2))
            program.jumpIfEqual(0, else: "no-\(id)")
            program.ret(allow)
            program.label("no-\(id)")
            program.ret(deny)
        }
        // Threads only, never a new process. glibc tries clone3 first (its flags sit in memory the filter cannot
        // read) and falls back to clone on ENOSYS, whose flags are an argument.
        rule("clone", allowIf(argument: 0, masked: UInt32(OMOTE_CLONE_THREAD), equals: UInt32(OMOTE_CLONE_THREAD)))
        rule("clone3") { $0.ret(OMOTE_SECCOMP_RET_ERRNO | UInt32(ENOSYS)) }
        // Signals to this process only (raise/abort use tgkill(own pid, …)).
        rule("kill", allowIf(argument: 0, in: [context.processID]))
        rule("tgkill", allowIf(argument: 0, in: [context.processID]))
        rule("fcntl", allowIf(argument: 1, in: allowedFcntlCommands))
        // Only adding a filter to every thread (the steady-state narrowing): a filter can only take away, and the flags
        // must be exactly TSYNC (no user-notification listener, no logging changes).
        rule("seccomp") { program in
            let id = block
            program.load(.argumentLow(0))
            program.jumpIfEqual(UInt32(OMOTE_SECCOMP_SET_MODE_FILTER), else: "no-\(id)")
            program.load(.argumentLow(1))
            program.jumpIfEqual(UInt32(OMOTE_SECCOMP_FILTER_FLAG_TSYNC), else: "no-\(id)")
            program.load(.argumentHigh(1))
            program.jumpIfEqual(0, else: "no-\(id)")
            program.ret(allow)
            program.label("no-\(id)")
            program.ret(deny)
        }
        for name in killedSyscallNames { rule(name) { $0.ret(kill) } }
        program.ret(deny)
        return program.assemble()
    }

    /// Installs the program on every thread of the process (TSYNC). Needs no_new_privs (or CAP_SYS_ADMIN).
    func install() throws(OmoteError) {
        let result = instructions.withUnsafeBufferPointer {
            omote_seccomp_install_tsync($0.baseAddress, UInt16($0.count))
        }
        if result < 0 {
            let code = errno
            let hint = code == EINVAL ? " (the kernel lacks CONFIG_SECCOMP_FILTER or TSYNC)" : ""
            throw OmoteError.privacyGuard(
                .privacySeccomp, "seccomp(SECCOMP_SET_MODE_FILTER, TSYNC) failed\(hint)", errno: code)
        }
        if result > 0 {
            throw OmoteError.privacyGuard(
                .privacySeccomp,
                "thread \(result) could not be synchronised to the seccomp filter (it runs under another filter)")
        }
    }
}

/// A tiny classic-BPF assembler with named forward jump targets (nil target: fall through to the next instruction).
struct BPFAssembler {
    enum Word {
        case number, arch
        /// Low / high 32 bits of syscall argument i (little-endian: low word first).
        case argumentLow(Int)
        case argumentHigh(Int)
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

    /// Kills a foreign syscall ABI, refuses x32 calls, and leaves the syscall number in the accumulator: the start of
    /// every program Omote installs.
    mutating func checkArchitecture(_ architecture: UInt32, x32Bit: UInt32) {
        load(.arch)
        jumpIfEqual(architecture, then: "arch-ok")
        ret(SeccompFilter.kill)
        label("arch-ok")
        load(.number)
        if x32Bit != 0 {
            jumpIfGreaterOrEqual(x32Bit, else: "native")
            ret(SeccompFilter.deny)
            label("native")
        }
    }

    mutating func load(_ word: Word) { pending.append(Pending(code: OMOTE_BPF_LD_W_ABS, k: word.offset)) }
    mutating func ret(_ value: UInt32) { pending.append(Pending(code: OMOTE_BPF_RET_K, k: value)) }
    mutating func and(_ mask: UInt32) { pending.append(Pending(code: OMOTE_BPF_ALU_AND_K, k: mask)) }
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
            return omote_sock_filter(
                code: UInt16(instruction.code), jt: offset(instruction.then),
                jf: offset(instruction.otherwise), k: instruction.k)
        }
    }
}
