#ifndef OMOTE_CV4L2_SHIM_H
#define OMOTE_CV4L2_SHIM_H
// V4L2 ioctl request codes and pixel formats are function-like macros (_IOWR, v4l2_fourcc) that Swift cannot import,
// and libv4l2's v4l2_ioctl is variadic. This shim exports them as constants and fixed-arity functions.
#include <linux/videodev2.h>
#include <stddef.h>
#include <stdint.h>

/// libv4l2's ioctl with a fixed arity (v4l2_ioctl itself is variadic).
int omote_v4l2_ioctl(int fd, unsigned long request, void *arg);
/// Wraps an fd opened by the caller so libv4l2 can convert odd formats; returns the fd or -1.
int omote_v4l2_fd_open(int fd, int flags);
int omote_v4l2_close(int fd);
void *omote_v4l2_mmap(void *start, size_t length, int prot, int flags, int fd, int64_t offset);
int omote_v4l2_munmap(void *start, size_t length);

static const unsigned long OMOTE_VIDIOC_QUERYCAP = VIDIOC_QUERYCAP;
static const unsigned long OMOTE_VIDIOC_ENUM_FMT = VIDIOC_ENUM_FMT;
static const unsigned long OMOTE_VIDIOC_ENUM_FRAMESIZES = VIDIOC_ENUM_FRAMESIZES;
static const unsigned long OMOTE_VIDIOC_ENUM_FRAMEINTERVALS = VIDIOC_ENUM_FRAMEINTERVALS;
static const unsigned long OMOTE_VIDIOC_G_FMT = VIDIOC_G_FMT;
static const unsigned long OMOTE_VIDIOC_S_FMT = VIDIOC_S_FMT;
static const unsigned long OMOTE_VIDIOC_G_PARM = VIDIOC_G_PARM;
static const unsigned long OMOTE_VIDIOC_S_PARM = VIDIOC_S_PARM;
static const unsigned long OMOTE_VIDIOC_REQBUFS = VIDIOC_REQBUFS;
static const unsigned long OMOTE_VIDIOC_QUERYBUF = VIDIOC_QUERYBUF;
static const unsigned long OMOTE_VIDIOC_QBUF = VIDIOC_QBUF;
static const unsigned long OMOTE_VIDIOC_DQBUF = VIDIOC_DQBUF;
static const unsigned long OMOTE_VIDIOC_STREAMON = VIDIOC_STREAMON;
static const unsigned long OMOTE_VIDIOC_STREAMOFF = VIDIOC_STREAMOFF;

static const uint32_t OMOTE_V4L2_PIX_FMT_MJPEG = V4L2_PIX_FMT_MJPEG;
static const uint32_t OMOTE_V4L2_PIX_FMT_JPEG = V4L2_PIX_FMT_JPEG;
static const uint32_t OMOTE_V4L2_PIX_FMT_YUYV = V4L2_PIX_FMT_YUYV;
static const uint32_t OMOTE_V4L2_PIX_FMT_NV12 = V4L2_PIX_FMT_NV12;
static const uint32_t OMOTE_V4L2_PIX_FMT_GREY = V4L2_PIX_FMT_GREY;

#endif
