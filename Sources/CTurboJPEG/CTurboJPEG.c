#include "CTurboJPEG.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

static struct {
    tjhandle (*initDecompress)(void);
    int (*destroy)(tjhandle);
    char *(*getErrorStr2)(tjhandle);
    int (*decompressHeader3)(tjhandle, const unsigned char *, unsigned long, int *, int *, int *, int *);
    int (*decompress2)(
        tjhandle, const unsigned char *, unsigned long, unsigned char *, int, int, int, int, int);
} table;

// Set (release) only once the whole table is filled, so a reader that sees it set sees every pointer.
static atomic_int loaded;
static pthread_mutex_t loading = PTHREAD_MUTEX_INITIALIZER;

static int resolve(void *library, const char *name, void **slot, char *message, size_t capacity) {
    *slot = dlsym(library, name);
    if (*slot != NULL) return 0;
    snprintf(message, capacity, "%s has no %s (Omote needs libjpeg-turbo 2.0 or later)", OMOTE_TJ_LIBRARY, name);
    return -1;
}

int omote_tj_load(char *message, size_t capacity) {
    if (atomic_load_explicit(&loaded, memory_order_acquire)) return 0;
    pthread_mutex_lock(&loading);
    int result = 0;
    if (!atomic_load_explicit(&loaded, memory_order_relaxed)) {
        // RTLD_LOCAL: its symbols stay out of the global namespace (nothing else can bind to them by accident).
        // Never dlclose()d: decoders may live until exit, and a sensor cannot map it again once narrowed.
        void *library = dlopen(OMOTE_TJ_LIBRARY, RTLD_NOW | RTLD_LOCAL);
        if (library == NULL) {
            const char *reason = dlerror();
            snprintf(message, capacity, "%s", reason != NULL ? reason : "dlopen failed");
            result = -1;
        } else if (resolve(library, "tjInitDecompress", (void **)&table.initDecompress, message, capacity) != 0
                   || resolve(library, "tjDestroy", (void **)&table.destroy, message, capacity) != 0
                   || resolve(library, "tjGetErrorStr2", (void **)&table.getErrorStr2, message, capacity) != 0
                   || resolve(library, "tjDecompressHeader3", (void **)&table.decompressHeader3, message, capacity)
                          != 0
                   || resolve(library, "tjDecompress2", (void **)&table.decompress2, message, capacity) != 0) {
            dlclose(library);
            result = -1;
        } else {
            atomic_store_explicit(&loaded, 1, memory_order_release);
        }
    }
    pthread_mutex_unlock(&loading);
    return result;
}

int omote_tj_is_loaded(void) { return atomic_load_explicit(&loaded, memory_order_acquire); }

tjhandle omote_tjInitDecompress(void) { return table.initDecompress(); }

int omote_tjDestroy(tjhandle handle) { return table.destroy(handle); }

char *omote_tjGetErrorStr2(tjhandle handle) { return table.getErrorStr2(handle); }

int omote_tjDecompressHeader3(
    tjhandle handle, const unsigned char *jpegBuf, unsigned long jpegSize, int *width, int *height,
    int *jpegSubsamp, int *jpegColorspace) {
    return table.decompressHeader3(handle, jpegBuf, jpegSize, width, height, jpegSubsamp, jpegColorspace);
}

int omote_tjDecompress2(
    tjhandle handle, const unsigned char *jpegBuf, unsigned long jpegSize, unsigned char *dstBuf, int width,
    int pitch, int height, int pixelFormat, int flags) {
    return table.decompress2(handle, jpegBuf, jpegSize, dstBuf, width, pitch, height, pixelFormat, flags);
}
