import CV4L2Shim
import Foundation
import OmoteCore

#if canImport(Glibc)
import Glibc
#endif

/// What to ask the camera for. Everything is optional: by default Omote picks the first camera, MJPEG, a size near
/// 640×360 and the fastest rate up to 60 fps, and reports what the driver actually granted.
public struct V4L2CameraOptions: Sendable, Equatable {
    /// A device node such as /dev/video0; nil picks the first node that is a streaming capture device.
    public var device: String?
    public var size: FrameSize?
    public var framesPerSecond: Double?
    /// nil: the best offered format in `V4L2PixelFormat.preferenceOrder`.
    public var format: V4L2PixelFormat?
    /// Buffers to ask for (the driver may grant fewer; at least two are needed to keep one filling while one decodes).
    public var bufferCount = 4
    /// How long `next(into:)` waits for a frame before reporting a stalled camera.
    public var pollTimeoutMilliseconds: Int32 = 2000
    /// Decode at 1/1, 1/2, 1/4 or 1/8 size (DCT scaling for MJPEG, box averaging for raw formats).
    public var scaleDenominator = 1

    /// The size Omote aims for when none is asked: enough for landmarks, cheap to decode.
    public static let defaultTargetSize = FrameSize(width: 640, height: 360)
    /// The highest rate chosen by default (more frames only cost decode time).
    public static let defaultMaximumFramesPerSecond = 60.0

    public init(
        device: String? = nil, size: FrameSize? = nil, framesPerSecond: Double? = nil, format: V4L2PixelFormat? = nil
    ) {
        self.device = device
        self.size = size
        self.framesPerSecond = framesPerSecond
        self.format = format
    }
}

/// What the driver granted after negotiation.
public struct V4L2StreamFormat: Sendable, Equatable, CustomStringConvertible {
    public var device: String
    public var card: String
    public var pixelFormat: V4L2PixelFormat
    public var size: FrameSize
    public var bytesPerLine: Int
    public var imageSize: Int
    /// nil when the driver does not report its frame interval.
    public var framesPerSecond: Double?
    public var bufferCount: Int
    /// libv4l2 converts to this format from the camera's own.
    public var isEmulated: Bool
    /// Where the granted settings differ from what was asked, in words.
    public var adjustments: [String]

    public var description: String {
        let rate =
            framesPerSecond.map { $0 == $0.rounded() ? "\(Int($0)) fps" : String(format: "%.2f fps", $0) }
            ?? "driver-chosen rate"
        var text =
            "\(device) (\(card)): \(pixelFormat.fourCC)\(isEmulated ? " via libv4l2" : "") \(size) @ \(rate), \(bufferCount) buffers"
        if !adjustments.isEmpty { text += "; " + adjustments.joined(separator: "; ") }
        return text
    }
}

/// A V4L2 webcam as a `FrameSource`: memory-mapped streaming through libv4l2, always handing out the newest frame.
///
/// `init` opens the node, negotiates format/size/rate and maps the buffers; streaming starts on `start()` or the first
/// `next(into:)`. Each `next` drains every finished buffer without blocking, keeps the newest, re-queues the rest
/// (counted as dropped) and decodes the newest straight from its mapping into the caller's `VideoFrame`, so frames never
/// queue up behind a slow consumer. `stop()` (also run by `deinit`, and by a disconnect) turns streaming off, wipes and
/// unmaps the buffers and closes the node; call it from your Ctrl-C handling.
public final class V4L2Camera: FrameSource {
    public let name: String
    public let format: V4L2StreamFormat
    public let options: V4L2CameraOptions
    public private(set) var stats = FrameSourceStats()
    public var isStreaming: Bool { streaming }
    /// Checked whenever a wait is interrupted by a signal (poll or DQBUF fails with EINTR): returning true makes
    /// `next(into:)` return nil at once instead of waiting on. Point it at the flag your SIGINT handler sets, then call
    /// `stop()`. Install the handler with sigaction (a DispatchSource ignores the signal, so nothing is interrupted);
    /// Linux never restarts poll after a handler, so Ctrl-C ends the wait at once even with a stalled camera.
    public var stopRequested: (() -> Bool)?
    public var isOpen: Bool { descriptor != nil }

