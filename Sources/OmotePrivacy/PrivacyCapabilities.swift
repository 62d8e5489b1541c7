import CPrivacyShim

#if canImport(Glibc)
import Glibc
#endif

/// What this kernel and process can enforce, found without changing anything (for `omote doctor`).
public struct PrivacyCapabilities: Sendable {
    /// One line of the report: a fact, whether it is good enough, and what to do if not.
    public struct Finding: Sendable, Equatable {
        /// ok: as good as it gets; warning: the guard engages, but this is weaker than it could be (the fix says how
        /// to improve it); required: the guard cannot engage, so capture and replay refuse to start.
        public enum Level: Sendable, Equatable { case ok, warning, required }
        public let level: Level
        public let text: String
        public let fix: String?
        public var ok: Bool { level == .ok }

        init(_ level: Level, _ text: String, fix: String? = nil) {
            self.level = level
            self.text = text
            self.fix = fix
        }
    }

    /// The ABI the kernel offers (0: none) and the policy Omote would apply at it.
    public let landlockABI: Int
    public let landlockUnavailableReason: String?
    public let landlock: LandlockPolicy
    /// Whether seccomp filters are available, and the filter actions the kernel lists.
    public let seccompFilter: Bool
    public let seccompActions: [String]
    /// Whether Omote has a seccomp syscall table for this CPU architecture.
    public let seccompArchitectureSupported: Bool
    /// RLIMIT_MEMLOCK soft limit in bytes (nil: unlimited), which bounds how much frame memory can be kept out of swap.
    public let memoryLockLimit: UInt64?
    /// Yama's ptrace scope (/proc/sys/kernel/yama/ptrace_scope); nil when Yama is not active.
    public let ptraceScope: Int?
    /// Whether this process may lock memory beyond RLIMIT_MEMLOCK (CAP_IPC_LOCK, e.g. root).
    public let canLockWithoutLimit: Bool
    /// Whether the guard is already engaged in this process.
    public let engaged: PrivacyGuardStatus?
    /// What keeps /proc/PID/cmdline and environ from carrying anything out (the omote command re-executes itself).
    public let argumentArea: ArgumentArea.Protection

    /// Whether every required part is present (Landlock ≥ 1, seccomp filters with errno + kill_process, a syscall
    /// table for this architecture). Missing newer Landlock rights are reported but are covered by seccomp.
    public var canEngage: Bool { !findings.contains { $0.level == .required } }

    /// Bytes of expression and frame memory a session locks, rounded up: for the mesh tracker (the default) its state
    /// (4.3 MB, mostly the networks' shared activation arena; `omote doctor` prints the measured figure) plus a
    /// 1280×720 RGB frame (2.6 MB) and the view's buffers (under 1 MB).
    public static let lockedBytesNeeded: UInt64 = 8 << 20

