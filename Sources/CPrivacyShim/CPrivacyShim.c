#define _GNU_SOURCE
#include "CPrivacyShim.h"
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <fcntl.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#endif
#ifndef SYS_landlock_add_rule
#define SYS_landlock_add_rule 445
#endif
#ifndef SYS_landlock_restrict_self
#define SYS_landlock_restrict_self 446
#endif

// Our mirror of the kernel's BPF instruction must be byte-identical to struct sock_filter.
_Static_assert(sizeof(struct omote_sock_filter) == sizeof(struct sock_filter), "sock_filter layout");
_Static_assert(offsetof(struct omote_sock_filter, k) == offsetof(struct sock_filter, k), "sock_filter layout");
_Static_assert(sizeof(struct omote_landlock_path_beneath_attr) == 12, "landlock_path_beneath_attr is packed");
_Static_assert(OMOTE_SECCOMP_RET_ERRNO == SECCOMP_RET_ERRNO && OMOTE_SECCOMP_RET_ALLOW == SECCOMP_RET_ALLOW,
               "seccomp return values");
_Static_assert(OMOTE_BPF_LD_W_ABS == (BPF_LD | BPF_W | BPF_ABS) && OMOTE_BPF_JMP_JEQ_K == (BPF_JMP | BPF_JEQ | BPF_K) &&
                   OMOTE_BPF_JMP_JGE_K == (BPF_JMP | BPF_JGE | BPF_K) && OMOTE_BPF_RET_K == (BPF_RET | BPF_K),
               "BPF opcodes");
_Static_assert(OMOTE_SECCOMP_DATA_NR_OFFSET == offsetof(struct seccomp_data, nr) &&
                   OMOTE_SECCOMP_DATA_ARCH_OFFSET == offsetof(struct seccomp_data, arch) &&
                   OMOTE_SECCOMP_DATA_ARGS_OFFSET == offsetof(struct seccomp_data, args),
               "seccomp_data layout");

_Static_assert(OMOTE_O_PATH == O_PATH && OMOTE_RLIMIT_MEMLOCK == RLIMIT_MEMLOCK, "O_PATH / RLIMIT_MEMLOCK values");

int omote_landlock_abi_version_detail(int *error_number) {
    long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, OMOTE_LANDLOCK_CREATE_RULESET_VERSION);
    if (error_number) *error_number = abi < 0 ? errno : 0;
    return abi < 0 ? 0 : (int)abi;
}

int omote_landlock_abi_version(void) { return omote_landlock_abi_version_detail(NULL); }

int omote_landlock_create_ruleset(const struct omote_landlock_ruleset_attr *attr, size_t size, uint32_t flags) {
    return (int)syscall(SYS_landlock_create_ruleset, attr, size, flags);
}

int omote_landlock_add_path_rule(int ruleset_fd, const struct omote_landlock_path_beneath_attr *attr) {
    return (int)syscall(SYS_landlock_add_rule, ruleset_fd, OMOTE_LANDLOCK_RULE_PATH_BENEATH, attr, 0);
}

int omote_landlock_restrict_self(int ruleset_fd, uint32_t flags) {
    return (int)syscall(SYS_landlock_restrict_self, ruleset_fd, flags);
}

uint32_t omote_audit_arch(void) {
#if defined(__x86_64__) && !defined(__ILP32__)
    return AUDIT_ARCH_X86_64;
#elif defined(__aarch64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    return AUDIT_ARCH_AARCH64;
#else
    return 0;
#endif
}

uint32_t omote_x32_syscall_bit(void) {
#if defined(__x86_64__)
    return 0x40000000U; /* __X32_SYSCALL_BIT */
#else
    return 0;
#endif
}

// Numbers come from this architecture's kernel headers, so the Swift policy names syscalls, never raw numbers.
#define OMOTE_SYSCALL(name) {#name, __NR_##name}
static const struct {
    const char *name;
    long number;
} omote_syscall_table[] = {
    OMOTE_SYSCALL(socket),       OMOTE_SYSCALL(socketpair),   OMOTE_SYSCALL(connect),
    OMOTE_SYSCALL(bind),         OMOTE_SYSCALL(listen),       OMOTE_SYSCALL(accept),
    OMOTE_SYSCALL(accept4),      OMOTE_SYSCALL(sendto),       OMOTE_SYSCALL(sendmsg),
    OMOTE_SYSCALL(sendmmsg),     OMOTE_SYSCALL(execve),       OMOTE_SYSCALL(execveat),
    OMOTE_SYSCALL(ptrace),       OMOTE_SYSCALL(process_vm_writev), OMOTE_SYSCALL(process_vm_readv),
    OMOTE_SYSCALL(io_uring_setup), OMOTE_SYSCALL(open_by_handle_at), OMOTE_SYSCALL(name_to_handle_at),
    OMOTE_SYSCALL(memfd_create), OMOTE_SYSCALL(getpid),       OMOTE_SYSCALL(openat),
    OMOTE_SYSCALL(read),         OMOTE_SYSCALL(write),        OMOTE_SYSCALL(close),
    OMOTE_SYSCALL(prctl),        OMOTE_SYSCALL(setrlimit),    OMOTE_SYSCALL(prlimit64),
};

long omote_syscall_number(const char *name) {
    for (size_t i = 0; i < sizeof omote_syscall_table / sizeof omote_syscall_table[0]; i++) {
        if (strcmp(omote_syscall_table[i].name, name) == 0) return omote_syscall_table[i].number;
    }
    return -1;
}

long omote_seccomp_install_tsync(const struct omote_sock_filter *instructions, unsigned short count) {
    struct sock_fprog program = {.len = count, .filter = (struct sock_filter *)instructions};
    return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &program);
}

int omote_prctl(int option, unsigned long arg2, unsigned long arg3, unsigned long arg4, unsigned long arg5) {
    return prctl(option, arg2, arg3, arg4, arg5);
}

void omote_secure_zero(void *p, size_t n) { explicit_bzero(p, n); }

long omote_attempt_execveat(int dirfd, const char *path) {
    char *const argv[] = {(char *)path, NULL};
    char *const envp[] = {NULL};
    return syscall(SYS_execveat, dirfd, path, argv, envp, 0);
}

long omote_attempt_memfd_create(const char *name) { return syscall(SYS_memfd_create, name, 0U); }

long omote_attempt_io_uring_setup(void) {
    unsigned char params[120]; /* struct io_uring_params; zeroed is a valid request */
    memset(params, 0, sizeof params);
    return syscall(SYS_io_uring_setup, 4U, params);
}

long omote_attempt_open_by_handle_at(int mount_fd) {
    struct {
        unsigned int handle_bytes;
        int handle_type;
        unsigned char f_handle[8];
    } handle = {.handle_bytes = 8, .handle_type = 1};
    return syscall(SYS_open_by_handle_at, mount_fd, &handle, 0);
}

long omote_attempt_process_vm_writev(int pid) {
    char byte = 0;
    struct iovec local = {.iov_base = &byte, .iov_len = 1};
    struct iovec remote = {.iov_base = &byte, .iov_len = 1};
    return syscall(SYS_process_vm_writev, pid, &local, 1UL, &remote, 1UL, 0UL);
}

long omote_attempt_ptrace_peek(int pid) { return syscall(SYS_ptrace, 2L /* PTRACE_PEEKDATA */, (long)pid, 0L, 0L); }
