#include "CRuntimeLibrary.h"

#include <dlfcn.h>
#include <stdio.h>

int omote_runtime_library_is_loaded(omote_runtime_library *library) {
    return __atomic_load_n(&library->loaded, __ATOMIC_ACQUIRE);
}

int omote_runtime_library_load(omote_runtime_library *library, char *message, size_t capacity) {
    if (omote_runtime_library_is_loaded(library)) return 0;
    pthread_mutex_lock(&library->lock);
    int result = 0;
    if (!__atomic_load_n(&library->loaded, __ATOMIC_RELAXED)) {
        // RTLD_LOCAL: its symbols (and its dependencies') stay out of the global namespace. Never dlclose()d once
        // loaded: its objects may live until exit, and a guarded process cannot map it again.
        void *handle = dlopen(library->path, RTLD_NOW | RTLD_LOCAL);
        if (handle == NULL) {
            const char *reason = dlerror();
            snprintf(message, capacity, "%s", reason != NULL ? reason : "dlopen failed");
            result = -1;
        } else {
            for (size_t index = 0; index < library->count && result == 0; index++) {
                library->table[index] = dlsym(handle, library->names[index]);
                if (library->table[index] == NULL) {
                    snprintf(
                        message, capacity, "%s has no %s%s", library->path, library->names[index],
                        library->missing_hint);
                    result = -1;
                }
            }
            if (result == 0) {
                __atomic_store_n(&library->loaded, 1, __ATOMIC_RELEASE);
            } else {
                dlclose(handle);
            }
        }
    }
    pthread_mutex_unlock(&library->lock);
    return result;
}