    public var findings: [Finding] {
        var findings: [Finding] = []
        if landlockABI >= 1 {
            let beyond =
                landlockABI > landlock.abi ? " (kernel offers v\(landlockABI); Omote uses v\(landlock.abi))" : ""
            findings.append(
                Finding(
                    .ok,
                    "Landlock v\(landlock.abi)\(beyond): no file creation, writing, removal, rename, link or exec except the camera node\(landlock.restrictsTruncate ? ", no truncate" : "")\(landlock.restrictsDeviceIoctl ? ", no device ioctl" : "")"
                ))
            for missing in landlock.missingProtections {
                findings.append(
                    Finding(
                        .warning,
                        "Landlock lacks \(missing.right) (ABI \(missing.abi)); enforced by seccomp instead: \(missing.coveredBy)",
                        fix: "a kernel with Landlock ABI \(missing.abi) adds it as a second layer"))
            }
        } else {
            findings.append(
                Finding(
                    .required, "Landlock: \(landlockUnavailableReason ?? "unavailable")",
                    fix:
                        "boot a kernel with CONFIG_SECURITY_LANDLOCK=y and 'landlock' in the lsm= list (Linux ≥ 5.13); Omote refuses to capture without it"
                ))
        }
        let actions = seccompActions.isEmpty ? "" : " (actions: \(seccompActions.joined(separator: " ")))"
        if seccompFilter {
            let filter = try? SeccompFilter.forThisMachine(context: .init(processID: 1, cameraDescriptors: []))
            let allowed = filter?.allowedOnThisArchitecture.count ?? 0
            let killed = SeccompFilter.killedSyscallNames.filter { filter?.numbers[$0] != nil }.count
            findings.append(
                Finding(
                    .ok,
                    "seccomp filters available\(actions): allow-list of \(allowed) syscalls (writes only to stdout/stderr, ioctl only terminal queries and the camera's V4L2 calls, read-only opens, private mappings, threads only, signals to itself only); anything else EPERM; \(killed) syscalls kill the process (exec, ptrace, bpf, keys, SysV IPC, io_uring, modules, namespaces, …)"
                ))
        } else {
            findings.append(
                Finding(
                    .required, "seccomp filters unavailable",
                    fix: "boot a kernel with CONFIG_SECCOMP_FILTER=y; Omote refuses to capture without it"))
        }
        let actionsOK =
            seccompActions.isEmpty || (seccompActions.contains("errno") && seccompActions.contains("kill_process"))
        if !actionsOK {
            findings.append(
                Finding(.required, "seccomp lacks the errno or kill_process action", fix: "use Linux ≥ 4.14"))
        }
        findings.append(
            seccompArchitectureSupported
                ? Finding(.ok, "seccomp syscall table for this architecture")
                : Finding(
                    .required, "no seccomp syscall table for this CPU architecture", fix: "run on x86-64 or arm64"))
        findings.append(
            Finding(
                .ok,
                "descriptors: all but stdin/stdout/stderr and the camera closed at engagement; socket stdout/stderr refused"
            ))
        findings.append(
            Finding(.ok, "core dumps: disabled at start-up (PR_SET_DUMPABLE 0) and at engagement (RLIMIT_CORE 0)"))
        switch ptraceScope {
        case .some(let scope) where scope >= 1:
            findings.append(
                Finding(
                    .ok,
                    "Yama ptrace_scope \(scope): other processes of your user cannot attach to Omote before its guard engages"
                ))
        case .some(let scope):
            findings.append(
                Finding(
                    .warning,
                    "Yama ptrace_scope \(scope): any process of your user can attach to Omote in the moment before it makes itself undumpable",
                    fix: "sudo sysctl kernel.yama.ptrace_scope=1 (and set it in /etc/sysctl.d/ to keep it)"))
        case .none:
            findings.append(
                Finding(
                    .warning,
                    "Yama is not active: any process of your user can attach to Omote in the moment before it makes itself undumpable",
                    fix: "boot with 'yama' in the lsm= list and set kernel.yama.ptrace_scope=1"))
        }
        let limitText = memoryLockLimit.map { "\($0 / 1024) KiB" } ?? "unlimited"
        let memlockOK = canLockWithoutLimit || memoryLockLimit.map { $0 >= Self.lockedBytesNeeded } ?? true
        findings.append(
            memlockOK
                ? Finding(
                    .ok,
                    "locked memory: \(canLockWithoutLimit ? "CAP_IPC_LOCK (no limit)" : "ulimit -l \(limitText)") for frames and expression data kept out of swap"
                )
                : Finding(
                    .required,
                    "locked-memory limit (ulimit -l) \(limitText) is below the \(Self.lockedBytesNeeded >> 10) KiB Omote locks for frames and expression data; capture and replay refuse to start",
                    fix:
                        "raise it (ulimit -l \(Self.lockedBytesNeeded >> 10), or memlock in /etc/security/limits.conf), or pass --allow-swappable-memory to accept frames that may be swapped out"
                ))
        switch argumentArea {
        case .notAttempted: break
        case .sealed: findings.append(Finding(.ok, argumentArea.summary))
        case .unsealed:
            findings.append(
                Finding(.warning, argumentArea.summary, fix: "Linux ≥ 6.10 (mseal) lets Omote seal it read-only"))
        case .failed:
            findings.append(
                Finding(
                    .required, argumentArea.summary + "; capture and replay refuse to start",
                    fix: "mount /proc (Omote re-executes /proc/self/exe) and keep the omote binary executable"))
        }
        if let engaged {
            findings.append(Finding(.ok, "engaged in this process: \(engaged.summary)"))
        }
        return findings
    }

