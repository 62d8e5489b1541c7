#include "CV4L2Shim.h"

#include "CRuntimeLibrary.h"

#include <errno.h>
#include <libv4l2.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

int omote_kernel_ioctl(int fd, unsigned long request, void *arg) { return ioctl(fd, request, arg); }

// The functions the driver uses, in `names` order; libv4l2's own declarations give their types (typeof is
// unevaluated: nothing here references the symbols, so nothing links them).
enum { FD_OPEN, CLOSE, IOCTL, MMAP, MUNMAP, FUNCTION_COUNT };
static const char *const names[FUNCTION_COUNT] = {"v4l2_fd_open", "v4l2_close", "v4l2_ioctl", "v4l2_mmap", "v4l2_munmap"};
static void *table[FUNCTION_COUNT];
static omote_runtime_library library = {
    OMOTE_V4L2_LIBRARY, "", names, table, FUNCTION_COUNT, 0, PTHREAD_MUTEX_INITIALIZER,
};
#define CALL(index, function) ((__typeof__(&function))table[index])

int omote_v4l2_load(char *message, size_t capacity) {
    return omote_runtime_library_load(&library, message, capacity);
}

int omote_v4l2_is_loaded(void) { return omote_runtime_library_is_loaded(&library); }

// Each wrapper fails with ELIBACC rather than calling through a null pointer when the library was never loaded.
#define OMOTE_REQUIRE_LOADED(failure)                                                                                 \
    if (!omote_runtime_library_is_loaded(&library)) {                                                                 \
        errno = ELIBACC;                                                                                              \
        return failure;                                                                                               \
    }

int omote_v4l2_ioctl(int fd, unsigned long request, void *arg) {
    OMOTE_REQUIRE_LOADED(-1)
    return CALL(IOCTL, v4l2_ioctl)(fd, request, arg);
}

int omote_v4l2_fd_open(int fd, int flags) {
    OMOTE_REQUIRE_LOADED(-1)
    return CALL(FD_OPEN, v4l2_fd_open)(fd, flags);
}

int omote_v4l2_close(int fd) {
    OMOTE_REQUIRE_LOADED(-1)
    return CALL(CLOSE, v4l2_close)(fd);
}

void *omote_v4l2_mmap(void *start, size_t length, int prot, int flags, int fd, int64_t offset) {
    OMOTE_REQUIRE_LOADED(MAP_FAILED)
    return CALL(MMAP, v4l2_mmap)(start, length, prot, flags, fd, offset);
}

int omote_v4l2_munmap(void *start, size_t length) {
    OMOTE_REQUIRE_LOADED(-1)
    return CALL(MUNMAP, v4l2_munmap)(start, length);
}
