import CPrivacyShim
import OmoteCore
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Locks the process down with the kernel before the first frame exists, so frames and expression data cannot be
/// written to a file, sent over a socket or handed to another program — whatever the rest of the code does.
///
/// `hardenAtStartup` runs first in `main` (no_new_privs, not dumpable: the window in which a same-user process can
/// attach is the loader's time only). `engage` must run while the process has a single thread: Landlock restricts the
/// calling thread and the threads it creates afterwards (seccomp is synchronised to every thread with TSYNC, but
/// Landlock is not). In order:
/// 1. descriptors: stdout/stderr that are sockets are refused; every descriptor Omote did not open itself is closed
///    (only the camera's stay); a stdin that is not a terminal is replaced by /dev/null opened read-only;
/// 2. `PR_SET_NO_NEW_PRIVS` (required for unprivileged Landlock and seccomp; exec can never gain privileges);
/// 3. `PR_SET_DUMPABLE 0` and `RLIMIT_CORE 0` (no core dumps, no ptrace attach by same-user processes);
/// 4. Landlock at the best ABI offered (see `LandlockPolicy`): no file may be created, written, truncated, removed,
///    renamed, linked or executed — except the camera node (write + ioctl); no TCP bind/connect; abstract unix
///    sockets and signals scoped to the sandbox;
/// 5. seccomp-bpf on all threads (see `SeccompFilter`): an allow-list with argument checks.
///
/// It fails closed: any step that fails throws an `OmoteError` (a `privacy…` code) naming what is missing, and callers
/// must not read a frame. Nothing turns it off; a process stays locked until it exits.
public enum PrivacyGuard {
    private static let engaged = Mutex<PrivacyGuardStatus?>(nil)

    /// The guard's state once `engage` succeeded; nil before.
    public static var status: PrivacyGuardStatus? { engaged.withLock { $0 } }

    /// Engages the guard (idempotent for the same camera). `cameraDevice` is the V4L2 node live capture opened
    /// (it must be a character device); nil for replay. `keeping` are descriptors this process opened itself and
    /// still needs (e.g. the read end of a sensor's record pipe); they stay open, not writable.
    /// With `statusChannel` (a pipe's write end) the process becomes a sensor: stdin, stdout and stderr are
    /// replaced by /dev/null opened read-only and the only descriptor it may write is the channel.
    /// `commandChannels` are pipe write ends this process also may write, besides stdout and stderr (the presenter's
    /// command pipe to its sensor process). `displayConnection` is the presenter's connected X server socket (window
    /// view): it stays open and is the one socket this process may write to and read with `recvmsg` and `recvfrom`.
    @discardableResult
    public static func engage(
        cameraDevice: String?, keeping: [Int32] = [],
        statusChannel: Int32? = nil, commandChannels: [Int32] = [], displayConnection: Int32? = nil
    ) throws(OmoteError) -> PrivacyGuardStatus {
        try engaged.withLock { (current: inout PrivacyGuardStatus?) throws(OmoteError) -> PrivacyGuardStatus in
            if let current {
                guard current.cameraDevice == cameraDevice else {
                    throw OmoteError.privacyGuard(
                        .privacyAlreadyEngaged,
                        "the guard is already engaged with camera \(current.cameraDevice ?? "none"); it cannot be re-engaged for \(cameraDevice ?? "no camera") in the same process"
                    )
                }
                return current
            }
            let status = try lockDown(
                cameraDevice: cameraDevice, keeping: keeping, statusChannel: statusChannel,
                commandChannels: commandChannels, displayConnection: displayConnection)
            current = status
            return status
        }
    }

    /// The first thing `main` does: no_new_privs and not dumpable, so a same-user process can no longer attach
    /// (ptrace) or read /proc/PID/mem from here on. Idempotent; `engage` repeats both and checks them.
    public static func hardenAtStartup() {
        _ = omote_prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
        _ = omote_prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    }

    private static let narrowed = Atomic<Bool>(false)

    /// Whether the steady-state filter is installed (see `narrowForSteadyState`).
    public static var isNarrowed: Bool { narrowed.load(ordering: .acquiring) }

