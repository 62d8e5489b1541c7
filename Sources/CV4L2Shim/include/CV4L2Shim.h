#ifndef OMOTE_CV4L2_SHIM_H
#define OMOTE_CV4L2_SHIM_H
// V4L2 ioctl request codes and pixel formats are function-like macros (_IOWR, v4l2_fourcc) that Swift cannot import,
// libv4l2's v4l2_ioctl is variadic, and libv4l2 itself is loaded with dlopen. This shim exports them as typed
// constants and fixed-arity functions, plus the C sizes of the structs the ioctls carry so a test can check Swift's
// view of the ABI against the compiler's.
#include <linux/videodev2.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>

/// The kernel's ioctl, bypassing libv4l2 (to check a node is V4L2 before libv4l2 wraps it and logs about it).
int omote_kernel_ioctl(int fd, unsigned long request, void *arg);

// libv4l2 is loaded at run time rather than linked: it pulls in libv4lconvert and libjpeg.so.62, a second JPEG
// decoder, so only a process that opens a camera (a camera generation's sensor, `omote devices`, `omote doctor`) may
// map it, never the presenter (issue 22).
#define OMOTE_V4L2_LIBRARY "libv4l2.so.0"

/// dlopen()s libv4l2.so.0 (RTLD_NOW | RTLD_LOCAL) and resolves the v4l2_* functions below, once per process;
/// thread-safe and idempotent. Returns 0, or -1 with dlerror()'s text (or the missing symbol) in `message`.
int omote_v4l2_load(char *message, size_t capacity);
/// Whether `omote_v4l2_load` has succeeded in this process.
int omote_v4l2_is_loaded(void);

// libv4l2's calls, through the pointers omote_v4l2_load resolved (no dlsym per call). Before it has succeeded they
// fail with errno ELIBACC instead of crashing.
/// libv4l2's ioctl with a fixed arity (v4l2_ioctl itself is variadic).
int omote_v4l2_ioctl(int fd, unsigned long request, void *arg);
/// Wraps an fd opened by the caller so libv4l2 can convert odd formats; returns the fd or -1.
int omote_v4l2_fd_open(int fd, int flags);
int omote_v4l2_close(int fd);
void *omote_v4l2_mmap(void *start, size_t length, int prot, int flags, int fd, int64_t offset);
int omote_v4l2_munmap(void *start, size_t length);

// libv4l2 v4l2_fd_open flags.
static const int OMOTE_LIBV4L2_DISABLE_CONVERSION = 0x01;
static const int OMOTE_LIBV4L2_ENABLE_ENUM_FMT_EMULATION = 0x02;

// ioctl requests (the _IOC encoding is re-derived in a test).
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

// Pixel formats (v4l2_fourcc).
static const uint32_t OMOTE_V4L2_PIX_FMT_MJPEG = V4L2_PIX_FMT_MJPEG;
static const uint32_t OMOTE_V4L2_PIX_FMT_JPEG = V4L2_PIX_FMT_JPEG;
static const uint32_t OMOTE_V4L2_PIX_FMT_YUYV = V4L2_PIX_FMT_YUYV;
static const uint32_t OMOTE_V4L2_PIX_FMT_UYVY = V4L2_PIX_FMT_UYVY;
static const uint32_t OMOTE_V4L2_PIX_FMT_NV12 = V4L2_PIX_FMT_NV12;
static const uint32_t OMOTE_V4L2_PIX_FMT_NV21 = V4L2_PIX_FMT_NV21;
static const uint32_t OMOTE_V4L2_PIX_FMT_YUV420 = V4L2_PIX_FMT_YUV420;
static const uint32_t OMOTE_V4L2_PIX_FMT_YVU420 = V4L2_PIX_FMT_YVU420;
static const uint32_t OMOTE_V4L2_PIX_FMT_GREY = V4L2_PIX_FMT_GREY;

// Enum values (Swift imports the C enums as structs; plain integers keep the Swift side uniform).
static const uint32_t OMOTE_V4L2_BUF_TYPE_VIDEO_CAPTURE = V4L2_BUF_TYPE_VIDEO_CAPTURE;
static const uint32_t OMOTE_V4L2_MEMORY_MMAP = V4L2_MEMORY_MMAP;
static const uint32_t OMOTE_V4L2_FIELD_ANY = V4L2_FIELD_ANY;
static const uint32_t OMOTE_V4L2_FIELD_NONE = V4L2_FIELD_NONE;
static const uint32_t OMOTE_V4L2_FRMSIZE_TYPE_DISCRETE = V4L2_FRMSIZE_TYPE_DISCRETE;
static const uint32_t OMOTE_V4L2_FRMSIZE_TYPE_CONTINUOUS = V4L2_FRMSIZE_TYPE_CONTINUOUS;
static const uint32_t OMOTE_V4L2_FRMSIZE_TYPE_STEPWISE = V4L2_FRMSIZE_TYPE_STEPWISE;
static const uint32_t OMOTE_V4L2_FRMIVAL_TYPE_DISCRETE = V4L2_FRMIVAL_TYPE_DISCRETE;
static const uint32_t OMOTE_V4L2_FRMIVAL_TYPE_CONTINUOUS = V4L2_FRMIVAL_TYPE_CONTINUOUS;
static const uint32_t OMOTE_V4L2_FRMIVAL_TYPE_STEPWISE = V4L2_FRMIVAL_TYPE_STEPWISE;