    /// The one verdict, consistent with the findings: the guard engages exactly when no finding is `.required`.
    public var verdict: String {
        let required = findings.filter { $0.level == .required }.count
        let warnings = findings.filter { $0.level == .warning }.count
        if required > 0 {
            return
                "the privacy guard cannot engage here (\(required) requirement(s) above): capture and replay refuse to start"
        }
        return warnings == 0
            ? "the privacy guard engages fully here"
            : "the privacy guard engages here, with \(warnings) weaker point(s) above and how to fix them"
    }

    static func probe() -> PrivacyCapabilities {
        var landlockErrno: Int32 = 0
        let abi = Int(omote_landlock_abi_version_detail(&landlockErrno))
        let actions = readActions()
        var memlock = rlimit()
        let memlockLimit: UInt64? =
            getrlimit(__rlimit_resource_t(OMOTE_RLIMIT_MEMLOCK), &memlock) == 0 && memlock.rlim_cur != rlim_t.max
            ? UInt64(memlock.rlim_cur) : nil
        return PrivacyCapabilities(
            landlockABI: abi,
            landlockUnavailableReason: abi >= 1 ? nil : LandlockAvailability.explain(errno: landlockErrno),
            landlock: LandlockPolicy(kernelABI: abi),
            seccompFilter: seccompFiltersAvailable(),
            seccompActions: actions,
            seccompArchitectureSupported: omote_audit_arch() != 0,
            memoryLockLimit: memlockLimit,
            ptraceScope: Tracer.readSmallFile("/proc/sys/kernel/yama/ptrace_scope").flatMap {
                Int($0.split(separator: "\n").first ?? "")
            },
            canLockWithoutLimit: hasCapability(14 /* CAP_IPC_LOCK */),
            engaged: PrivacyGuard.status,
            argumentArea: ArgumentArea.protection
        )
    }

    /// PR_SET_SECCOMP with a NULL program: EFAULT means the kernel would parse a filter (filters supported), EINVAL
    /// means it has none. Nothing is installed either way.
    private static func seccompFiltersAvailable() -> Bool {
        if omote_prctl(PR_GET_SECCOMP, 0, 0, 0, 0) == 2 { return true }  // already filtered
        let result = omote_prctl(PR_SET_SECCOMP, 2 /* SECCOMP_MODE_FILTER */, 0, 0, 0)
        return result == -1 && errno == EFAULT
    }

    /// Whether the effective capability set (CapEff in /proc/self/status) holds `capability`.
    static func hasCapability(_ capability: Int) -> Bool {
        guard let status = Tracer.readSmallFile("/proc/self/status") else { return false }
        for line in status.split(separator: "\n") where line.hasPrefix("CapEff:") {
            let hex = line.dropFirst("CapEff:".count).filter { !$0.isWhitespace }
            guard let mask = UInt64(hex, radix: 16) else { return false }
            return mask & (1 << UInt64(capability)) != 0
        }
        return false
    }

    private static func readActions() -> [String] {
        let descriptor = open("/proc/sys/kernel/seccomp/actions_avail", O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return [] }
        defer { _ = close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 512)
        let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        guard count > 0 else { return [] }
        return String(decoding: buffer[0 ..< count], as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\n" })
            .map(String.init)
    }
}
