import CV4L2Shim
import OmoteCapture
import Testing

/// Swift's view of the V4L2 ABI against the C compiler's and the kernel's ioctl encoding.
@Suite struct V4L2ShimABITests {
    @Test("Imported struct sizes match the C sizeof of <linux/videodev2.h> and the x86-64/arm64 kernel ABI")
    func structSizes() {
        #expect(MemoryLayout<v4l2_capability>.size == OMOTE_SIZEOF_V4L2_CAPABILITY)
        #expect(MemoryLayout<v4l2_fmtdesc>.size == OMOTE_SIZEOF_V4L2_FMTDESC)
        #expect(MemoryLayout<v4l2_frmsizeenum>.size == OMOTE_SIZEOF_V4L2_FRMSIZEENUM)
        #expect(MemoryLayout<v4l2_frmivalenum>.size == OMOTE_SIZEOF_V4L2_FRMIVALENUM)
        #expect(MemoryLayout<v4l2_format>.size == OMOTE_SIZEOF_V4L2_FORMAT)
        #expect(MemoryLayout<v4l2_streamparm>.size == OMOTE_SIZEOF_V4L2_STREAMPARM)
        #expect(MemoryLayout<v4l2_requestbuffers>.size == OMOTE_SIZEOF_V4L2_REQUESTBUFFERS)
        #expect(MemoryLayout<v4l2_buffer>.size == OMOTE_SIZEOF_V4L2_BUFFER)
        #expect(MemoryLayout<v4l2_buffer>.offset(of: \.timestamp) == OMOTE_OFFSETOF_V4L2_BUFFER_TIMESTAMP)
        #expect(MemoryLayout<v4l2_buffer>.offset(of: \.m) == OMOTE_OFFSETOF_V4L2_BUFFER_M)
        #expect(MemoryLayout<v4l2_format>.offset(of: \.fmt) == OMOTE_OFFSETOF_V4L2_FORMAT_FMT)
        // The 64-bit Linux ABI (documented sizes; a mismatch means the wrong header or a 32-bit time_t build).
        #expect(MemoryLayout<v4l2_capability>.size == 104)
        #expect(MemoryLayout<v4l2_fmtdesc>.size == 64)
        #expect(MemoryLayout<v4l2_frmsizeenum>.size == 44)
        #expect(MemoryLayout<v4l2_frmivalenum>.size == 52)
        #expect(MemoryLayout<v4l2_format>.size == 208)
        #expect(MemoryLayout<v4l2_streamparm>.size == 204)
        #expect(MemoryLayout<v4l2_requestbuffers>.size == 20)
        #expect(MemoryLayout<v4l2_buffer>.size == 88)
    }

    /// _IOC(dir, type, nr, size) from <asm-generic/ioctl.h>: dir in bits 30-31, size in 16-29, type 8-15, nr 0-7.
    static func ioc(_ direction: UInt, _ number: UInt, _ size: Int) -> UInt {
        direction << 30 | UInt(size) << 16 | UInt(UInt8(ascii: "V")) << 8 | number
    }
    static let read: UInt = 2, write: UInt = 1

    @Test("Every ioctl code equals the _IOC formula recomputed in Swift from the struct sizes")
    func ioctlNumbers() {
        let expected: [(V4L2Request, UInt)] = [
            (.queryCapability, Self.ioc(Self.read, 0, MemoryLayout<v4l2_capability>.size)),
            (.enumerateFormat, Self.ioc(Self.read | Self.write, 2, MemoryLayout<v4l2_fmtdesc>.size)),
            (.getFormat, Self.ioc(Self.read | Self.write, 4, MemoryLayout<v4l2_format>.size)),
            (.setFormat, Self.ioc(Self.read | Self.write, 5, MemoryLayout<v4l2_format>.size)),
            (.requestBuffers, Self.ioc(Self.read | Self.write, 8, MemoryLayout<v4l2_requestbuffers>.size)),
            (.queryBuffer, Self.ioc(Self.read | Self.write, 9, MemoryLayout<v4l2_buffer>.size)),
            (.queueBuffer, Self.ioc(Self.read | Self.write, 15, MemoryLayout<v4l2_buffer>.size)),
            (.dequeueBuffer, Self.ioc(Self.read | Self.write, 17, MemoryLayout<v4l2_buffer>.size)),
            (.streamOn, Self.ioc(Self.write, 18, MemoryLayout<Int32>.size)),
            (.streamOff, Self.ioc(Self.write, 19, MemoryLayout<Int32>.size)),
            (.getParameters, Self.ioc(Self.read | Self.write, 21, MemoryLayout<v4l2_streamparm>.size)),
            (.setParameters, Self.ioc(Self.read | Self.write, 22, MemoryLayout<v4l2_streamparm>.size)),
            (.enumerateFrameSizes, Self.ioc(Self.read | Self.write, 74, MemoryLayout<v4l2_frmsizeenum>.size)),
            (.enumerateFrameIntervals, Self.ioc(Self.read | Self.write, 75, MemoryLayout<v4l2_frmivalenum>.size)),
        ]
        #expect(expected.count == V4L2Request.allCases.count)
        for (request, code) in expected {
            #expect(request.code == code, "\(request)")
            #expect(Int((request.code >> 16) & 0x3FFF) == request.argumentSize, "\(request) size field")
        }
        // Well-known values on 64-bit Linux.
        #expect(V4L2Request.queryCapability.code == 0x8068_5600)
        #expect(V4L2Request.dequeueBuffer.code == 0xC058_5611)
        #expect(V4L2Request.streamOn.code == 0x4004_5612)
    }

    @Test("FourCC constants match v4l2_fourcc and the named formats parse")
    func fourCCs() {
        for (format, code) in [
            (V4L2PixelFormat.mjpeg, "MJPG"), (.jpeg, "JPEG"), (.yuyv, "YUYV"), (.uyvy, "UYVY"), (.nv12, "NV12"),
            (.nv21, "NV21"), (.yuv420, "YU12"), (.yvu420, "YV12"), (.grey, "GREY"),
        ] {
            #expect(V4L2PixelFormat(fourCC: code) == format)
            #expect(format.fourCC == code)
        }
        #expect(V4L2PixelFormat.mjpeg.rawValue == 0x47504A4D)
        #expect(
            V4L2PixelFormat(name: "mjpeg") == .mjpeg && V4L2PixelFormat(name: "YUYV") == .yuyv
                && V4L2PixelFormat(name: "gray") == .grey)
        #expect(
            V4L2PixelFormat(name: "h264") == V4L2PixelFormat(fourCC: "H264")
                && V4L2PixelFormat(name: "h264")?.isSupported == false)
        #expect(V4L2PixelFormat(name: "toolong") == nil)
    }

    @Test("Flag constants have their kernel values")
    func flags() {
        #expect(OMOTE_V4L2_CAP_VIDEO_CAPTURE == 0x1 && OMOTE_V4L2_CAP_STREAMING == 0x0400_0000)
        #expect(OMOTE_V4L2_CAP_META_CAPTURE == 0x0080_0000 && OMOTE_V4L2_CAP_DEVICE_CAPS == 0x8000_0000)
        #expect(OMOTE_V4L2_BUF_FLAG_ERROR == 0x40 && OMOTE_V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC == 0x2000)
        #expect(
            OMOTE_V4L2_BUF_TYPE_VIDEO_CAPTURE == 1 && OMOTE_V4L2_MEMORY_MMAP == 1
                && OMOTE_V4L2_CAP_TIMEPERFRAME == 0x1000)
    }
}