    /// Once a sensor has delivered its first result, takes away what only start-up needed: opens and path look-ups,
    /// new threads and processes, executable or file mappings, `prctl` (see `SeccompFilter+SteadyState.swift`).
    /// Idempotent; throws when the guard is not engaged or the kernel refuses the filter (callers end the session:
    /// a sensor that cannot narrow must not go on).
    public static func narrowForSteadyState() throws(OmoteError) {
        guard status != nil else {
            throw OmoteError.privacyGuard(
                .privacySeccomp, "the steady-state filter narrows an engaged guard; engage the guard first")
        }
        guard !isNarrowed else { return }
        try SeccompFilter.installStacked(try SeccompFilter.steadyStateForThisMachine())
        narrowed.store(true, ordering: .releasing)
    }

    /// What this kernel and process can enforce, without changing anything (for `omote doctor`).
    public static func probe() -> PrivacyCapabilities { PrivacyCapabilities.probe() }

    // MARK: - Steps

    /// Checks everything that can be checked before the first irreversible step.
    static func preflight() throws(OmoteError) -> (kernelABI: Int, policy: LandlockPolicy) {
        try ArgumentArea.checkBeforeEngaging()
        let threads = ProcessThreads.count()
        guard let threads else {
            throw OmoteError.privacyGuard(
                .privacyThreadCheck,
                "cannot count this process's threads (/proc/self/task unreadable; is /proc mounted?), so Landlock could not be known to cover them all"
            )
        }
        guard threads == 1 else {
            throw OmoteError.privacyGuard(
                .privacyThreadCheck,
                "\(threads) threads are already running; Landlock restricts only the calling thread and threads created after it, so the guard must be engaged before any thread or Swift concurrency task starts"
            )
        }
        var landlockErrno: Int32 = 0
        let kernelABI = Int(omote_landlock_abi_version_detail(&landlockErrno))
        guard kernelABI >= 1 else {
            throw OmoteError.privacyGuard(
                .privacyLandlock, LandlockAvailability.explain(errno: landlockErrno), errno: landlockErrno)
        }
        _ = try SeccompFilter.forThisMachine(context: .init(processID: UInt32(getpid()), cameraDescriptors: []))
        return (kernelABI, LandlockPolicy(kernelABI: kernelABI))
    }

    private static func lockDown(
        cameraDevice: String?, keeping: [Int32],
        statusChannel: Int32?, commandChannels: [Int32], displayConnection: Int32?
    ) throws(OmoteError) -> PrivacyGuardStatus {
        let (kernelABI, policy) = try preflight()
        // From here on the process may be locked, even if a later step fails: nothing may lazily map a library now.
        GuardEngagement.recordEngagedInThisProcess()
        // 1. Descriptors: refuse socket stdout/stderr, close everything inherited, keep only the camera's.
        let descriptors = try DescriptorHygiene.apply(
            cameraDevice: cameraDevice, keeping: keeping, statusChannel: statusChannel,
            commandChannels: commandChannels, displayConnection: displayConnection)
        let context = filterContext(
            processID: UInt32(getpid()), cameraDescriptors: descriptors.camera, statusChannel: statusChannel,
            commandChannels: commandChannels, displayConnection: displayConnection)
        let filter = try SeccompFilter.forThisMachine(context: context)
        let cameraDescriptor = try cameraDevice.map { path throws(OmoteError) in try openCameraNode(path) }
        defer { if let cameraDescriptor { _ = close(cameraDescriptor) } }

        // 2. no_new_privs (already set by hardenAtStartup in the CLI; repeated for every other caller).
        guard omote_prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 else {
            throw OmoteError.privacyGuard(.privacyNoNewPrivileges, "prctl(PR_SET_NO_NEW_PRIVS) failed", errno: errno)
        }
        // 3. No core dumps, no attach by other same-user processes.
        guard omote_prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0 else {
            throw OmoteError.privacyGuard(.privacyCoreDumps, "prctl(PR_SET_DUMPABLE, 0) failed", errno: errno)
        }
        var noCore = rlimit(rlim_cur: 0, rlim_max: 0)
        guard setrlimit(RLIMIT_CORE_VALUE, &noCore) == 0 else {
            throw OmoteError.privacyGuard(.privacyCoreDumps, "setrlimit(RLIMIT_CORE, 0) failed", errno: errno)
        }
        // 4. Landlock.
        try restrictWithLandlock(policy, cameraDescriptor: cameraDescriptor, cameraDevice: cameraDevice)
        // 5. seccomp on every thread.
        try filter.install()

        // Read back what the kernel now reports, so the status states facts rather than intentions.
        guard omote_prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1 else {
            throw OmoteError.privacyGuard(.privacyNoNewPrivileges, "no_new_privs is not set after engaging")
        }
        guard omote_prctl(PR_GET_SECCOMP, 0, 0, 0, 0) == 2 else {
            throw OmoteError.privacyGuard(
                .privacySeccomp, "the kernel does not report seccomp filter mode after installing the filter")
        }
        guard omote_prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 0 else {
            throw OmoteError.privacyGuard(.privacyCoreDumps, "the process is still dumpable after PR_SET_DUMPABLE 0")
        }
        return PrivacyGuardStatus(
            kernelLandlockABI: kernelABI, landlock: policy,
            allowedSyscalls: filter.allowedOnThisArchitecture.count,
            closedDescriptors: descriptors.closed, cameraDevice: cameraDevice,
            tracer: Tracer.current(), displayConnection: displayConnection)
    }

