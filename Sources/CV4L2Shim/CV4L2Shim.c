#include "CV4L2Shim.h"

#include <dlfcn.h>
#include <errno.h>
#include <libv4l2.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

int omote_kernel_ioctl(int fd, unsigned long request, void *arg) { return ioctl(fd, request, arg); }

// libv4l2's own declarations give the pointer types (typeof is unevaluated: nothing here references the symbols, so
// nothing links them).
static struct {
    __typeof__(&v4l2_fd_open) fdOpen;
    __typeof__(&v4l2_close) close;
    __typeof__(&v4l2_ioctl) ioctl;
    __typeof__(&v4l2_mmap) mmap;
    __typeof__(&v4l2_munmap) munmap;
} table;

// Set (release) only once the whole table is filled, so a reader that sees it set sees every pointer.
static atomic_int loaded;
static pthread_mutex_t loading = PTHREAD_MUTEX_INITIALIZER;

static int resolve(void *library, const char *name, void **slot, char *message, size_t capacity) {
    *slot = dlsym(library, name);
    if (*slot != NULL) return 0;
    snprintf(message, capacity, "%s has no %s", OMOTE_V4L2_LIBRARY, name);
    return -1;
}

int omote_v4l2_load(char *message, size_t capacity) {
    if (atomic_load_explicit(&loaded, memory_order_acquire)) return 0;
    pthread_mutex_lock(&loading);
    int result = 0;
    if (!atomic_load_explicit(&loaded, memory_order_relaxed)) {
        // RTLD_LOCAL: its symbols (and libv4lconvert's, libjpeg's) stay out of the global namespace. Never
        // dlclose()d: the camera's fd and mappings belong to it until exit, and a guarded process cannot map it again.
        void *library = dlopen(OMOTE_V4L2_LIBRARY, RTLD_NOW | RTLD_LOCAL);
        if (library == NULL) {
            const char *reason = dlerror();
            snprintf(message, capacity, "%s", reason != NULL ? reason : "dlopen failed");
            result = -1;
        } else if (resolve(library, "v4l2_fd_open", (void **)&table.fdOpen, message, capacity) != 0
                   || resolve(library, "v4l2_close", (void **)&table.close, message, capacity) != 0
                   || resolve(library, "v4l2_ioctl", (void **)&table.ioctl, message, capacity) != 0
                   || resolve(library, "v4l2_mmap", (void **)&table.mmap, message, capacity) != 0
                   || resolve(library, "v4l2_munmap", (void **)&table.munmap, message, capacity) != 0) {
            dlclose(library);
            result = -1;
        } else {
            atomic_store_explicit(&loaded, 1, memory_order_release);
        }
    }
    pthread_mutex_unlock(&loading);
    return result;
}

int omote_v4l2_is_loaded(void) { return atomic_load_explicit(&loaded, memory_order_acquire); }

// Each wrapper fails with ELIBACC rather than calling through a null pointer when the library was never loaded.
#define OMOTE_REQUIRE_LOADED(failure)                                                                                 \
    if (!atomic_load_explicit(&loaded, memory_order_acquire)) {                                                       \
        errno = ELIBACC;                                                                                              \
        return failure;                                                                                               \
    }

int omote_v4l2_ioctl(int fd, unsigned long request, void *arg) {
    OMOTE_REQUIRE_LOADED(-1)
    return table.ioctl(fd, request, arg);
}

int omote_v4l2_fd_open(int fd, int flags) {
    OMOTE_REQUIRE_LOADED(-1)
    return table.fdOpen(fd, flags);
}

int omote_v4l2_close(int fd) {
    OMOTE_REQUIRE_LOADED(-1)
    return table.close(fd);
}

void *omote_v4l2_mmap(void *start, size_t length, int prot, int flags, int fd, int64_t offset) {
    OMOTE_REQUIRE_LOADED(MAP_FAILED)
    return table.mmap(start, length, prot, flags, fd, offset);
}

int omote_v4l2_munmap(void *start, size_t length) {
    OMOTE_REQUIRE_LOADED(-1)
    return table.munmap(start, length);
}