    private let driver: any V4L2Driver
    private var descriptor: DeviceDescriptor?
    private var buffers: [(address: UnsafeMutableRawPointer, length: Int)]
    private var streaming = false
    private let layout: LumaLayout
    private let decoder: JPEGDecoder
    private var lastSequence: UInt32?
    /// The disconnect already reported, so later calls return nil instead of failing again.
    private var ended = false

    /// Opens and negotiates the camera described by `options` (see `V4L2CameraOptions`).
    public convenience init(options: V4L2CameraOptions = V4L2CameraOptions()) throws(V4L2CameraError) {
        try self.init(options: options, driver: V4L2SystemDriver())
    }

    /// Same as `init(options:)`, reading the camera through `driver` (a fake in tests).
    public init(options: V4L2CameraOptions, driver: any V4L2Driver) throws(V4L2CameraError) {
        precondition([1, 2, 4, 8].contains(options.scaleDenominator), "scaleDenominator must be 1, 2, 4 or 8")
        let path: String
        if let device = options.device {
            path = device
        } else {
            path = try Self.firstCamera(driver: driver)
        }
        self.driver = driver
        self.options = options
        self.name = path
        do { decoder = try JPEGDecoder() } catch {
            throw V4L2CameraError(device: path, kind: .driverFailure, detail: error.description)
        }
        let opened: DeviceDescriptor
        do { opened = try driver.open(path, emulateFormats: true) } catch {
            throw V4L2CameraError.from(error, device: path, during: "open")
        }
        var mapped: [(address: UnsafeMutableRawPointer, length: Int)] = []
        do {
            var negotiated = try Self.negotiate(path: path, options: options, driver: driver, descriptor: opened)
            mapped = try Self.mapBuffers(
                path: path, count: options.bufferCount, driver: driver, descriptor: opened,
                granted: &negotiated.format.bufferCount)
            self.format = negotiated.format
            self.layout = negotiated.layout
        } catch {
            for buffer in mapped { driver.munmap(buffer.address, length: buffer.length) }
            driver.close(opened)
            throw error
        }
        self.buffers = mapped
        self.descriptor = opened
    }

    /// Opens the camera described by `options`.
    public static func open(options: V4L2CameraOptions = V4L2CameraOptions()) throws(V4L2CameraError) -> V4L2Camera {
        try V4L2Camera(options: options)
    }

    deinit { stop() }

    // MARK: Finding and negotiating

    /// The first node that is a streaming capture device (not a metadata node).
    static func firstCamera(driver: any V4L2Driver) throws(V4L2CameraError) -> String {
        let nodes = driver.deviceNodes()
        guard !nodes.isEmpty else {
            throw V4L2CameraError(device: "/dev/video*", kind: .noCamera, detail: "no /dev/video* device nodes")
        }
        var reasons: [String] = []
        var unopenable: [String] = []
        for node in nodes {
            let info = V4L2DeviceInfo.inspect(node, driver: driver)
            if info.problem == nil && info.isCamera { return node }
            if info.problem != nil && info.capabilities.isEmpty { unopenable.append(node) }
            reasons.append("\(node): \(info.problem ?? info.role)")
        }
        // A node we may not open (permission, busy) is most likely the user's camera: say why, not "no camera".
        for node in unopenable {
            do { driver.close(try driver.open(node, emulateFormats: false)) } catch {
                if error == .permissionDenied || error == .notPermitted || error == .busy {
                    throw V4L2CameraError.from(error, device: node, during: "open")
                }
            }
        }
        throw V4L2CameraError(device: "/dev/video*", kind: .noCamera, detail: reasons.joined(separator: "; "))
    }

    private struct Negotiated {
        var format: V4L2StreamFormat
        var layout: LumaLayout
    }

