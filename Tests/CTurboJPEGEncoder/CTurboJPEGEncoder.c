#include "CTurboJPEGEncoder.h"

#include <stdio.h>
#include <stdlib.h>
#include <turbojpeg.h>

static int fail(tjhandle handle, const char *step, char *message, unsigned long capacity) {
    snprintf(message, capacity, "%s: %s", step, tjGetErrorStr2(handle));
    return -1;
}

int omote_test_reencode_422(
    const unsigned char *jpeg, unsigned long size, int quality, unsigned char **output, unsigned long *outputSize,
    char *message, unsigned long capacity) {
    tjhandle decompressor = tjInitDecompress();
    if (decompressor == NULL) return fail(NULL, "tjInitDecompress", message, capacity);
    int width = 0, height = 0, subsampling = 0, colorspace = 0;
    if (tjDecompressHeader3(decompressor, jpeg, size, &width, &height, &subsampling, &colorspace) != 0) {
        int result = fail(decompressor, "header", message, capacity);
        tjDestroy(decompressor);
        return result;
    }
    unsigned char *rgb = malloc((size_t)width * (size_t)height * 3);
    if (rgb == NULL || tjDecompress2(decompressor, jpeg, size, rgb, width, 0, height, TJPF_RGB, 0) != 0) {
        int result = fail(decompressor, "decompress", message, capacity);
        free(rgb);
        tjDestroy(decompressor);
        return result;
    }
    tjDestroy(decompressor);
    tjhandle compressor = tjInitCompress();
    if (compressor == NULL) {
        free(rgb);
        return fail(NULL, "tjInitCompress", message, capacity);
    }
    *output = NULL;
    *outputSize = 0;
    int result = 0;
    if (tjCompress2(compressor, rgb, width, 0, height, TJPF_RGB, output, outputSize, TJSAMP_422, quality, 0) != 0) {
        result = fail(compressor, "compress", message, capacity);
    }
    free(rgb);
    tjDestroy(compressor);
    return result;
}

int omote_test_encode_rgb(
    const unsigned char *rgb, int width, int height, int quality, unsigned char **output, unsigned long *outputSize,
    char *message, unsigned long capacity) {
    tjhandle compressor = tjInitCompress();
    if (compressor == NULL) return fail(NULL, "tjInitCompress", message, capacity);
    *output = NULL;
    *outputSize = 0;
    int result = 0;
    if (tjCompress2(compressor, rgb, width, 0, height, TJPF_RGB, output, outputSize, TJSAMP_444, quality, 0) != 0) {
        result = fail(compressor, "compress", message, capacity);
    }
    tjDestroy(compressor);
    return result;
}

void omote_test_jpeg_free(unsigned char *jpeg) { tjFree(jpeg); }
