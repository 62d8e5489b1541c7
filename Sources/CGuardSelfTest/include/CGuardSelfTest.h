#ifndef OMOTE_CGUARD_SELF_TEST_H
#define OMOTE_CGUARD_SELF_TEST_H
// Test-only: the raw calls `omote guard-selftest` and the privacy tests attempt after the guard engaged, as an
// attacker's code would make them (raw syscall numbers where glibc has no wrapper, variadic calls fixed-arity).
// Nothing in the capture pipeline links this; it lives apart from the production shim (CPrivacyShim) on purpose.
// Each returns the raw result: >= 0 on success, -1 and errno on failure.
#include <stddef.h>
#include <stdint.h>

long omote_attempt_execveat(int dirfd, const char *path);
long omote_attempt_memfd_create(const char *name);
long omote_attempt_io_uring_setup(void);
long omote_attempt_open_by_handle_at(int mount_fd);
long omote_attempt_process_vm_writev(int pid);
long omote_attempt_process_vm_readv(int pid);
/// PTRACE_PEEKDATA on a process we do not trace: ESRCH without the guard (never attaches anything).
long omote_attempt_ptrace_peek(int pid);
/// bpf(BPF_MAP_CREATE) of a one-entry array map.
long omote_attempt_bpf_map_create(void);
/// add_key("user", "omote-selftest", "x", 1, KEY_SPEC_USER_KEYRING).
long omote_attempt_add_key(void);
/// keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_USER_KEYRING, 0).
long omote_attempt_keyctl(void);
/// SysV objects that outlive the process: shmget / msgget / semget with IPC_PRIVATE | IPC_CREAT, mode 0666. A
/// created object is removed again at once (only reached when the guard failed).
long omote_attempt_shmget(void);
long omote_attempt_msgget(void);
long omote_attempt_semget(void);
/// unshare(CLONE_NEWUSER).
long omote_attempt_unshare(void);
/// ioctl(fd, TIOCSTI, "x") / ioctl(fd, TIOCLINUX, subcode 6 = paste selection).
long omote_attempt_tiocsti(int fd);
long omote_attempt_tioclinux(int fd);
/// ioctl(fd, request, arg) with a fixed arity.
long omote_attempt_ioctl(int fd, unsigned long request, void *arg);
/// fork(); in the child the caller must end with _exit.
int omote_selftest_fork(void);
/// clone(flags without CLONE_THREAD) as a raw syscall: a new process sharing nothing; the child _exits at once.
long omote_attempt_clone_process(void);
/// setxattr(path, "user.omote", "x", 1, 0).
long omote_attempt_setxattr(const char *path);
/// utimensat(AT_FDCWD, path, {{1, 123456789}, {1, 123456789}}, 0): nanoseconds that could carry pixel values.
long omote_attempt_utimensat(const char *path);
/// mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0); unmaps at once when it succeeds.
long omote_attempt_mmap_shared(int fd);
/// recvmsg on fd with room for one SCM_RIGHTS descriptor (MSG_DONTWAIT).
long omote_attempt_recvmsg(int fd);
/// Fixture (before engaging): sends `descriptor` over a unix socket with SCM_RIGHTS.
long omote_selftest_send_descriptor(int socket_fd, int descriptor);
/// prlimit64(0, resource, {soft, hard}, NULL).
long omote_attempt_set_limit(int resource, uint64_t soft, uint64_t hard);
/// A plain store of `length` bytes at `address`, as a compromised library would copy pixels into memory it should not
/// touch: 0 when it happened; -1 and EFAULT when it faulted (SIGSEGV/SIGBUS caught just for this store).
long omote_attempt_store(void *address, const void *bytes, size_t length);

#endif