    private static func negotiate(
        path: String, options: V4L2CameraOptions, driver: any V4L2Driver,
        descriptor: DeviceDescriptor
    ) throws(V4L2CameraError) -> Negotiated {
        let queries = V4L2Queries(driver: driver, descriptor: descriptor)
        func failure(_ errno: DriverErrno, _ call: String) -> V4L2CameraError {
            .from(errno, device: path, during: call)
        }

        let capability: V4L2CapabilityReport
        do { capability = try queries.capability() } catch { throw failure(error, "VIDIOC_QUERYCAP") }
        if capability.capabilities.contains(.metadataCapture) && !capability.capabilities.contains(.videoCapture) {
            throw V4L2CameraError(
                device: path, kind: .notACamera,
                detail:
                    "it is a metadata-only node of '\(capability.card)' (its picture node is usually the one numbered just below)"
            )
        }
        guard capability.capabilities.contains(.videoCapture) else {
            throw V4L2CameraError(
                device: path, kind: .notACamera,
                detail: "'\(capability.card)' has no video capture (capabilities: \(capability.capabilities))")
        }
        guard capability.capabilities.contains(.streaming) else {
            throw V4L2CameraError(
                device: path, kind: .notACamera,
                detail: "'\(capability.card)' has no streaming I/O (only \(capability.capabilities))")
        }

        let offered: [(format: V4L2PixelFormat, description: String, flags: UInt32)]
        do { offered = try queries.formats() } catch { throw failure(error, "VIDIOC_ENUM_FMT") }
        let offeredList =
            offered.isEmpty ? "none" : offered.map { "\($0.format.fourCC) (\($0.description))" }.joined(separator: ", ")
        let chosen: (format: V4L2PixelFormat, description: String, flags: UInt32)
        if let wanted = options.format {
            guard wanted.isSupported else {
                throw V4L2CameraError(
                    device: path, kind: .noSupportedFormat,
                    detail: "--format \(wanted.fourCC) is not one Omote can read")
            }
            guard let match = offered.first(where: { $0.format == wanted }) else {
                throw V4L2CameraError(
                    device: path, kind: .noSupportedFormat,
                    detail:
                        "\(wanted.fourCC) is not offered (offered: \(offeredList)); drop --format or pick an offered one"
                )
            }
            chosen = match
        } else {
            // Native formats first: a libv4l2-emulated one costs a conversion per frame.
            let native = offered.filter { $0.flags & OMOTE_V4L2_FMT_FLAG_EMULATED == 0 }
            let emulated = offered.filter { $0.flags & OMOTE_V4L2_FMT_FLAG_EMULATED != 0 }
            guard
                let match = V4L2PixelFormat.preferenceOrder.lazy.compactMap({ wanted in
                    native.first { $0.format == wanted }
                }).first
                    ?? V4L2PixelFormat.preferenceOrder.lazy.compactMap({ wanted in
                        emulated.first { $0.format == wanted }
                    }).first
            else {
                throw V4L2CameraError(device: path, kind: .noSupportedFormat, detail: "offered: \(offeredList)")
            }
            chosen = match
        }
        var adjustments: [String] = []

        // Size: as asked, else the smallest offered size covering 640×360 (the largest if none does).
        let requestedSize: FrameSize
        if let size = options.size {
            requestedSize = size
        } else {
            let sizes = (try? queries.frameSizes(chosen.format)) ?? []
            let target = V4L2CameraOptions.defaultTargetSize
            let candidates = sizes.map { $0.closest(to: target) }
            let covering = candidates.filter { $0.width >= target.width && $0.height >= target.height }
            requestedSize = covering.min { $0.area < $1.area } ?? candidates.max { $0.area < $1.area } ?? target
        }

        var pixel = v4l2_format()
        pixel.type = OMOTE_V4L2_BUF_TYPE_VIDEO_CAPTURE
        pixel.fmt.pix.width = UInt32(requestedSize.width)
        pixel.fmt.pix.height = UInt32(requestedSize.height)
        pixel.fmt.pix.pixelformat = chosen.format.rawValue
        pixel.fmt.pix.field = OMOTE_V4L2_FIELD_ANY
        do {
            try retryingInterrupts { () throws(DriverErrno) in try driver.ioctl(descriptor, .setFormat, &pixel) }
        } catch {
            throw failure(error, "VIDIOC_S_FMT \(chosen.format.fourCC) \(requestedSize)")
        }
        let grantedFormat = V4L2PixelFormat(rawValue: pixel.fmt.pix.pixelformat)
        guard let layout = grantedFormat.lumaLayout else {
            throw V4L2CameraError(
                device: path, kind: .noSupportedFormat,
                detail:
                    "asked for \(chosen.format.fourCC), the driver granted \(grantedFormat.fourCC) (offered: \(offeredList))"
            )
        }
        if grantedFormat != chosen.format {
            adjustments.append("asked for \(chosen.format.fourCC), granted \(grantedFormat.fourCC)")
        }
        let grantedSize = FrameSize(width: Int(pixel.fmt.pix.width), height: Int(pixel.fmt.pix.height))
        guard grantedSize.width > 0, grantedSize.height > 0 else {
            throw V4L2CameraError(
                device: path, kind: .driverFailure, detail: "VIDIOC_S_FMT granted an empty frame size \(grantedSize)")
        }
        if let asked = options.size, asked != grantedSize {
            adjustments.append("asked for \(asked), granted \(grantedSize)")
        }
        let minimumLine = layout == .jpeg ? 0 : grantedSize.width * (layout == .planar ? 1 : 2)
        let bytesPerLine = max(Int(pixel.fmt.pix.bytesperline), minimumLine)

        // Rate: as asked, else the fastest offered up to 60 fps.
        let intervals = (try? queries.frameIntervals(grantedFormat, size: grantedSize)) ?? .unknown
        let rates = intervals.framesPerSecond
        let wantedRate =
            options.framesPerSecond
            ?? rates.first { $0 <= V4L2CameraOptions.defaultMaximumFramesPerSecond } ?? rates.last
        var parameters = v4l2_streamparm()
        parameters.type = OMOTE_V4L2_BUF_TYPE_VIDEO_CAPTURE
        var grantedRate: Double?
        do {
            try retryingInterrupts { () throws(DriverErrno) in try driver.ioctl(descriptor, .getParameters, &parameters)
            }
            let canSetRate = parameters.parm.capture.capability & OMOTE_V4L2_CAP_TIMEPERFRAME != 0
            if let wantedRate, canSetRate {
                let interval = V4L2Fraction(framesPerSecond: wantedRate)
                parameters.parm.capture.timeperframe.numerator = interval.numerator
                parameters.parm.capture.timeperframe.denominator = interval.denominator
                try retryingInterrupts { () throws(DriverErrno) in
                    try driver.ioctl(descriptor, .setParameters, &parameters)
                }
            } else if options.framesPerSecond != nil {
                adjustments.append("the driver does not let applications set the frame rate")
            }
            let period = parameters.parm.capture.timeperframe
            grantedRate = V4L2Fraction(numerator: period.numerator, denominator: period.denominator).framesPerSecond
        } catch {
            if error == .busy || error == .noDevice { throw failure(error, "VIDIOC_S_PARM") }
            // Frame-rate control is optional in V4L2; carry on at the driver's rate.
            adjustments.append("frame rate left to the driver (VIDIOC_G/S_PARM: \(error))")
        }
        if let asked = options.framesPerSecond, let granted = grantedRate, abs(asked - granted) > 0.01 {
            adjustments.append(String(format: "asked for %g fps, granted %g fps", asked, granted))
        }

        let format = V4L2StreamFormat(
            device: path, card: capability.card, pixelFormat: grantedFormat, size: grantedSize,
            bytesPerLine: bytesPerLine, imageSize: Int(pixel.fmt.pix.sizeimage),
            framesPerSecond: grantedRate, bufferCount: 0,
            isEmulated: chosen.flags & OMOTE_V4L2_FMT_FLAG_EMULATED != 0, adjustments: adjustments)
        return Negotiated(format: format, layout: layout)
    }