// Capability flags (struct v4l2_capability).
static const uint32_t OMOTE_V4L2_CAP_VIDEO_CAPTURE = V4L2_CAP_VIDEO_CAPTURE;
static const uint32_t OMOTE_V4L2_CAP_VIDEO_OUTPUT = V4L2_CAP_VIDEO_OUTPUT;
static const uint32_t OMOTE_V4L2_CAP_VIDEO_OVERLAY = V4L2_CAP_VIDEO_OVERLAY;
static const uint32_t OMOTE_V4L2_CAP_VIDEO_CAPTURE_MPLANE = V4L2_CAP_VIDEO_CAPTURE_MPLANE;
static const uint32_t OMOTE_V4L2_CAP_VIDEO_M2M = V4L2_CAP_VIDEO_M2M;
static const uint32_t OMOTE_V4L2_CAP_VIDEO_M2M_MPLANE = V4L2_CAP_VIDEO_M2M_MPLANE;
static const uint32_t OMOTE_V4L2_CAP_EXT_PIX_FORMAT = V4L2_CAP_EXT_PIX_FORMAT;
static const uint32_t OMOTE_V4L2_CAP_META_CAPTURE = V4L2_CAP_META_CAPTURE;
static const uint32_t OMOTE_V4L2_CAP_READWRITE = V4L2_CAP_READWRITE;
static const uint32_t OMOTE_V4L2_CAP_STREAMING = V4L2_CAP_STREAMING;
static const uint32_t OMOTE_V4L2_CAP_TOUCH = V4L2_CAP_TOUCH;
static const uint32_t OMOTE_V4L2_CAP_IO_MC = V4L2_CAP_IO_MC;
static const uint32_t OMOTE_V4L2_CAP_DEVICE_CAPS = V4L2_CAP_DEVICE_CAPS;
/// struct v4l2_captureparm.capability: the driver honours timeperframe (S_PARM).
static const uint32_t OMOTE_V4L2_CAP_TIMEPERFRAME = V4L2_CAP_TIMEPERFRAME;

// Format and buffer flags.
static const uint32_t OMOTE_V4L2_FMT_FLAG_COMPRESSED = V4L2_FMT_FLAG_COMPRESSED;
static const uint32_t OMOTE_V4L2_FMT_FLAG_EMULATED = V4L2_FMT_FLAG_EMULATED;
static const uint32_t OMOTE_V4L2_BUF_FLAG_MAPPED = V4L2_BUF_FLAG_MAPPED;
static const uint32_t OMOTE_V4L2_BUF_FLAG_QUEUED = V4L2_BUF_FLAG_QUEUED;
static const uint32_t OMOTE_V4L2_BUF_FLAG_DONE = V4L2_BUF_FLAG_DONE;
static const uint32_t OMOTE_V4L2_BUF_FLAG_ERROR = V4L2_BUF_FLAG_ERROR;
static const uint32_t OMOTE_V4L2_BUF_FLAG_TIMESTAMP_MASK = V4L2_BUF_FLAG_TIMESTAMP_MASK;
static const uint32_t OMOTE_V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC = V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC;

// C sizes of the ioctl argument structs, compared with Swift's MemoryLayout in a test.
static const size_t OMOTE_SIZEOF_V4L2_CAPABILITY = sizeof(struct v4l2_capability);
static const size_t OMOTE_SIZEOF_V4L2_FMTDESC = sizeof(struct v4l2_fmtdesc);
static const size_t OMOTE_SIZEOF_V4L2_FRMSIZEENUM = sizeof(struct v4l2_frmsizeenum);
static const size_t OMOTE_SIZEOF_V4L2_FRMIVALENUM = sizeof(struct v4l2_frmivalenum);
static const size_t OMOTE_SIZEOF_V4L2_FORMAT = sizeof(struct v4l2_format);
static const size_t OMOTE_SIZEOF_V4L2_STREAMPARM = sizeof(struct v4l2_streamparm);
static const size_t OMOTE_SIZEOF_V4L2_REQUESTBUFFERS = sizeof(struct v4l2_requestbuffers);
static const size_t OMOTE_SIZEOF_V4L2_BUFFER = sizeof(struct v4l2_buffer);
static const size_t OMOTE_OFFSETOF_V4L2_BUFFER_TIMESTAMP = offsetof(struct v4l2_buffer, timestamp);
static const size_t OMOTE_OFFSETOF_V4L2_BUFFER_M = offsetof(struct v4l2_buffer, m);
static const size_t OMOTE_OFFSETOF_V4L2_FORMAT_FMT = offsetof(struct v4l2_format, fmt);

#endif
