import CGuardSelfTest
import Omote
import OmotePrivacy

#if canImport(Glibc)
import Glibc
#endif

/// Acts the seccomp filter answers by killing the process (SIGSYS): each runs in a child forked before the parent
/// engages (the parent is still single-threaded, so fork is safe). The child engages the guard, attempts the act and
/// exits 0 if it survived; the parent reports how the child ended.
enum FatalAttempts {
    static let acts: [(name: String, body: @Sendable () -> Int)] = [
        (
            "execve-/bin/true",
            {
                let arguments: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/true"), nil]
                return Int(execv("/bin/true", arguments))
            }
        ),
        ("execveat-/bin/true", { omote_attempt_execveat(AT_FDCWD, "/bin/true") }),
        ("ptrace-peek-parent", { omote_attempt_ptrace_peek(getppid()) }),
        ("process-vm-writev", { omote_attempt_process_vm_writev(getpid()) }),
        ("process-vm-readv", { omote_attempt_process_vm_readv(getppid()) }),
        ("io-uring-setup", { omote_attempt_io_uring_setup() }),
        ("open-by-handle-at", { omote_attempt_open_by_handle_at(AT_FDCWD) }),
        ("bpf-map-create", { omote_attempt_bpf_map_create() }),
        ("add-key-user-keyring", { omote_attempt_add_key() }),
        ("keyctl", { omote_attempt_keyctl() }),
        ("shmget-0666", { omote_attempt_shmget() }),
        ("msgget-0666", { omote_attempt_msgget() }),
        ("semget-0666", { omote_attempt_semget() }),
        ("unshare-user-namespace", { omote_attempt_unshare() }),
    ]

    static func run(camera: String?) -> [AttemptResult] {
        acts.map { act in
            fflush(nil)
            let pid = omote_selftest_fork()
            if pid == 0 {
                // Child: nothing printed (its copy of stdout's buffer must not be flushed twice); _exit only.
                guard (try? PrivacyGuard.engage(cameraDevice: camera)) != nil else { _exit(2) }
                _ = act.body()
                _exit(0)
            }
            guard pid > 0 else {
                return AttemptResult(
                    scope: "fatal", act: act.name, outcome: "fork-\(GuardAttempts.errnoName(errno))", expected: "SIGSYS"
                )
            }
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            let signal = status & 0x7F
            let outcome =
                signal == 0 ? "exited-\((status >> 8) & 0xFF)" : signal == SIGSYS ? "SIGSYS" : "signal-\(signal)"
            return AttemptResult(scope: "fatal", act: act.name, outcome: outcome, expected: "SIGSYS")
        }
    }
}