    /// REQBUFS + QUERYBUF + mmap for every granted buffer.
    private static func mapBuffers(
        path: String, count: Int, driver: any V4L2Driver, descriptor: DeviceDescriptor,
        granted: inout Int
    ) throws(V4L2CameraError) -> [(address: UnsafeMutableRawPointer, length: Int)] {
        var request = v4l2_requestbuffers()
        request.count = UInt32(max(2, count))
        request.type = OMOTE_V4L2_BUF_TYPE_VIDEO_CAPTURE
        request.memory = OMOTE_V4L2_MEMORY_MMAP
        do {
            try retryingInterrupts { () throws(DriverErrno) in try driver.ioctl(descriptor, .requestBuffers, &request) }
        } catch {
            throw .from(error, device: path, during: "VIDIOC_REQBUFS")
        }
        guard request.count >= 2 else {
            throw V4L2CameraError(
                device: path, kind: .driverFailure,
                detail:
                    "VIDIOC_REQBUFS granted \(request.count) buffer(s); streaming needs at least 2 (is the device low on memory?)"
            )
        }
        granted = Int(request.count)
        var mapped: [(address: UnsafeMutableRawPointer, length: Int)] = []
        mapped.reserveCapacity(granted)
        do throws(V4L2CameraError) {
            for index in 0 ..< request.count {
                var buffer = v4l2_buffer()
                buffer.index = index
                buffer.type = OMOTE_V4L2_BUF_TYPE_VIDEO_CAPTURE
                buffer.memory = OMOTE_V4L2_MEMORY_MMAP
                do {
                    try retryingInterrupts { () throws(DriverErrno) in
                        try driver.ioctl(descriptor, .queryBuffer, &buffer)
                    }
                } catch {
                    throw V4L2CameraError.from(error, device: path, during: "VIDIOC_QUERYBUF \(index)")
                }
                let length = Int(buffer.length)
                do {
                    mapped.append((try driver.mmap(descriptor, length: length, offset: Int(buffer.m.offset)), length))
                } catch {
                    throw V4L2CameraError.from(error, device: path, during: "mmap of buffer \(index) (\(length) bytes)")
                }
            }
        } catch {
            for buffer in mapped { driver.munmap(buffer.address, length: buffer.length) }
            throw error
        }
        return mapped
    }

