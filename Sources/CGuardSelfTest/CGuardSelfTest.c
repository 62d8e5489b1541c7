#define _GNU_SOURCE
#include "CGuardSelfTest.h"
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/resource.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/xattr.h>
#include <unistd.h>

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

long omote_attempt_process_vm_readv(int pid) {
    char byte = 0;
    struct iovec local = {.iov_base = &byte, .iov_len = 1};
    struct iovec remote = {.iov_base = &byte, .iov_len = 1};
    return syscall(SYS_process_vm_readv, pid, &local, 1UL, &remote, 1UL, 0UL);
}

long omote_attempt_ptrace_peek(int pid) { return syscall(SYS_ptrace, 2L /* PTRACE_PEEKDATA */, (long)pid, 0L, 0L); }

long omote_attempt_bpf_map_create(void) {
    union bpf_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.map_type = BPF_MAP_TYPE_ARRAY;
    attr.key_size = 4;
    attr.value_size = 8;
    attr.max_entries = 1;
    long fd = syscall(SYS_bpf, BPF_MAP_CREATE, &attr, sizeof attr);
    if (fd >= 0) close((int)fd);
    return fd;
}

long omote_attempt_add_key(void) {
    return syscall(SYS_add_key, "user", "omote-selftest", "x", (size_t)1, -4 /* KEY_SPEC_USER_KEYRING */);
}

long omote_attempt_keyctl(void) { return syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -4, 0); }

long omote_attempt_shmget(void) {
    int id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0666);
    if (id >= 0) shmctl(id, IPC_RMID, NULL);
    return id;
}

long omote_attempt_msgget(void) {
    int id = msgget(IPC_PRIVATE, IPC_CREAT | 0666);
    if (id >= 0) msgctl(id, IPC_RMID, NULL);
    return id;
}

long omote_attempt_semget(void) {
    int id = semget(IPC_PRIVATE, 1, IPC_CREAT | 0666);
    if (id >= 0) semctl(id, 0, IPC_RMID);
    return id;
}

long omote_attempt_unshare(void) { return unshare(CLONE_NEWUSER); }

long omote_attempt_tiocsti(int fd) {
    char c = 'x';
    return ioctl(fd, TIOCSTI, &c);
}

long omote_attempt_tioclinux(int fd) {
    char subcode = 6; /* TIOCL_PASTESEL */
    return ioctl(fd, TIOCLINUX, &subcode);
}

long omote_attempt_ioctl(int fd, unsigned long request, void *arg) { return ioctl(fd, request, arg); }

int omote_selftest_fork(void) { return fork(); }

long omote_attempt_clone_process(void) {
    long pid = syscall(SYS_clone, (unsigned long)SIGCHLD, NULL, NULL, NULL, NULL);
    if (pid == 0) _exit(0);
    return pid;
}

long omote_attempt_setxattr(const char *path) { return setxattr(path, "user.omote", "x", 1, 0); }

long omote_attempt_utimensat(const char *path) {
    struct timespec times[2] = {{.tv_sec = 1, .tv_nsec = 123456789}, {.tv_sec = 1, .tv_nsec = 123456789}};
    return utimensat(AT_FDCWD, path, times, 0);
}

long omote_attempt_mmap_shared(int fd) {
    void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) return -1;
    munmap(p, 4096);
    return 0;
}

long omote_attempt_recvmsg(int fd) {
    char data[16];
    char control[CMSG_SPACE(sizeof(int))];
    struct iovec io = {.iov_base = data, .iov_len = sizeof data};
    struct msghdr message = {.msg_iov = &io, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control};
    return recvmsg(fd, &message, MSG_DONTWAIT);
}

long omote_attempt_set_limit(int resource, uint64_t soft, uint64_t hard) {
    struct rlimit limit = {.rlim_cur = soft, .rlim_max = hard};
    return syscall(SYS_prlimit64, 0, resource, &limit, NULL);
}

long omote_selftest_send_descriptor(int socket_fd, int descriptor) {
    char byte = 'd';
    char control[CMSG_SPACE(sizeof(int))];
    memset(control, 0, sizeof control);
    struct iovec io = {.iov_base = &byte, .iov_len = 1};
    struct msghdr message = {.msg_iov = &io, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control};
    struct cmsghdr *header = CMSG_FIRSTHDR(&message);
    header->cmsg_level = SOL_SOCKET;
    header->cmsg_type = SCM_RIGHTS;
    header->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(header), &descriptor, sizeof(int));
    return sendmsg(socket_fd, &message, 0);
}

static sigjmp_buf omote_store_fault;

static void omote_store_faulted(int signal) {
    (void)signal;
    siglongjmp(omote_store_fault, 1);
}

long omote_attempt_store(void *address, const void *bytes, size_t length) {
    struct sigaction caught = {0}, old_segv, old_bus;
    caught.sa_handler = omote_store_faulted;
    sigemptyset(&caught.sa_mask);
    sigaction(SIGSEGV, &caught, &old_segv);
    sigaction(SIGBUS, &caught, &old_bus);
    long result = 0;
    if (sigsetjmp(omote_store_fault, 1) == 0) {
        volatile unsigned char *target = address;
        const unsigned char *source = bytes;
        for (size_t index = 0; index < length; index++) target[index] = source[index];
    } else {
        errno = EFAULT;
        result = -1;
    }
    sigaction(SIGSEGV, &old_segv, NULL);
    sigaction(SIGBUS, &old_bus, NULL);
    return result;
}
