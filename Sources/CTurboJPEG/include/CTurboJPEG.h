#ifndef OMOTE_CTURBOJPEG_H
#define OMOTE_CTURBOJPEG_H

// libjpeg-turbo, loaded at run time rather than linked: only a process that decodes (the sensor,
// bench) ever maps libturbojpeg.so.0, so the presenter provably cannot run the decoder (issue 22). The header is
// included for its types and constants only; calling a tj* function directly would not link.
#include <stddef.h>
#include <turbojpeg.h>

#define OMOTE_TJ_LIBRARY "libturbojpeg.so.0"

/// dlopen()s libturbojpeg.so.0 (RTLD_NOW | RTLD_LOCAL) and resolves every function below, once per process;
/// thread-safe and idempotent. Returns 0, or -1 with dlerror()'s text (or the missing symbol) in `message`.
int omote_tj_load(char *message, size_t capacity);

/// Whether `omote_tj_load` has succeeded in this process. The wrappers below may be called only then.
int omote_tj_is_loaded(void);

// The functions JPEGDecoder uses, through the pointers resolved once by omote_tj_load (no dlsym per call).
tjhandle omote_tjInitDecompress(void);
int omote_tjDestroy(tjhandle handle);
char *omote_tjGetErrorStr2(tjhandle handle);
int omote_tjDecompressHeader3(
    tjhandle handle, const unsigned char *jpegBuf, unsigned long jpegSize, int *width, int *height,
    int *jpegSubsamp, int *jpegColorspace);
int omote_tjDecompress2(
    tjhandle handle, const unsigned char *jpegBuf, unsigned long jpegSize, unsigned char *dstBuf, int width,
    int pitch, int height, int pixelFormat, int flags);

#endif
