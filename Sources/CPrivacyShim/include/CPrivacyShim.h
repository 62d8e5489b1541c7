#ifndef OMOTE_CPRIVACY_SHIM_H
#define OMOTE_CPRIVACY_SHIM_H
// prctl and syscall are variadic and Landlock/seccomp have no libc wrappers; Debian 12's kernel headers predate
// Landlock ABI 3-7, so the structs and flags are defined here under our own names (values from the kernel's stable
// UAPI, include/uapi/linux/landlock.h and seccomp.h). The policy itself lives in Swift (OmotePrivacy).
#include <stddef.h>
#include <stdint.h>
#include <sys/prctl.h>

// MARK: Landlock (ABI 1-7)

/// struct landlock_ruleset_attr as of ABI 6 (handled_access_net: ABI 4, scoped: ABI 6). The kernel accepts this full
/// size on older ABIs as long as the fields it does not know are zero.
struct omote_landlock_ruleset_attr {
    uint64_t handled_access_fs;
    uint64_t handled_access_net;
    uint64_t scoped;
};

/// struct landlock_path_beneath_attr (packed in the kernel UAPI).
struct __attribute__((packed)) omote_landlock_path_beneath_attr {
    uint64_t allowed_access;
    int32_t parent_fd;
};

#define OMOTE_LANDLOCK_CREATE_RULESET_VERSION (1U << 0)
#define OMOTE_LANDLOCK_RULE_PATH_BENEATH 1

// Filesystem access rights (ABI 1 unless noted).
#define OMOTE_LANDLOCK_ACCESS_FS_EXECUTE (1ULL << 0)
#define OMOTE_LANDLOCK_ACCESS_FS_WRITE_FILE (1ULL << 1)
#define OMOTE_LANDLOCK_ACCESS_FS_READ_FILE (1ULL << 2)
#define OMOTE_LANDLOCK_ACCESS_FS_READ_DIR (1ULL << 3)
#define OMOTE_LANDLOCK_ACCESS_FS_REMOVE_DIR (1ULL << 4)
#define OMOTE_LANDLOCK_ACCESS_FS_REMOVE_FILE (1ULL << 5)
#define OMOTE_LANDLOCK_ACCESS_FS_MAKE_CHAR (1ULL << 6)
#define OMOTE_LANDLOCK_ACCESS_FS_MAKE_DIR (1ULL << 7)
#define OMOTE_LANDLOCK_ACCESS_FS_MAKE_REG (1ULL << 8)
#define OMOTE_LANDLOCK_ACCESS_FS_MAKE_SOCK (1ULL << 9)
#define OMOTE_LANDLOCK_ACCESS_FS_MAKE_FIFO (1ULL << 10)
#define OMOTE_LANDLOCK_ACCESS_FS_MAKE_BLOCK (1ULL << 11)
#define OMOTE_LANDLOCK_ACCESS_FS_MAKE_SYM (1ULL << 12)
#define OMOTE_LANDLOCK_ACCESS_FS_REFER (1ULL << 13)     /* ABI 2 */
#define OMOTE_LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)  /* ABI 3 */
#define OMOTE_LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15) /* ABI 5 */

// Network access rights (ABI 4).
#define OMOTE_LANDLOCK_ACCESS_NET_BIND_TCP (1ULL << 0)
#define OMOTE_LANDLOCK_ACCESS_NET_CONNECT_TCP (1ULL << 1)

// Scopes (ABI 6).
#define OMOTE_LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0)
#define OMOTE_LANDLOCK_SCOPE_SIGNAL (1ULL << 1)

// landlock_restrict_self flags (ABI 7: audit logging of denials; Omote keeps the kernel's default logging).
#define OMOTE_LANDLOCK_RESTRICT_SELF_LOG_SAME_EXEC_OFF (1U << 0)
#define OMOTE_LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON (1U << 1)
#define OMOTE_LANDLOCK_RESTRICT_SELF_LOG_SUBDOMAINS_OFF (1U << 2)

/// Landlock ABI version the running kernel offers; 0 when unavailable, with the reason in *error_number
/// (ENOSYS: not built into this kernel; EOPNOTSUPP: built but disabled at boot). error_number may be NULL.
int omote_landlock_abi_version_detail(int *error_number);
/// Landlock ABI version the running kernel offers (0 when Landlock is unavailable or disabled).
int omote_landlock_abi_version(void);
/// The raw system calls (-1 and errno on failure).
int omote_landlock_create_ruleset(const struct omote_landlock_ruleset_attr *attr, size_t size, uint32_t flags);
int omote_landlock_add_path_rule(int ruleset_fd, const struct omote_landlock_path_beneath_attr *attr);
int omote_landlock_restrict_self(int ruleset_fd, uint32_t flags);

// MARK: seccomp-bpf

/// struct sock_filter (one classic BPF instruction); the shim checks the layouts match.
struct omote_sock_filter {
    uint16_t code;
    uint8_t jt;
    uint8_t jf;
    uint32_t k;
};

