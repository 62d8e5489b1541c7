import CPrivacyShim
#if canImport(Glibc)
import Glibc
#endif

/// What this kernel and process can enforce, found without changing anything (for `omote doctor`).
public struct PrivacyCapabilities: Sendable {
    /// One line of the report: a fact, whether it is good enough, and what to do if not.
    public struct Finding: Sendable, Equatable {
        public let ok: Bool
        public let text: String
        public let fix: String?
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
    /// Whether the guard is already engaged in this process.
    public let engaged: PrivacyGuardStatus?

    /// Whether every required part is present (Landlock ≥ 1, seccomp filters with errno + kill_process, a syscall
    /// table for this architecture). Missing newer Landlock rights are reported but are covered by seccomp.
    public var canEngage: Bool {
        landlockABI >= 1 && seccompFilter && seccompArchitectureSupported
            && (seccompActions.isEmpty || (seccompActions.contains("errno") && seccompActions.contains("kill_process")))
    }

    public var findings: [Finding] {
        var findings: [Finding] = []
        if landlockABI >= 1 {
            let beyond = landlockABI > landlock.abi ? " (kernel offers v\(landlockABI); Omote uses v\(landlock.abi))" : ""
            findings.append(Finding(ok: true, text: "Landlock v\(landlock.abi)\(beyond): no file creation, writing, removal, rename, link or exec except the camera node\(landlock.restrictsTruncate ? ", no truncate" : "")\(landlock.restrictsDeviceIoctl ? ", no device ioctl" : "")", fix: nil))
            findings.append(Finding(ok: landlock.restrictsTCP, text: landlock.restrictsTCP ? "Landlock TCP rule: no bind or connect" : "Landlock TCP rule unavailable (needs ABI 4); seccomp still refuses every socket",
                                    fix: landlock.restrictsTCP ? nil : "upgrade to Linux ≥ 6.7 for the network rule"))
            findings.append(Finding(ok: landlock.scopesSignalsAndAbstractSockets, text: landlock.scopesSignalsAndAbstractSockets ? "Landlock scopes: no signals to or abstract unix sockets of processes outside the sandbox" : "Landlock scopes unavailable (needs ABI 6)",
                                    fix: landlock.scopesSignalsAndAbstractSockets ? nil : "upgrade to Linux ≥ 6.12 for signal and abstract socket scoping"))
        } else {
            findings.append(Finding(ok: false, text: "Landlock: \(landlockUnavailableReason ?? "unavailable")",
                                    fix: "boot a kernel with CONFIG_SECURITY_LANDLOCK=y and 'landlock' in the lsm= list (Linux ≥ 5.13); Omote refuses to capture without it"))
        }
        let actions = seccompActions.isEmpty ? "" : " (actions: \(seccompActions.joined(separator: " ")))"
        findings.append(Finding(ok: seccompFilter, text: seccompFilter ? "seccomp filters available\(actions): \(SeccompFilter.deniedSyscallNames.count) syscalls would return EPERM (\(SeccompFilter.deniedSyscallNames.joined(separator: ", ")))" : "seccomp filters unavailable",
                                fix: seccompFilter ? nil : "boot a kernel with CONFIG_SECCOMP_FILTER=y; Omote refuses to capture without it"))
        findings.append(Finding(ok: seccompArchitectureSupported, text: seccompArchitectureSupported ? "seccomp syscall table for this architecture" : "no seccomp syscall table for this CPU architecture",
                                fix: seccompArchitectureSupported ? nil : "run on x86-64 or arm64"))
        findings.append(Finding(ok: true, text: "core dumps: disabled when the guard engages (PR_SET_DUMPABLE 0, RLIMIT_CORE 0)", fix: nil))
        let frameBytes = 3 * 640 * 480
        let memlockOK = memoryLockLimit.map { $0 >= UInt64(frameBytes) } ?? true
        let limitText = memoryLockLimit.map { "\($0 / 1024) KiB" } ?? "unlimited"
        findings.append(Finding(ok: memlockOK, text: "locked-memory limit (ulimit -l): \(limitText) for frame buffers kept out of swap",
                                fix: memlockOK ? nil : "raise the memlock limit (ulimit -l, or /etc/security/limits.conf) to at least \(frameBytes / 1024) KiB; frames otherwise work but may be swapped"))
        if let engaged {
            findings.append(Finding(ok: true, text: "engaged in this process: \(engaged.summary)", fix: nil))
        }
        return findings
    }

    static func probe() -> PrivacyCapabilities {
        var landlockErrno: Int32 = 0
        let abi = Int(omote_landlock_abi_version_detail(&landlockErrno))
        let actions = readActions()
        var memlock = rlimit()
        let memlockLimit: UInt64? = getrlimit(__rlimit_resource_t(OMOTE_RLIMIT_MEMLOCK), &memlock) == 0 && memlock.rlim_cur != rlim_t.max
            ? UInt64(memlock.rlim_cur) : nil
        return PrivacyCapabilities(
            landlockABI: abi,
            landlockUnavailableReason: abi >= 1 ? nil : LandlockAvailability.explain(errno: landlockErrno),
            landlock: LandlockPolicy(kernelABI: abi),
            seccompFilter: seccompFiltersAvailable(),
            seccompActions: actions,
            seccompArchitectureSupported: omote_audit_arch() != 0,
            memoryLockLimit: memlockLimit,
            engaged: PrivacyGuard.status
        )
    }

    /// PR_SET_SECCOMP with a NULL program: EFAULT means the kernel would parse a filter (filters supported), EINVAL
    /// means it has none. Nothing is installed either way.
    private static func seccompFiltersAvailable() -> Bool {
        if omote_prctl(PR_GET_SECCOMP, 0, 0, 0, 0) == 2 { return true }  // already filtered
        let result = omote_prctl(PR_SET_SECCOMP, 2 /* SECCOMP_MODE_FILTER */, 0, 0, 0)
        return result == -1 && errno == EFAULT
    }

    private static func readActions() -> [String] {
        let descriptor = open("/proc/sys/kernel/seccomp/actions_avail", O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return [] }
        defer { _ = close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 512)
        let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        guard count > 0 else { return [] }
        return String(decoding: buffer[0 ..< count], as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
    }
}
