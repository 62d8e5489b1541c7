#include "CPNGShim.h"

#include <string.h>

#include "CRuntimeLibrary.h"

// The simplified-API functions the texture decoder uses, in `names` order.
enum { BEGIN_READ_FROM_MEMORY, FINISH_READ, IMAGE_FREE, FUNCTION_COUNT };
static const char *const names[FUNCTION_COUNT] = {
    "png_image_begin_read_from_memory", "png_image_finish_read", "png_image_free",
};
static void *table[FUNCTION_COUNT];
static omote_runtime_library library = {
    OMOTE_PNG_LIBRARY, " (Omote needs libpng 1.6 or later)", names, table, FUNCTION_COUNT, 0,
    PTHREAD_MUTEX_INITIALIZER,
};

int omote_png_load(char *message, size_t capacity) { return omote_runtime_library_load(&library, message, capacity); }

int omote_png_is_loaded(void) { return omote_runtime_library_is_loaded(&library); }

int omote_png_begin(png_image *image, const void *data, size_t size) {
    memset(image, 0, sizeof *image);
    image->version = PNG_IMAGE_VERSION;
    return ((int (*)(png_imagep, png_const_voidp, size_t))table[BEGIN_READ_FROM_MEMORY])(image, data, size);
}

int omote_png_finish_rgba(png_image *image, void *rgba) {
    image->format = PNG_FORMAT_RGBA;
    int ok = ((int (*)(png_imagep, png_const_colorp, void *, png_int_32, void *))table[FINISH_READ])(
        image, NULL, rgba, 0, NULL);
    omote_png_free(image);
    return ok;
}

void omote_png_free(png_image *image) { ((void (*)(png_imagep))table[IMAGE_FREE])(image); }
