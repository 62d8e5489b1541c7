#define _GNU_SOURCE
#include "CPrivacyShim.h"
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <linux/videodev2.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#ifndef SYS_mseal
#define SYS_mseal 462 /* the same number on every architecture that has it */
#endif

#ifndef SYS_close_range
#define SYS_close_range 436
#endif

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

_Static_assert(OMOTE_O_WRONLY == O_WRONLY && OMOTE_O_RDWR == O_RDWR && OMOTE_O_CREAT == O_CREAT &&
                   OMOTE_O_TRUNC == O_TRUNC && OMOTE_O_APPEND == O_APPEND && (OMOTE_O_TMPFILE_BIT & O_TMPFILE) != 0 &&
                   (OMOTE_O_TMPFILE_BIT & O_DIRECTORY) == 0,
               "open flags");
_Static_assert(OMOTE_MAP_TYPE == MAP_TYPE && OMOTE_MAP_PRIVATE == MAP_PRIVATE, "mmap flags");
_Static_assert(OMOTE_CLONE_THREAD == CLONE_THREAD, "clone flags");
_Static_assert(OMOTE_TCGETS == TCGETS && OMOTE_TCSETS == TCSETS && OMOTE_TCSETSW == TCSETSW && OMOTE_TCSETSF == TCSETSF &&
                   OMOTE_TIOCGWINSZ == TIOCGWINSZ && OMOTE_TIOCSTI == TIOCSTI && OMOTE_TIOCLINUX == TIOCLINUX,
               "terminal ioctls");
_Static_assert(OMOTE_F_GETFD == F_GETFD && OMOTE_F_SETFD == F_SETFD && OMOTE_F_GETFL == F_GETFL &&
                   OMOTE_F_SETFL == F_SETFL,
               "fcntl commands");
_Static_assert(OMOTE_BPF_ALU_AND_K == (BPF_ALU | BPF_AND | BPF_K), "BPF AND opcode");
_Static_assert(OMOTE_SECCOMP_RET_KILL_PROCESS == SECCOMP_RET_KILL_PROCESS, "kill_process");

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

// Numbers come from this architecture's kernel headers, so the Swift policy names syscalls, never raw numbers. A name
// this architecture lacks (arm64 has no open, stat, poll, …) is simply absent from the table.
#define OMOTE_SYSCALL(name) {#name, __NR_##name},
static const struct {
    const char *name;
    long number;
} omote_syscall_table[] = {
#include "OmoteSyscallNames.h"
};

long omote_syscall_number(const char *name) {
    for (size_t i = 0; i < sizeof omote_syscall_table / sizeof omote_syscall_table[0]; i++) {
        if (strcmp(omote_syscall_table[i].name, name) == 0) return omote_syscall_table[i].number;
    }
    return -1;
}

static const unsigned int omote_v4l2_requests[] = {
    VIDIOC_QUERYCAP, VIDIOC_ENUM_FMT, VIDIOC_ENUM_FRAMESIZES, VIDIOC_ENUM_FRAMEINTERVALS, VIDIOC_G_FMT, VIDIOC_S_FMT,
    VIDIOC_G_PARM, VIDIOC_S_PARM, VIDIOC_REQBUFS, VIDIOC_QUERYBUF, VIDIOC_QBUF, VIDIOC_DQBUF, VIDIOC_STREAMON,
    VIDIOC_STREAMOFF,
};

unsigned int omote_v4l2_request_count(void) { return sizeof omote_v4l2_requests / sizeof omote_v4l2_requests[0]; }
unsigned int omote_v4l2_request(unsigned int index) {
    return index < omote_v4l2_request_count() ? omote_v4l2_requests[index] : 0;
}

long omote_close_range(unsigned int first, unsigned int last) { return syscall(SYS_close_range, first, last, 0U); }

long omote_seccomp_install_tsync(const struct omote_sock_filter *instructions, unsigned short count) {
    struct sock_fprog program = {.len = count, .filter = (struct sock_filter *)instructions};
    return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &program);
}

int omote_prctl(int option, unsigned long arg2, unsigned long arg3, unsigned long arg4, unsigned long arg5) {
    return prctl(option, arg2, arg3, arg4, arg5);
}

long omote_memfd_create_inheritable(const char *name) { return syscall(SYS_memfd_create, name, 0U); }

long omote_mseal(void *address, size_t length) { return syscall(SYS_mseal, address, length, 0UL); }

const char *omote_exec_file_name(void) { return (const char *)getauxval(AT_EXECFN); }

char **omote_environment(void) { return environ; }

void omote_empty_environment(void) {
    static char *empty[1] = {NULL};
    environ = empty;
}
