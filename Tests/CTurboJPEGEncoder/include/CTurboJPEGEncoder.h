#ifndef OMOTE_CTURBOJPEGENCODER_H
#define OMOTE_CTURBOJPEGENCODER_H

// Tests only: re-encodes JPEGs with libjpeg-turbo, linked into the test runner (production code loads it with dlopen,
// see Sources/CTurboJPEG, and never encodes). No turbojpeg.h here, so its declarations meet CTurboJPEG's nowhere.

/// Decodes `jpeg` and encodes it again as a UVC camera's MJPEG encoder does: 4:2:2, standard Huffman tables, at
/// `quality`. Returns 0 and the JPEG in `output` (free it with omote_test_jpeg_free), or -1 and libjpeg-turbo's
/// message in `message`.
int omote_test_reencode_422(
    const unsigned char *jpeg, unsigned long size, int quality, unsigned char **output, unsigned long *outputSize,
    char *message, unsigned long capacity);

/// Encodes `width` × `height` packed RGB pixels (top row first) as a 4:4:4 baseline JPEG at `quality` (avatar-texture
/// test fixtures). Returns 0 and the JPEG in `output` (free it with omote_test_jpeg_free), or -1 and libjpeg-turbo's
/// message in `message`.
int omote_test_encode_rgb(
    const unsigned char *rgb, int width, int height, int quality, unsigned char **output, unsigned long *outputSize,
    char *message, unsigned long capacity);

void omote_test_jpeg_free(unsigned char *jpeg);

#endif