    /// What the seccomp filter lets this process write and query: stdout/stderr (and terminal ioctls on 0–2), plus
    /// any command pipes and the X server connection (a presenter); with a status channel (a sensor) that channel
    /// alone and no terminal at all.
    package static func filterContext(
        processID: UInt32, cameraDescriptors: [Int32], statusChannel: Int32?, commandChannels: [Int32],
        displayConnection: Int32? = nil
    ) -> SeccompFilter.Context {
        var context = SeccompFilter.Context(processID: processID, cameraDescriptors: cameraDescriptors)
        if let statusChannel {
            context.outputDescriptors = [statusChannel]
            context.terminalDescriptors = []
        }
        context.outputDescriptors += commandChannels
        if let displayConnection {
            context.outputDescriptors.append(displayConnection)
            context.displaySockets = [displayConnection]
        }
        return context
    }

    /// Opens the camera node as O_PATH (no I/O) to name it in the Landlock rule; refuses anything but a char device,
    /// so the one writable path can never be a regular file.
    private static func openCameraNode(_ path: String) throws(OmoteError) -> Int32 {
        let descriptor = open(path, OMOTE_O_PATH | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw OmoteError.privacyGuard(
                .privacyCameraNode, "cannot open camera node \(path) to allow it", errno: errno)
        }
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFCHR else {
            _ = close(descriptor)
            throw OmoteError.privacyGuard(
                .privacyCameraNode, "\(path) is not a character device; only a V4L2 camera node may be left writable")
        }
        return descriptor
    }

    private static func restrictWithLandlock(
        _ policy: LandlockPolicy, cameraDescriptor: Int32?,
        cameraDevice: String?
    ) throws(OmoteError) {
        var attributes = omote_landlock_ruleset_attr(
            handled_access_fs: policy.handledFilesystem,
            handled_access_net: policy.handledNetwork,
            scoped: policy.scoped)
        let ruleset = omote_landlock_create_ruleset(&attributes, MemoryLayout<omote_landlock_ruleset_attr>.size, 0)
        guard ruleset >= 0 else {
            throw OmoteError.privacyGuard(
                .privacyLandlock, "landlock_create_ruleset for ABI \(policy.abi) failed", errno: errno)
        }
        defer { _ = close(ruleset) }
        if let cameraDescriptor {
            var rule = omote_landlock_path_beneath_attr(
                allowed_access: policy.cameraAllowed, parent_fd: cameraDescriptor)
            guard omote_landlock_add_path_rule(ruleset, &rule) == 0 else {
                throw OmoteError.privacyGuard(
                    .privacyLandlock, "landlock_add_rule for camera \(cameraDevice ?? "?") failed", errno: errno)
            }
        }
        guard omote_landlock_restrict_self(ruleset, 0) == 0 else {
            throw OmoteError.privacyGuard(.privacyLandlock, "landlock_restrict_self failed", errno: errno)
        }
    }
}

