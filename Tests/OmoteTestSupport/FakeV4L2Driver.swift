import CV4L2Shim
import Foundation
import OmoteCapture
import OmoteCore
import SystemPackage

/// A scripted stand-in for the kernel's V4L2 layer (in the spirit of swift-system's mocking driver): it keeps the
/// state a real driver keeps (format, buffer queue, streaming flag), answers the same ioctls through the same C
/// structs, adjusts requests the way drivers do, and misbehaves on cue: EINTR, EAGAIN, EBUSY, ENOSPC, ENODEV, errored
/// buffers, frames produced faster than they are consumed.
package final class FakeV4L2Driver: V4L2Driver {
    package struct Format {
        package var pixelFormat: V4L2PixelFormat
        package var description: String
        /// Discrete sizes, each with the frame rates offered at it (fastest first, like uvcvideo).
        package var sizes: [(size: FrameSize, rates: [Double])]
        package var isEmulated = false

        package init(
            pixelFormat: V4L2PixelFormat, description: String, sizes: [(size: FrameSize, rates: [Double])],
            isEmulated: Bool = false
        ) {
            self.pixelFormat = pixelFormat
            self.description = description
            self.sizes = sizes
            self.isEmulated = isEmulated
        }
    }

    package struct Camera {
        package var card = "Fake HD Webcam"
        package var driverName = "uvcvideo"
        package var busInfo = "usb-0000:00:14.0-2"
        package var capabilities: V4L2Capabilities = [.videoCapture, .streaming, .extendedPixelFormat]
        package var formats: [Format] = FakeV4L2Driver.webcamFormats
        /// The most buffers REQBUFS grants.
        package var maximumBuffers = 8
        package var canSetFrameRate = true
        /// Extra bytes at the end of each row of raw formats (bytesperline > width × bytes per pixel).
        package var linePadding = 0
        package var openError: Errno?
        package var setFormatError: Errno?
        package var streamOnError: Errno?

        package init() {}
    }

    /// What happens during one poll call.
    package enum PollStep {
        /// The camera finishes `n` frames (each goes to the next queued buffer, or is lost if none is queued).
        case frames(Int)
        /// Nothing arrives within the timeout.
        case timeout
        /// A signal interrupts poll (EINTR).
        case interrupted
        /// poll says readable but no buffer is done (DQBUF will say EAGAIN).
        case spurious
        /// The camera is unplugged: poll reports POLLERR | POLLHUP, every ioctl then fails with ENODEV.
        case unplug
        /// `n` frames finish, then the camera is unplugged before they are dequeued (DQBUF fails with ENODEV).
        case framesThenUnplug(Int)
    }

    package static let webcamFormats: [Format] = [
        Format(
            pixelFormat: .yuyv, description: "YUYV 4:2:2",
            sizes: [
                (FrameSize(width: 640, height: 480), [30, 15]), (FrameSize(width: 640, height: 360), [30, 15]),
                (FrameSize(width: 1280, height: 720), [10, 5]),
            ]),
        Format(
            pixelFormat: .mjpeg, description: "Motion-JPEG",
            sizes: [
                (FrameSize(width: 640, height: 480), [30, 15]), (FrameSize(width: 640, height: 360), [60, 30, 15]),
                (FrameSize(width: 1280, height: 720), [30, 15]), (FrameSize(width: 1920, height: 1080), [30]),
            ]),
    ]

    private struct Buffer {
        var memory: UnsafeMutableRawPointer
        var length: Int
        var state = State.dequeued
        var bytesUsed = 0
        var sequence: UInt32 = 0
        var flags: UInt32 = 0
        var timestamp: UInt64 = 0
        var mapped = false
        enum State { case dequeued, queued, done }
    }

    private struct Open {
        var path: String
        var camera: Camera
    }

    // Script.
    package var nodes: [(path: String, camera: Camera)]
    package var pollScript: [PollStep] = []
    /// The next this many DQBUF calls fail with EINTR.
    package var dequeueInterruptions = 0
    /// Frames with these sequence numbers complete with V4L2_BUF_FLAG_ERROR.
    package var erroredSequences: Set<UInt32> = []
    /// Frames with these sequence numbers complete with no bytes (bytesused 0).
    package var emptySequences: Set<UInt32> = []
    /// The next call of each of these requests fails once with its errno (e.g. EIO from DQBUF or QBUF).
    package var failingOnce: [V4L2Request: Errno] = [:]
    /// The camera is unplugged once this many frames have been produced: bounds a test whose camera under test
    /// might otherwise wait forever (it then ends with a disconnect instead of hanging).
    package var unplugAfterFrames: UInt32?
    /// The bytes of frame `sequence` at the current format.
    package var payload: (UInt32, V4L2PixelFormat, FrameSize) -> [UInt8]

    // Observations.
    /// Every call made, in order (off for hours-long runs such as Tools/soak-live, where the list would grow).
    package private(set) var calls: [String] = []
    package var recordsCalls = true
    package private(set) var openDescriptors: Set<Int32> = []
    package private(set) var liveMappings = 0
    package private(set) var unmappedWithFrameData = 0
    package private(set) var streamOffCount = 0
    package private(set) var pollCount = 0

    // Kernel state of the (single) streaming node.
    private var opens: [Int32: Open] = [:]
    private var nextDescriptor: Int32 = 3
    private var owner: Int32?
    private var format = v4l2_pix_format()
    private var interval = V4L2Fraction(numerator: 1, denominator: 30)
    private var buffers: [Buffer] = []
    private var queued: [Int] = []
    private var done: [Int] = []
    private var streaming = false
    private var unplugged = false
    package private(set) var sequence: UInt32 = 0
    package private(set) var clock: UInt64 = 5_000_000_000_000

    package init(
        nodes: [(path: String, camera: Camera)] = [("/dev/video0", Camera())],
        payload: @escaping (UInt32, V4L2PixelFormat, FrameSize) -> [UInt8] = FakeV4L2Driver.sampleFramePayload
    ) {
        self.nodes = nodes
        self.payload = payload
    }

    deinit { releaseBuffers() }

    /// SampleFrames/single_face JPEGs in order, as MJPEG payloads.
    package static let sampleJPEGs: [[UInt8]] = {
        let clip = TestPaths.sampleFrames + "/single_face"
        return (0 ..< 8).map { Array(FileManager.default.contents(atPath: String(format: "%@/%04d.jpg", clip, $0))!) }
    }()

    package static func sampleFramePayload(_ sequence: UInt32, _ format: V4L2PixelFormat, _ size: FrameSize) -> [UInt8]
    {
        sampleJPEGs[Int(sequence) % sampleJPEGs.count]
    }

    package var everythingReleased: Bool { openDescriptors.isEmpty && liveMappings == 0 }

    // MARK: V4L2Driver

    /// Thrown by `prepare()`: a driver that cannot get ready, as the real one under the guard without libv4l2.
    package var prepareError: OmoteError?

    package func prepare() throws(OmoteError) {
        if let prepareError { throw prepareError }
    }

    package func deviceNodes() -> [String] { nodes.map(\.path) }

    package func open(_ path: String, emulateFormats: Bool) throws(Errno) -> DeviceDescriptor {
        if recordsCalls { calls.append("open \(path)") }
        guard let node = nodes.first(where: { $0.path == path }) else { throw .noSuchFileOrDirectory }
        if let error = node.camera.openError { throw error }
        let descriptor = nextDescriptor
        nextDescriptor += 1
        opens[descriptor] = Open(path: path, camera: node.camera)
        openDescriptors.insert(descriptor)
        return DeviceDescriptor(rawValue: descriptor)
    }

    package func close(_ descriptor: DeviceDescriptor) {
        if recordsCalls { calls.append("close") }
        opens[descriptor.rawValue] = nil
        openDescriptors.remove(descriptor.rawValue)
        if owner == descriptor.rawValue {
            // Closing the owner frees the queue, as the kernel does (mappings keep their memory alive there; the
            // fake requires them to be gone already).
            streaming = false
            owner = nil
            if liveMappings == 0 { releaseBuffers() }
        }
    }

    package func mmap(_ descriptor: DeviceDescriptor, length: Int, offset: Int) throws(Errno) -> UnsafeMutableRawPointer
    {
        guard owner == descriptor.rawValue,
            let index = buffers.indices.first(where: { $0 * Self.offsetStride == offset }),
            length <= buffers[index].length
        else { throw .invalidArgument }
        buffers[index].mapped = true
        liveMappings += 1
        return buffers[index].memory
    }

    package func munmap(_ address: UnsafeMutableRawPointer, length: Int) {
        if recordsCalls { calls.append("munmap") }
        guard let index = buffers.firstIndex(where: { $0.memory == address }) else { return }
        if UnsafeRawBufferPointer(start: address, count: length).contains(where: { $0 != 0 }) {
            unmappedWithFrameData += 1
        }
        buffers[index].mapped = false
        liveMappings -= 1
        if owner == nil && liveMappings == 0 { releaseBuffers() }
    }

    package func poll(_ descriptor: DeviceDescriptor, timeoutMilliseconds: Int32) throws(Errno) -> PollEvents {
        pollCount += 1
        if recordsCalls { calls.append("poll") }
        if unplugged { return [.error, .hangUp] }
        guard streaming, owner == descriptor.rawValue else { return [.error] }
        if let limit = unplugAfterFrames, sequence >= limit {
            unplugged = true
            return [.error, .hangUp]
        }
        let step = pollScript.isEmpty ? PollStep.frames(1) : pollScript.removeFirst()
        switch step {
        case let .frames(count):
            produce(count)
        case .timeout:
            return []
        case .interrupted:
            throw .interrupted
        case .spurious:
            return .readable
        case .unplug:
            unplugged = true
            return [.error, .hangUp]
        case let .framesThenUnplug(count):
            produce(count)
            unplugged = true
            return .readable
        }
        return done.isEmpty ? [] : .readable
    }

    /// The camera finishes frames: each fills the oldest queued buffer, or is lost when none is queued.
    private func produce(_ count: Int) {
        for _ in 0 ..< count {
            let number = sequence
            sequence &+= 1
            clock += UInt64(1_000_000_000 * Double(interval.numerator) / Double(interval.denominator))
            guard !queued.isEmpty else { continue }
            let index = queued.removeFirst()
            let bytes = payload(
                number, V4L2PixelFormat(rawValue: format.pixelformat),
                FrameSize(width: Int(format.width), height: Int(format.height)))
            let used = emptySequences.contains(number) ? 0 : min(bytes.count, buffers[index].length)
            bytes.withUnsafeBytes { buffers[index].memory.copyMemory(from: $0.baseAddress!, byteCount: used) }
            buffers[index].bytesUsed = used
            buffers[index].sequence = number
            buffers[index].timestamp = clock
            buffers[index].flags =
                OMOTE_V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC
                | (erroredSequences.contains(number) ? OMOTE_V4L2_BUF_FLAG_ERROR : 0)
            buffers[index].state = .done
            done.append(index)
        }
    }

    package func ioctl(_ descriptor: DeviceDescriptor, _ request: V4L2Request, _ argument: UnsafeMutableRawPointer)
        throws(Errno)
    {
        if recordsCalls { calls.append(request.description) }
        guard let open = opens[descriptor.rawValue] else { throw .badFileDescriptor }
        if unplugged { throw .operationNotSupportedByDevice }  // ENODEV
        if let error = failingOnce.removeValue(forKey: request) { throw error }
        let camera = open.camera
        switch request {
        case .queryCapability:
            var raw = v4l2_capability()
            write(camera.driverName, into: &raw.driver)
            write(camera.card, into: &raw.card)
            write(camera.busInfo, into: &raw.bus_info)
            raw.version = 0x06_01_00
            raw.capabilities = camera.capabilities.rawValue | OMOTE_V4L2_CAP_DEVICE_CAPS
            raw.device_caps = camera.capabilities.rawValue
            argument.storeBytes(of: raw, as: v4l2_capability.self)

        case .enumerateFormat:
            var raw = argument.load(as: v4l2_fmtdesc.self)
            guard raw.type == OMOTE_V4L2_BUF_TYPE_VIDEO_CAPTURE, Int(raw.index) < camera.formats.count else {
                throw .invalidArgument
            }
            let entry = camera.formats[Int(raw.index)]
            raw.pixelformat = entry.pixelFormat.rawValue
            raw.flags =
                (entry.pixelFormat.frameEncoding == .jpeg ? OMOTE_V4L2_FMT_FLAG_COMPRESSED : 0)
                | (entry.isEmulated ? OMOTE_V4L2_FMT_FLAG_EMULATED : 0)
            write(entry.description, into: &raw.description)
            argument.storeBytes(of: raw, as: v4l2_fmtdesc.self)

        case .enumerateFrameSizes:
            var raw = argument.load(as: v4l2_frmsizeenum.self)
            guard let entry = camera.formats.first(where: { $0.pixelFormat.rawValue == raw.pixel_format }),
                Int(raw.index) < entry.sizes.count
            else { throw .invalidArgument }
            raw.type = OMOTE_V4L2_FRMSIZE_TYPE_DISCRETE
            raw.discrete.width = UInt32(entry.sizes[Int(raw.index)].size.width)
            raw.discrete.height = UInt32(entry.sizes[Int(raw.index)].size.height)
            argument.storeBytes(of: raw, as: v4l2_frmsizeenum.self)

        case .enumerateFrameIntervals:
            var raw = argument.load(as: v4l2_frmivalenum.self)
            guard let entry = camera.formats.first(where: { $0.pixelFormat.rawValue == raw.pixel_format }),
                let size = entry.sizes.first(where: {
                    $0.size == FrameSize(width: Int(raw.width), height: Int(raw.height))
                }),
                Int(raw.index) < size.rates.count
            else { throw .invalidArgument }
            raw.type = OMOTE_V4L2_FRMIVAL_TYPE_DISCRETE
            let fraction = V4L2Fraction(framesPerSecond: size.rates[Int(raw.index)])
            raw.discrete.numerator = fraction.numerator
            raw.discrete.denominator = fraction.denominator
            argument.storeBytes(of: raw, as: v4l2_frmivalenum.self)

        case .getFormat:
            var raw = argument.load(as: v4l2_format.self)
            raw.fmt.pix = format
            argument.storeBytes(of: raw, as: v4l2_format.self)

        case .setFormat:
            if let error = camera.setFormatError { throw error }
            guard owner == nil || owner == descriptor.rawValue, !streaming, buffers.isEmpty else { throw .resourceBusy }
            var raw = argument.load(as: v4l2_format.self)
            guard raw.type == OMOTE_V4L2_BUF_TYPE_VIDEO_CAPTURE else { throw .invalidArgument }
            // Like most drivers: an unknown format becomes the first one, the size snaps to the nearest offered.
            let entry = camera.formats.first { $0.pixelFormat.rawValue == raw.fmt.pix.pixelformat } ?? camera.formats[0]
            let asked = (width: Int(raw.fmt.pix.width), height: Int(raw.fmt.pix.height))
            let size = entry.sizes.min {
                abs($0.size.width - asked.width) + abs($0.size.height - asked.height)
                    < abs($1.size.width - asked.width) + abs($1.size.height - asked.height)
            }!.size
            let pix = Self.pixFormat(entry.pixelFormat, size, linePadding: camera.linePadding)
            format = pix
            owner = descriptor.rawValue
            raw.fmt.pix = pix
            argument.storeBytes(of: raw, as: v4l2_format.self)

        case .getParameters, .setParameters:
            var raw = argument.load(as: v4l2_streamparm.self)
            guard raw.type == OMOTE_V4L2_BUF_TYPE_VIDEO_CAPTURE else { throw .invalidArgument }
            if request == .setParameters && camera.canSetFrameRate {
                let period = raw.parm.capture.timeperframe
                let asked =
                    V4L2Fraction(numerator: period.numerator, denominator: period.denominator).framesPerSecond ?? 30
                let rates =
                    camera.formats.first { $0.pixelFormat.rawValue == format.pixelformat }?
                    .sizes.first { $0.size == FrameSize(width: Int(format.width), height: Int(format.height)) }?.rates
                    ?? [30]
                interval = V4L2Fraction(framesPerSecond: rates.min { abs($0 - asked) < abs($1 - asked) }!)
            }
            raw.parm.capture = v4l2_captureparm()
            raw.parm.capture.capability = camera.canSetFrameRate ? OMOTE_V4L2_CAP_TIMEPERFRAME : 0
            raw.parm.capture.timeperframe.numerator = interval.numerator
            raw.parm.capture.timeperframe.denominator = interval.denominator
            argument.storeBytes(of: raw, as: v4l2_streamparm.self)

        case .requestBuffers:
            var raw = argument.load(as: v4l2_requestbuffers.self)
            guard raw.memory == OMOTE_V4L2_MEMORY_MMAP, raw.type == OMOTE_V4L2_BUF_TYPE_VIDEO_CAPTURE else {
                throw .invalidArgument
            }
            guard owner == nil || owner == descriptor.rawValue, !streaming, liveMappings == 0 else {
                throw .resourceBusy
            }
            releaseBuffers()
            owner = descriptor.rawValue
            let granted = min(Int(raw.count), camera.maximumBuffers)
            let length = (Int(format.sizeimage) + 4095) / 4096 * 4096
            buffers = (0 ..< granted).map { _ in
                let memory = UnsafeMutableRawPointer.allocate(byteCount: max(length, 4096), alignment: 4096)
                memory.initializeMemory(as: UInt8.self, repeating: 0, count: max(length, 4096))
                return Buffer(memory: memory, length: max(length, 4096))
            }
            raw.count = UInt32(granted)
            argument.storeBytes(of: raw, as: v4l2_requestbuffers.self)

        case .queryBuffer, .queueBuffer:
            var raw = argument.load(as: v4l2_buffer.self)
            guard owner == descriptor.rawValue, raw.type == OMOTE_V4L2_BUF_TYPE_VIDEO_CAPTURE,
                raw.memory == OMOTE_V4L2_MEMORY_MMAP, Int(raw.index) < buffers.count
            else { throw .invalidArgument }
            let index = Int(raw.index)
            if request == .queueBuffer {
                guard buffers[index].state == .dequeued else { throw .invalidArgument }
                buffers[index].state = .queued
                queued.append(index)
            }
            fill(&raw, index)
            argument.storeBytes(of: raw, as: v4l2_buffer.self)

        case .dequeueBuffer:
            if dequeueInterruptions > 0 {
                dequeueInterruptions -= 1
                throw .interrupted
            }
            guard owner == descriptor.rawValue, streaming else { throw .invalidArgument }
            guard !done.isEmpty else { throw .resourceTemporarilyUnavailable }
            let index = done.removeFirst()
            buffers[index].state = .dequeued
            var raw = argument.load(as: v4l2_buffer.self)
            fill(&raw, index)
            argument.storeBytes(of: raw, as: v4l2_buffer.self)

        case .streamOn:
            if let error = camera.streamOnError { throw error }
            guard owner == descriptor.rawValue, !buffers.isEmpty else { throw .invalidArgument }
            streaming = true

        case .streamOff:
            streamOffCount += 1
            guard owner == descriptor.rawValue else { throw .invalidArgument }
            streaming = false
            queued.removeAll()
            done.removeAll()
            for index in buffers.indices { buffers[index].state = .dequeued }
        }
    }

    /// Another program reconfigures the camera mid-stream: G_FMT reports the new format and the next frames arrive at
    /// it, in the buffers mapped for the old one (cut to their length, as a driver would fill them).
    package func changeFormat(to pixelFormat: V4L2PixelFormat? = nil, size: FrameSize, linePadding: Int = 0) {
        format = Self.pixFormat(
            pixelFormat ?? V4L2PixelFormat(rawValue: format.pixelformat), size, linePadding: linePadding)
    }

    /// `jpeg` with its frame header (SOF) claiming `size`: the decoder refuses it before decoding any data when that
    /// is more than the negotiated size.
    package static func claimingSize(_ jpeg: [UInt8], _ size: FrameSize) -> [UInt8] {
        guard let header = DamagedFrames.headerSegments(of: jpeg).first(where: { (0xC0 ... 0xC2).contains($0.marker) })
        else { return jpeg }
        var bytes = jpeg
        bytes[header.offset + 5] = UInt8(size.height >> 8)
        bytes[header.offset + 6] = UInt8(size.height & 0xFF)
        bytes[header.offset + 7] = UInt8(size.width >> 8)
        bytes[header.offset + 8] = UInt8(size.width & 0xFF)
        return bytes
    }

    /// SampleFrames as MJPEG payloads that follow the driver's size: at another size than the samples' 640×360 their
    /// headers claim that size (as a camera switched to it by another program would send).
    package static func sampleFramePayloadAtFormatSize(
        _ sequence: UInt32, _ format: V4L2PixelFormat, _ size: FrameSize
    ) -> [UInt8] {
        let jpeg = sampleFramePayload(sequence, format, size)
        return size == FrameSize(width: 640, height: 360) ? jpeg : claimingSize(jpeg, size)
    }

    // MARK: Helpers

    /// The format a driver reports for `pixelFormat` at `size` (bytes per line and image size as uvcvideo sets them).
    private static func pixFormat(_ pixelFormat: V4L2PixelFormat, _ size: FrameSize, linePadding: Int)
        -> v4l2_pix_format
    {
        var pix = v4l2_pix_format()
        pix.pixelformat = pixelFormat.rawValue
        pix.width = UInt32(size.width)
        pix.height = UInt32(size.height)
        pix.field = OMOTE_V4L2_FIELD_NONE
        switch pixelFormat.frameEncoding {
        case .jpeg?:
            pix.bytesperline = 0
            pix.sizeimage = UInt32(size.area * 2)
        case .raw(.packed422)?:
            pix.bytesperline = UInt32(size.width * 2 + linePadding)
            pix.sizeimage = pix.bytesperline * pix.height
        default:
            pix.bytesperline = UInt32(size.width + linePadding)
            pix.sizeimage = pix.bytesperline * pix.height * (pixelFormat == .grey ? 2 : 3) / 2
        }
        return pix
    }

    private static let offsetStride = 1 << 24

    private func fill(_ raw: inout v4l2_buffer, _ index: Int) {
        let buffer = buffers[index]
        raw.index = UInt32(index)
        raw.type = OMOTE_V4L2_BUF_TYPE_VIDEO_CAPTURE
        raw.memory = OMOTE_V4L2_MEMORY_MMAP
        raw.length = UInt32(buffer.length)
        raw.m.offset = UInt32(index * Self.offsetStride)
        raw.bytesused = UInt32(buffer.bytesUsed)
        raw.sequence = buffer.sequence
        raw.field = OMOTE_V4L2_FIELD_NONE
        raw.timestamp.tv_sec = Int(buffer.timestamp / 1_000_000_000)
        raw.timestamp.tv_usec = Int(buffer.timestamp % 1_000_000_000 / 1000)
        raw.flags =
            (buffer.mapped ? OMOTE_V4L2_BUF_FLAG_MAPPED : 0)
            | (buffer.state == .queued ? OMOTE_V4L2_BUF_FLAG_QUEUED : 0)
            | (buffer.state == .done ? OMOTE_V4L2_BUF_FLAG_DONE : 0)
            | (buffer.state == .dequeued ? buffer.flags : 0)
    }

    private func releaseBuffers() {
        for buffer in buffers { buffer.memory.deallocate() }
        buffers.removeAll()
        queued.removeAll()
        done.removeAll()
    }

    private func write<Tuple>(_ text: String, into field: inout Tuple) {
        withUnsafeMutableBytes(of: &field) { bytes in
            bytes.initializeMemory(as: UInt8.self, repeating: 0)
            for (index, byte) in text.utf8.prefix(bytes.count - 1).enumerated() { bytes[index] = byte }
        }
    }
}
