#include "CV4L2Shim.h"
#include <libv4l2.h>
#include <sys/ioctl.h>

int omote_kernel_ioctl(int fd, unsigned long request, void *arg) { return ioctl(fd, request, arg); }

int omote_v4l2_ioctl(int fd, unsigned long request, void *arg) { return v4l2_ioctl(fd, request, arg); }
int omote_v4l2_fd_open(int fd, int flags) { return v4l2_fd_open(fd, flags); }
int omote_v4l2_close(int fd) { return v4l2_close(fd); }
void *omote_v4l2_mmap(void *start, size_t length, int prot, int flags, int fd, int64_t offset) {
    return v4l2_mmap(start, length, prot, flags, fd, offset);
}
int omote_v4l2_munmap(void *start, size_t length) { return v4l2_munmap(start, length); }
