#ifndef OMOTE_CPNGSHIM_H
#define OMOTE_CPNGSHIM_H

// libpng, loaded at run time rather than linked (as libturbojpeg is, see CTurboJPEG): only a process that loads an
// avatar with PNG textures maps libpng16.so.16. The header is included for png_image and the format constants only;
// calling a png_* function directly would not link. libpng's simplified API reports errors in png_image.message
// instead of longjmp-ing, so no setjmp is needed on this side.
#include <png.h>
#include <stddef.h>

#define OMOTE_PNG_LIBRARY "libpng16.so.16"

/// dlopen()s libpng16.so.16 (RTLD_NOW | RTLD_LOCAL) and resolves every function below, once per process;
/// thread-safe and idempotent. Returns 0, or -1 with dlerror()'s text (or the missing symbol) in `message`.
int omote_png_load(char *message, size_t capacity);

/// Whether `omote_png_load` has succeeded in this process. The functions below may be called only then.
int omote_png_is_loaded(void);

/// Clears `image` and reads the PNG header from `data` (nothing is decoded yet, so width and height can be checked
/// before any texel memory is allocated). Returns 1, or 0 with libpng's reason in `image->message`. Call
/// `omote_png_free` unless `omote_png_finish_rgba` follows.
int omote_png_begin(png_image *image, const void *data, size_t size);

/// Decodes the image begun by `omote_png_begin` into `rgba`: width × height × 4 bytes, 8-bit sRGB RGBA
/// (non-premultiplied), top row first. Returns 1, or 0 with libpng's reason in `image->message`. Frees libpng's state
/// either way.
int omote_png_finish_rgba(png_image *image, void *rgba);

/// Releases what libpng holds for `image` (safe to call more than once).
void omote_png_free(png_image *image);

#endif