// Classic BPF opcodes used by the filter (linux/bpf_common.h).
#define OMOTE_BPF_LD_W_ABS 0x20   /* BPF_LD | BPF_W | BPF_ABS */
#define OMOTE_BPF_JMP_JEQ_K 0x15  /* BPF_JMP | BPF_JEQ | BPF_K */
#define OMOTE_BPF_JMP_JGE_K 0x35  /* BPF_JMP | BPF_JGE | BPF_K */
#define OMOTE_BPF_RET_K 0x06      /* BPF_RET | BPF_K */
#define OMOTE_BPF_ALU_AND_K 0x54  /* BPF_ALU | BPF_AND | BPF_K */

// struct seccomp_data offsets and filter results (linux/seccomp.h).
#define OMOTE_SECCOMP_DATA_NR_OFFSET 0
#define OMOTE_SECCOMP_DATA_ARCH_OFFSET 4
#define OMOTE_SECCOMP_DATA_ARGS_OFFSET 16 /* args[i] at 16 + 8 i; 64-bit values */
#define OMOTE_SECCOMP_RET_KILL_PROCESS 0x80000000U
#define OMOTE_SECCOMP_RET_ERRNO 0x00050000U
#define OMOTE_SECCOMP_RET_ALLOW 0x7fff0000U
#define OMOTE_SECCOMP_SET_MODE_FILTER 1
#define OMOTE_SECCOMP_FILTER_FLAG_TSYNC 1

/// AUDIT_ARCH_* of the architecture this was compiled for (x86-64 or AArch64); 0 for an architecture Omote has no
/// syscall table for.
uint32_t omote_audit_arch(void);
/// __X32_SYSCALL_BIT on x86-64 (x32 ABI syscall numbers carry it and must be refused wholesale); 0 elsewhere.
uint32_t omote_x32_syscall_bit(void);
/// This architecture's number for the named system call, from the kernel headers; -1 when the name is unknown here.
long omote_syscall_number(const char *name);
/// The ioctl request codes of the V4L2 calls Omote's capture makes (linux/videodev2.h), for the camera's ioctl rule.
unsigned int omote_v4l2_request_count(void);
unsigned int omote_v4l2_request(unsigned int index);

// Argument values the filter checks, with this architecture's numbers (the shim checks them against libc's).
#define OMOTE_O_WRONLY 01
#define OMOTE_O_RDWR 02
#define OMOTE_O_CREAT 0100
#define OMOTE_O_TRUNC 01000
#define OMOTE_O_APPEND 02000
#define OMOTE_O_TMPFILE_BIT 020000000 /* __O_TMPFILE: O_TMPFILE without its O_DIRECTORY bit */
#define OMOTE_MAP_TYPE 0x0f
#define OMOTE_MAP_PRIVATE 0x02
#define OMOTE_CLONE_THREAD 0x00010000
#define OMOTE_TCGETS 0x5401
#define OMOTE_TCSETS 0x5402
#define OMOTE_TCSETSW 0x5403
#define OMOTE_TCSETSF 0x5404
#define OMOTE_TIOCSTI 0x5412
#define OMOTE_TIOCGWINSZ 0x5413
#define OMOTE_TIOCLINUX 0x541C
#define OMOTE_F_GETFD 1
#define OMOTE_F_SETFD 2
#define OMOTE_F_GETFL 3
#define OMOTE_F_SETFL 4

/// seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, program). Returns 0; -1 and errno on failure; or the
/// id (> 0) of a thread that could not be synchronised.
long omote_seccomp_install_tsync(const struct omote_sock_filter *instructions, unsigned short count);

// MARK: small fixed-arity wrappers

/// O_PATH and RLIMIT_MEMLOCK need _GNU_SOURCE, which Swift's view of the C library lacks (the shim checks the values).
#define OMOTE_O_PATH 0x200000
#define OMOTE_RLIMIT_MEMLOCK 8

/// prctl with a fixed arity; returns the raw result (-1 and errno on failure).
int omote_prctl(int option, unsigned long arg2, unsigned long arg3, unsigned long arg4, unsigned long arg5);
/// Wipes memory with a store the optimiser cannot elide.
/// close_range(first, last, 0): closes every descriptor in [first, last]. Returns 0, or -1 and errno.
long omote_close_range(unsigned int first, unsigned int last);

// MARK: the argument area (ArgumentArea)

/// memfd_create(name, 0): deliberately without MFD_CLOEXEC, so the descriptor reaches the re-executed image.
long omote_memfd_create_inheritable(const char *name);
/// mseal(address, length, 0) (Linux ≥ 6.10, 64-bit): the range's protection can never change again, nor can it be
/// unmapped or remapped. mseal(NULL, 0) is a probe: 0 where the call exists, -1 and ENOSYS where it does not.
long omote_mseal(void *address, size_t length);
/// getauxval(AT_EXECFN): the file name the kernel copied to the top of the stack at exec.
const char *omote_exec_file_name(void);
/// The C library's environment (NULL where it was cleared; Swift's `environ` traps on that).
char **omote_environment(void);
/// Points the environment at an empty static list (never NULL): setenv then copies it into heap memory.
void omote_empty_environment(void);

#endif
