import CV4L2Shim
import OmoteCore
import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// An open V4L2 device node (a file descriptor the driver handed out).
public struct DeviceDescriptor: RawRepresentable, Hashable, Sendable {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }
}

/// What `poll` reported for a device.
public struct PollEvents: OptionSet, Hashable, Sendable {
    public let rawValue: Int16
    public init(rawValue: Int16) { self.rawValue = rawValue }
    public static let readable = PollEvents(rawValue: Int16(POLLIN))
    public static let error = PollEvents(rawValue: Int16(POLLERR))
    public static let hangUp = PollEvents(rawValue: Int16(POLLHUP))
    public static let invalid = PollEvents(rawValue: Int16(POLLNVAL))
    /// The device is gone or the queue failed: the stream cannot continue.
    public var isFailure: Bool { !intersection([.error, .hangUp, .invalid]).isEmpty }
}

/// The V4L2 ioctls Omote issues, each with the C struct it carries.
public enum V4L2Request: Sendable, CaseIterable, CustomStringConvertible {
    case queryCapability, enumerateFormat, enumerateFrameSizes, enumerateFrameIntervals
    case getFormat, setFormat, getParameters, setParameters
    case requestBuffers, queryBuffer, queueBuffer, dequeueBuffer, streamOn, streamOff

    /// The request code from <linux/videodev2.h>.
    public var code: UInt {
        switch self {
        case .queryCapability: UInt(OMOTE_VIDIOC_QUERYCAP)
        case .enumerateFormat: UInt(OMOTE_VIDIOC_ENUM_FMT)
        case .enumerateFrameSizes: UInt(OMOTE_VIDIOC_ENUM_FRAMESIZES)
        case .enumerateFrameIntervals: UInt(OMOTE_VIDIOC_ENUM_FRAMEINTERVALS)
        case .getFormat: UInt(OMOTE_VIDIOC_G_FMT)
        case .setFormat: UInt(OMOTE_VIDIOC_S_FMT)
        case .getParameters: UInt(OMOTE_VIDIOC_G_PARM)
        case .setParameters: UInt(OMOTE_VIDIOC_S_PARM)
        case .requestBuffers: UInt(OMOTE_VIDIOC_REQBUFS)
        case .queryBuffer: UInt(OMOTE_VIDIOC_QUERYBUF)
        case .queueBuffer: UInt(OMOTE_VIDIOC_QBUF)
        case .dequeueBuffer: UInt(OMOTE_VIDIOC_DQBUF)
        case .streamOn: UInt(OMOTE_VIDIOC_STREAMON)
        case .streamOff: UInt(OMOTE_VIDIOC_STREAMOFF)
        }
    }

    /// Size of the argument struct (the size field of the request code).
    public var argumentSize: Int {
        switch self {
        case .queryCapability: MemoryLayout<v4l2_capability>.size
        case .enumerateFormat: MemoryLayout<v4l2_fmtdesc>.size
        case .enumerateFrameSizes: MemoryLayout<v4l2_frmsizeenum>.size
        case .enumerateFrameIntervals: MemoryLayout<v4l2_frmivalenum>.size
        case .getFormat, .setFormat: MemoryLayout<v4l2_format>.size
        case .getParameters, .setParameters: MemoryLayout<v4l2_streamparm>.size
        case .requestBuffers: MemoryLayout<v4l2_requestbuffers>.size
        case .queryBuffer, .queueBuffer, .dequeueBuffer: MemoryLayout<v4l2_buffer>.size
        case .streamOn, .streamOff: MemoryLayout<Int32>.size
        }
    }

    public var description: String {
        switch self {
        case .queryCapability: "VIDIOC_QUERYCAP"
        case .enumerateFormat: "VIDIOC_ENUM_FMT"
        case .enumerateFrameSizes: "VIDIOC_ENUM_FRAMESIZES"
        case .enumerateFrameIntervals: "VIDIOC_ENUM_FRAMEINTERVALS"
        case .getFormat: "VIDIOC_G_FMT"
        case .setFormat: "VIDIOC_S_FMT"
        case .getParameters: "VIDIOC_G_PARM"
        case .setParameters: "VIDIOC_S_PARM"
        case .requestBuffers: "VIDIOC_REQBUFS"
        case .queryBuffer: "VIDIOC_QUERYBUF"
        case .queueBuffer: "VIDIOC_QBUF"
        case .dequeueBuffer: "VIDIOC_DQBUF"
        case .streamOn: "VIDIOC_STREAMON"
        case .streamOff: "VIDIOC_STREAMOFF"
        }
    }
}

