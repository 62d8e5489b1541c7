#ifndef OMOTE_CRUNTIMELIBRARY_H
#define OMOTE_CRUNTIMELIBRARY_H

// A shared library Omote loads at run time instead of linking (libturbojpeg, libv4l2), so that only the process that
// needs it ever maps it (issue 22: the presenter maps neither). Used by the C shims only.
#include <pthread.h>
#include <stddef.h>

typedef struct omote_runtime_library {
    /// The soname to dlopen, e.g. "libturbojpeg.so.0".
    const char *path;
    /// Appended to "<path> has no <symbol>" when a function is missing (which version is needed).
    const char *missing_hint;
    /// The functions to resolve, and where their addresses go (same order, `count` of each).
    const char *const *names;
    void **table;
    size_t count;
    /// Set (release) only once the whole table is filled, so a reader that sees it set sees every pointer.
    int loaded;
    pthread_mutex_t lock;
} omote_runtime_library;

/// dlopen()s `library->path` (RTLD_NOW | RTLD_LOCAL) and resolves every name into the table, once per process;
/// thread-safe and idempotent. Returns 0, or -1 with dlerror()'s text (or the missing symbol) in `message`.
int omote_runtime_library_load(omote_runtime_library *library, char *message, size_t capacity);

/// Whether `omote_runtime_library_load` has succeeded for `library`.
int omote_runtime_library_is_loaded(omote_runtime_library *library);

#endif