    // MARK: Streaming

    /// Queues every buffer and turns streaming on (idempotent). `next(into:)` calls it on first use.
    public func start() throws(V4L2CameraError) {
        guard !streaming, let descriptor else { return }
        for index in buffers.indices {
            var buffer = v4l2_buffer()
            buffer.index = UInt32(index)
            buffer.type = OMOTE_V4L2_BUF_TYPE_VIDEO_CAPTURE
            buffer.memory = OMOTE_V4L2_MEMORY_MMAP
            do {
                try retryingInterrupts { () throws(DriverErrno) in try driver.ioctl(descriptor, .queueBuffer, &buffer) }
            } catch {
                let failure = V4L2CameraError.from(error, device: name, during: "VIDIOC_QBUF \(index)")
                stop()
                throw failure
            }
        }
        var type = Int32(bitPattern: OMOTE_V4L2_BUF_TYPE_VIDEO_CAPTURE)
        do { try retryingInterrupts { () throws(DriverErrno) in try driver.ioctl(descriptor, .streamOn, &type) } } catch
        {
            let failure: V4L2CameraError =
                error == .noSpace
                ? V4L2CameraError(
                    device: name, kind: .insufficientBandwidth,
                    detail: "VIDIOC_STREAMON: \(error); \(format.pixelFormat.fourCC) \(format.size)")
                : .from(error, device: name, during: "VIDIOC_STREAMON")
            stop()
            throw failure
        }
        streaming = true
    }

