import CPrivacyShim
import OmoteCore

#if canImport(Glibc)
import Glibc
#endif

/// The second, narrower filter a sensor installs once it has delivered its first result (OpenBSD's `pledge` idea):
/// start-up needed files, threads and mappings; the steady state needs none of them, so a library compromised by a
/// later frame finds them gone. It stacks on the engagement filter (the kernel applies both; the stricter answer wins)
/// and only takes away:
/// - every open (`open`, `openat`, `openat2`, `creat`) and the path look-ups that only serve finding files (`stat`,
///   `lstat`, `access`, `readlink`, `getdents64`, `statfs`): the clip is in memory, the camera and the channel are
///   open (`newfstatat` and `statx` stay: glibc's `fstat` on an open descriptor is made of them);
/// - executable memory and file mappings: `mmap` only of anonymous memory without `PROT_EXEC`, `mprotect` never adding
///   `PROT_EXEC` (the heap may still grow and shrink: glibc's allocator serves the rare allocation outside the
///   frame loop, and the per-frame path allocates nothing);
/// - every `prctl`.
/// What remains is what a frame needs: read the camera or clip memory, the V4L2 queue ioctls, compute, write records
/// on the channel, sleep and wait — and threads (a replay starts one per clip; a new thread inherits both filters, and
/// new processes were refused from engagement on). Refusals answer EPERM, like the engagement filter's, so a rare library path
/// degrades rather than killing a session.
extension SeccompFilter {
    package static let refusedInSteadyStateNames = [
        "open", "openat", "openat2", "creat", "stat", "lstat", "statfs", "access",
        "faccessat", "faccessat2", "readlink", "readlinkat", "getdents64", "prctl",
    ]

    /// The steady-state program for this machine (same architecture checks as the engagement filter).
    package static func steadyStateForThisMachine() throws(OmoteError) -> [omote_sock_filter] {
        let engagement = try forThisMachine(context: .init(processID: UInt32(getpid()), cameraDescriptors: []))
        var numbers: [String: UInt32] = [:]
        for name in refusedInSteadyStateNames + ["mmap", "mprotect"] {
            let number = omote_syscall_number(name)
            if number >= 0 { numbers[name] = UInt32(number) }
        }
        return assembleSteadyState(architecture: engagement.architecture, x32Bit: engagement.x32Bit, numbers: numbers)
    }

    package static func assembleSteadyState(architecture: UInt32, x32Bit: UInt32, numbers: [String: UInt32])
        -> [omote_sock_filter]
    {
        var program = BPFAssembler()
        program.checkArchitecture(architecture, x32Bit: x32Bit)
        var block = 0
        for name in refusedInSteadyStateNames {
            guard let number = numbers[name] else { continue }
            block += 1
            program.jumpIfEqual(number, else: "after-\(block)")
            program.ret(deny)
            program.label("after-\(block)")
        }
        let execute = UInt32(PROT_EXEC)
        if let mmap = numbers["mmap"] {
            // Anonymous (flags, argument 3) and not executable (prot, argument 2).
            program.jumpIfEqual(mmap, else: "after-mmap")
            program.load(.argumentLow(3))
            program.and(UInt32(MAP_ANONYMOUS))
            program.jumpIfEqual(0, then: "mmap-no")
            program.load(.argumentLow(2))
            program.and(execute)
            program.jumpIfEqual(0, then: "mmap-ok")
            program.label("mmap-no")
            program.ret(deny)
            program.label("mmap-ok")
            program.ret(allow)
            program.label("after-mmap")
        }
        if let mprotect = numbers["mprotect"] {
            program.jumpIfEqual(mprotect, else: "after-mprotect")
            program.load(.argumentLow(2))
            program.and(execute)
            program.jumpIfEqual(0, then: "mprotect-ok")
            program.ret(deny)
            program.label("mprotect-ok")
            program.ret(allow)
            program.label("after-mprotect")
        }
        program.ret(allow)
        return program.assemble()
    }

    /// Installs `program` on every thread (TSYNC), on top of the filters already there.
    static func installStacked(_ program: [omote_sock_filter]) throws(OmoteError) {
        let result = program.withUnsafeBufferPointer {
            omote_seccomp_install_tsync($0.baseAddress, UInt16($0.count))
        }
        if result != 0 {
            throw OmoteError.privacyGuard(
                .privacySeccomp, "the steady-state seccomp filter could not be installed on every thread",
                errno: result < 0 ? errno : nil)
        }
    }
}