/// The system calls a V4L2 camera needs, behind a protocol so the whole capture state machine can run against a
/// scripted fake (no camera on CI machines). `V4L2SystemDriver` is the real one (libv4l2 over the kernel).
/// Calls report failure as swift-system's `Errno` and never retry: EINTR and EAGAIN are the caller's to handle.
public protocol V4L2Driver: AnyObject {
    /// Makes the driver ready to open nodes; called before the first `open` of a camera or inspection. The real driver
    /// loads libv4l2 here (`V4L2SystemDriver+Library`); drivers that need nothing keep the default, which does nothing.
    func prepare() throws(OmoteError)
    /// Paths of the `/dev/video*` nodes, in numeric order.
    func deviceNodes() -> [String]
    /// Opens a node read-write and non-blocking. `emulateFormats` lets libv4l2 list formats it can convert to.
    func open(_ path: String, emulateFormats: Bool) throws(Errno) -> DeviceDescriptor
    func ioctl(_ descriptor: DeviceDescriptor, _ request: V4L2Request, _ argument: UnsafeMutableRawPointer)
        throws(Errno)
    /// Maps a driver buffer (read-write, shared) at the offset VIDIOC_QUERYBUF gave.
    func mmap(_ descriptor: DeviceDescriptor, length: Int, offset: Int) throws(Errno) -> UnsafeMutableRawPointer
    func munmap(_ address: UnsafeMutableRawPointer, length: Int)
    /// Waits up to `timeoutMilliseconds` for the device to become readable; empty events mean the time ran out.
    func poll(_ descriptor: DeviceDescriptor, timeoutMilliseconds: Int32) throws(Errno) -> PollEvents
    func close(_ descriptor: DeviceDescriptor)
}

extension V4L2Driver {
    public func prepare() throws(OmoteError) {}

    /// Issues `request` with `argument` as its struct.
    @inline(__always)
    public func ioctl<Argument>(_ descriptor: DeviceDescriptor, _ request: V4L2Request, _ argument: inout Argument)
        throws(Errno)
    {
        assert(MemoryLayout<Argument>.size == request.argumentSize, "\(request) takes \(request.argumentSize) bytes")
        try withUnsafeMutableBytes(of: &argument) { (bytes) throws(Errno) in
            try ioctl(descriptor, request, bytes.baseAddress!)
        }
    }
}

/// The real device layer: `open(2)` + libv4l2 (`v4l2_fd_open`, so cameras with odd native formats still work), kernel
/// `poll(2)`. libv4l2 is loaded by `prepare()` or `loadLibrary()`; until then its calls fail with ELIBACC. Mapped frame buffers are excluded from core dumps and, where the kernel allows, locked out of swap.
public final class V4L2SystemDriver: V4L2Driver {
    public init() {}

    public func deviceNodes() -> [String] {
        guard let directory = opendir("/dev") else { return [] }
        defer { closedir(directory) }
        var numbers: [Int] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) {
                String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name.hasPrefix("video"), let number = Int(name.dropFirst(5)) { numbers.append(number) }
        }
        return numbers.sorted().map { "/dev/video\($0)" }
    }

    public func open(_ path: String, emulateFormats: Bool) throws(Errno) -> DeviceDescriptor {
        let fd = Glibc.open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw Errno(rawValue: errno) }
        // libv4l2 prints to stderr when a node is not V4L2; ask the kernel first and fail quietly instead.
        var capability = v4l2_capability()
        if omote_kernel_ioctl(fd, UInt(OMOTE_VIDIOC_QUERYCAP), &capability) < 0 {
            let failure = errno
            _ = Glibc.close(fd)
            throw Errno(rawValue: failure)
        }
        // libv4l2 returns the same fd (or -1 if its own set-up fails, e.g. out of memory).
        let wrapped = omote_v4l2_fd_open(fd, emulateFormats ? OMOTE_LIBV4L2_ENABLE_ENUM_FMT_EMULATION : 0)
        guard wrapped >= 0 else {
            let failure = errno
            _ = Glibc.close(fd)
            throw Errno(rawValue: failure)
        }
        return DeviceDescriptor(rawValue: wrapped)
    }

    public func ioctl(_ descriptor: DeviceDescriptor, _ request: V4L2Request, _ argument: UnsafeMutableRawPointer)
        throws(Errno)
    {
        if omote_v4l2_ioctl(descriptor.rawValue, request.code, argument) < 0 { throw Errno(rawValue: errno) }
    }

    public func mmap(_ descriptor: DeviceDescriptor, length: Int, offset: Int) throws(Errno)
        -> UnsafeMutableRawPointer
    {
        let address = omote_v4l2_mmap(
            nil, length, PROT_READ | PROT_WRITE, MAP_SHARED, descriptor.rawValue, Int64(offset))
        guard let address, address != MAP_FAILED else { throw Errno(rawValue: errno) }
        // Frames must not reach a core dump or swap. Device mappings (VM_IO) are already undumpable and cannot be
        // locked, so both calls are best effort; libv4l2's conversion buffers are ordinary memory and do honour them.
        _ = madvise(address, length, MADV_DONTDUMP)
        _ = mlock(address, length)
        return address
    }

    public func munmap(_ address: UnsafeMutableRawPointer, length: Int) {
        _ = munlock(address, length)
        _ = omote_v4l2_munmap(address, length)
    }

    public func poll(_ descriptor: DeviceDescriptor, timeoutMilliseconds: Int32) throws(Errno) -> PollEvents {
        var entry = pollfd(fd: descriptor.rawValue, events: Int16(POLLIN), revents: 0)
        let ready = Glibc.poll(&entry, 1, timeoutMilliseconds)
        if ready < 0 { throw Errno(rawValue: errno) }
        return ready == 0 ? [] : PollEvents(rawValue: entry.revents)
    }

    public func close(_ descriptor: DeviceDescriptor) {
        _ = omote_v4l2_close(descriptor.rawValue)
    }
}

/// Retries a call that failed with EINTR (a signal arrived, e.g. the terminal was resized).
@inline(__always)
func retryingInterrupts(_ body: () throws(Errno) -> Void) throws(Errno) {
    while true {
        do { return try body() } catch {
            if error != .interrupted { throw error }
        }
    }
}