    /// Waits for the newest frame and decodes it into `frame`. Returns nil once the camera is stopped, or when a signal
    /// interrupts the wait and `stopRequested` says so.
    /// Throws `.stalled` when no frame arrives within the poll timeout (the camera stays open: call again to keep
    /// waiting, or `stop()`), and `.disconnected` when the device goes away (the camera has then stopped itself).
    public func next(into frame: inout VideoFrame) throws(V4L2CameraError) -> FrameDelivery? {
        guard descriptor != nil, !ended else { return nil }
        try start()
        var skipped = 0
        while true {
            guard var buffer = try newestBuffer(skipped: &skipped) else { return nil }
            let started = MonotonicClock.nanoseconds()
            let mapping = buffers[Int(buffer.index)]
            let payload = UnsafeRawBufferPointer(
                start: mapping.address, count: min(Int(buffer.bytesused), mapping.length))
            var decoded = true
            do {
                switch (layout, frame.layout) {
                case (.jpeg, _):
                    try decoder.decode(
                        payload, into: &frame, scaleDenominator: options.scaleDenominator,
                        source: "\(self.name) frame \(buffer.sequence)")
                case (_, .rgb):
                    guard let colour = format.pixelFormat.colourLayout, options.scaleDenominator == 1 else {
                        throw DecodeError(
                            source: name,
                            reason: "\(format.pixelFormat.fourCC) frames cannot be converted to colour"
                                + (options.scaleDenominator == 1 ? "" : " at 1/\(options.scaleDenominator) scale"))
                    }
                    try RawColour.convert(
                        payload, layout: colour, width: format.size.width, height: format.size.height,
                        bytesPerLine: format.bytesPerLine, into: &frame, source: "\(self.name) frame \(buffer.sequence)"
                    )
                case (_, .luma):
                    try RawLuma.extract(
                        payload, layout: layout, width: format.size.width, height: format.size.height,
                        bytesPerLine: format.bytesPerLine, scaleDenominator: options.scaleDenominator,
                        into: &frame, source: "\(self.name) frame \(buffer.sequence)")
                }
            } catch {
                decoded = false
            }
            let decodeTime = MonotonicClock.nanoseconds() - started
            // QBUF rewrites the struct: keep what the frame needs first.
            let (sequence, flags, timestamp) = (buffer.sequence, buffer.flags, buffer.timestamp)
            try requeue(&buffer)
            guard decoded else {
                // A corrupt or truncated frame: skip it and keep streaming.
                stats.corrupt += 1
                skipped += 1
                lastSequence = sequence
                continue
            }
            if flags & OMOTE_V4L2_BUF_FLAG_TIMESTAMP_MASK == OMOTE_V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC {
                frame.timestampNanoseconds = UInt64(timestamp.tv_sec) * 1_000_000_000 + UInt64(timestamp.tv_usec) * 1000
            } else {
                frame.timestampNanoseconds = started
            }
            frame.sequence = UInt64(sequence)
            // Frames the driver itself dropped (no free buffer) show as gaps in the sequence numbers.
            var dropped = skipped
            if let last = lastSequence, sequence > last { dropped = max(dropped, Int(sequence - last) - 1) }
            lastSequence = sequence
            stats.dropped += dropped
            stats.delivered += 1
            return FrameDelivery(
                decodeNanoseconds: decodeTime,
                droppedSincePrevious: dropped,
                capturedAtMonotonicNanoseconds: frame.timestampNanoseconds
            )
        }
    }

