#include "CTurboJPEG.h"

#include "CRuntimeLibrary.h"

// The functions JPEGDecoder uses, in `names` order.
enum { INIT_DECOMPRESS, DESTROY, GET_ERROR_STR2, DECOMPRESS_HEADER3, DECOMPRESS2, FUNCTION_COUNT };
static const char *const names[FUNCTION_COUNT] = {
    "tjInitDecompress", "tjDestroy", "tjGetErrorStr2", "tjDecompressHeader3", "tjDecompress2",
};
static void *table[FUNCTION_COUNT];
static omote_runtime_library library = {
    OMOTE_TJ_LIBRARY, " (Omote needs libjpeg-turbo 2.0 or later)", names, table, FUNCTION_COUNT, 0,
    PTHREAD_MUTEX_INITIALIZER,
};

int omote_tj_load(char *message, size_t capacity) { return omote_runtime_library_load(&library, message, capacity); }

int omote_tj_is_loaded(void) { return omote_runtime_library_is_loaded(&library); }

tjhandle omote_tjInitDecompress(void) { return ((tjhandle (*)(void))table[INIT_DECOMPRESS])(); }

int omote_tjDestroy(tjhandle handle) { return ((int (*)(tjhandle))table[DESTROY])(handle); }

char *omote_tjGetErrorStr2(tjhandle handle) { return ((char *(*)(tjhandle))table[GET_ERROR_STR2])(handle); }

int omote_tjDecompressHeader3(
    tjhandle handle, const unsigned char *jpegBuf, unsigned long jpegSize, int *width, int *height,
    int *jpegSubsamp, int *jpegColorspace) {
    return ((__typeof__(&omote_tjDecompressHeader3))table[DECOMPRESS_HEADER3])(
        handle, jpegBuf, jpegSize, width, height, jpegSubsamp, jpegColorspace);
}

int omote_tjDecompress2(
    tjhandle handle, const unsigned char *jpegBuf, unsigned long jpegSize, unsigned char *dstBuf, int width,
    int pitch, int height, int pixelFormat, int flags) {
    return ((__typeof__(&omote_tjDecompress2))table[DECOMPRESS2])(
        handle, jpegBuf, jpegSize, dstBuf, width, pitch, height, pixelFormat, flags);
}