/// What the engaged guard enforces, read back from the kernel where it can be.
public struct PrivacyGuardStatus: Sendable, Equatable, CustomStringConvertible {
    /// The ABI the kernel offers (may exceed `landlock.abi`, the level Omote uses).
    public let kernelLandlockABI: Int
    public let landlock: LandlockPolicy
    /// How many syscalls the seccomp allow-list lets through (some only with argument checks).
    public let allowedSyscalls: Int
    /// Descriptors open at engagement that Omote had not opened itself, now closed.
    public let closedDescriptors: Int
    public let cameraDevice: String?
    /// The process tracing this one when the guard engaged (strace, a debugger), if any.
    public let tracer: Tracer?
    /// The X server connection the window view may write to, if any.
    public let displayConnection: Int32?

    package init(
        kernelLandlockABI: Int, landlock: LandlockPolicy, allowedSyscalls: Int, closedDescriptors: Int,
        cameraDevice: String?, tracer: Tracer?, displayConnection: Int32? = nil
    ) {
        self.kernelLandlockABI = kernelLandlockABI
        self.landlock = landlock
        self.allowedSyscalls = allowedSyscalls
        self.closedDescriptors = closedDescriptors
        self.cameraDevice = cameraDevice
        self.tracer = tracer
        self.displayConnection = displayConnection
    }

    /// One line for the live view, e.g. "guard: Landlock v7 fs+net+scope, seccomp allow-list of 80 syscalls, no dumps".
    /// Names a tracer, closed inherited descriptors, and memory that could not be locked out of swap.
    public var summary: String {
        var line =
            "guard: Landlock v\(landlock.abi) \(landlock.coverage), seccomp allow-list of \(allowedSyscalls) syscalls, no dumps"
        if let cameraDevice { line += ", writable: \(cameraDevice) only" }
        if displayConnection != nil { line += ", writes only the terminal and the X window's connection" }
        if closedDescriptors > 0 { line += ", closed \(closedDescriptors) inherited descriptor(s)" }
        if let tracer { line += "; TRACED by PID \(tracer.processID) (\(tracer.name)): it sees every syscall" }
        if case .unsealed(let reason) = ArgumentArea.protection {
            line += "; WARNING argument area not sealed (\(reason))"
        }
        let unlocked = PrivateMemory.unlockedBufferCount
        if unlocked > 0 {
            line +=
                "; WARNING \(unlocked) private buffer(s) not locked: may be swapped out (--allow-swappable-memory; raise ulimit -l)"
        }
        return line
    }

    public var description: String { summary }

    /// The proof the pipeline runner asks for (see `GuardEngagement`).
    public var engagement: GuardEngagement { GuardEngagement(summary: summary) }
}

enum LandlockAvailability {
    static func explain(errno code: Int32) -> String {
        switch code {
        case ENOSYS: "this kernel has no Landlock (needs Linux ≥ 5.13 built with CONFIG_SECURITY_LANDLOCK=y)"
        case EOPNOTSUPP:
            "Landlock is built into this kernel but disabled at boot (add 'landlock' to the lsm= kernel parameter)"
        default: "Landlock is unavailable"
        }
    }
}

/// Counts the threads of this process (entries of /proc/self/task).
enum ProcessThreads {
    static func count() -> Int? {
        guard let directory = opendir("/proc/self/task") else { return nil }
        defer { closedir(directory) }
        var threads = 0
        while let entry = readdir(directory) {
            let isDot = withUnsafeBytes(of: entry.pointee.d_name) { name in name[0] == UInt8(ascii: ".") }
            if !isDot { threads += 1 }
        }
        return threads
    }
}

// Glibc imports RLIMIT_CORE as an enum case of __rlimit_resource; setrlimit takes the raw Int32 form on Linux.
let RLIMIT_CORE_VALUE = __rlimit_resource_t(RLIMIT_CORE.rawValue)