    /// Polls until at least one buffer is done, then dequeues every done buffer and keeps only the newest, re-queueing
    /// the others (and any the driver flagged as errored). Returns nil if the camera was stopped meanwhile.
    private func newestBuffer(skipped: inout Int) throws(V4L2CameraError) -> v4l2_buffer? {
        let deadline = MonotonicClock.nanoseconds() + UInt64(options.pollTimeoutMilliseconds) * 1_000_000
        while true {
            guard let descriptor else { return nil }
            var newest: v4l2_buffer?
            while true {
                var buffer = v4l2_buffer()
                buffer.type = OMOTE_V4L2_BUF_TYPE_VIDEO_CAPTURE
                buffer.memory = OMOTE_V4L2_MEMORY_MMAP
                do { try driver.ioctl(descriptor, .dequeueBuffer, &buffer) } catch {
                    if error == .interrupted {
                        if stopRequested?() == true {
                            if var held = newest { try? requeue(&held) }
                            return nil
                        }
                        continue
                    }
                    if error == .wouldBlock { break }
                    if var held = newest { try? requeue(&held) }
                    throw streamFailure(error, during: "VIDIOC_DQBUF")
                }
                guard Int(buffer.index) < buffers.count else {
                    throw streamFailure(
                        .invalidArgument, during: "VIDIOC_DQBUF returned buffer \(buffer.index) of \(buffers.count)")
                }
                if buffer.flags & OMOTE_V4L2_BUF_FLAG_ERROR != 0 || buffer.bytesused == 0 {
                    // The driver says this frame is damaged (or empty): return it and count it.
                    stats.corrupt += 1
                    skipped += 1
                    lastSequence = buffer.sequence
                    try requeue(&buffer)
                    continue
                }
                if var older = newest {
                    skipped += 1
                    try requeue(&older)
                }
                newest = buffer
            }
            if let newest { return newest }

            let now = MonotonicClock.nanoseconds()
            guard now < deadline else { throw stalled() }
            let remaining = Int32(min(UInt64(Int32.max), (deadline - now + 999_999) / 1_000_000))
            let events: PollEvents
            do { events = try driver.poll(descriptor, timeoutMilliseconds: remaining) } catch {
                if error == .interrupted {
                    if stopRequested?() == true { return nil }
                    continue
                }
                throw streamFailure(error, during: "poll")
            }
            if events.isFailure {
                throw streamFailure(
                    .noDevice,
                    during:
                        "poll reported \(events.contains(.hangUp) ? "POLLHUP" : events.contains(.invalid) ? "POLLNVAL" : "POLLERR")"
                )
            }
            if events.isEmpty { throw stalled() }
        }
    }

    private func stalled() -> V4L2CameraError {
        V4L2CameraError(
            device: name, kind: .stalled,
            detail: "no frame for \(options.pollTimeoutMilliseconds) ms after \(stats.delivered) frame(s)")
    }

    private func requeue(_ buffer: inout v4l2_buffer) throws(V4L2CameraError) {
        guard let descriptor else { return }
        buffer.flags = 0
        do {
            try retryingInterrupts { () throws(DriverErrno) in try driver.ioctl(descriptor, .queueBuffer, &buffer) }
        } catch {
            throw streamFailure(error, during: "VIDIOC_QBUF")
        }
    }

    /// A failure mid-stream. A vanished device (ENODEV, EIO from a failed queue, POLLERR) stops the camera cleanly.
    private func streamFailure(_ error: DriverErrno, during call: String) -> V4L2CameraError {
        if error == .noDevice || error == .ioError || error == .noSuchDeviceOrAddress {
            stop()
            ended = true
            return V4L2CameraError(
                device: name, kind: .disconnected,
                detail: "\(call): \(error) after \(stats.delivered) frame(s)")
        }
        return .from(error, device: name, during: call)
    }

    /// Stops streaming, wipes and unmaps the buffers and closes the device. Safe to call more than once.
    public func stop() {
        guard let descriptor else { return }
        if streaming {
            var type = Int32(bitPattern: OMOTE_V4L2_BUF_TYPE_VIDEO_CAPTURE)
            // Fails with ENODEV after an unplug; the buffers and the fd still have to be released.
            try? retryingInterrupts { () throws(DriverErrno) in try driver.ioctl(descriptor, .streamOff, &type) }
            streaming = false
        }
        for buffer in buffers {
            // The buffers held frames: clear them before they go back to the driver.
            explicit_bzero(buffer.address, buffer.length)
            driver.munmap(buffer.address, length: buffer.length)
        }
        buffers.removeAll()
        driver.close(descriptor)
        self.descriptor = nil
    }
}

/// Retries a call that failed with EINTR (a signal arrived, e.g. the terminal was resized).
@inline(__always)
func retryingInterrupts(_ body: () throws(DriverErrno) -> Void) throws(DriverErrno) {
    while true {
        do { return try body() } catch {
            if error != .interrupted { throw error }
        }
    }
}
