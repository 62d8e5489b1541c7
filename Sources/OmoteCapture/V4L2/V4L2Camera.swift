import CV4L2Shim
import OmoteCore
import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// A V4L2 webcam as a `FrameSource`: memory-mapped streaming through libv4l2, always handing out the newest frame.
///
/// `init` opens the node, negotiates format/size/rate (`V4L2Negotiation`) and maps the buffers (`+Buffers`);
/// streaming starts on `start()` or the first `next(into:)` (`+FrameLoop`). Each `next` drains every finished buffer
/// without blocking, keeps the newest, re-queues the rest (counted as dropped) and decodes the newest straight from its
/// mapping into the caller's `VideoFrame`, so frames never queue up behind a slow consumer. `stop()` (also run by
/// `deinit`, and by a disconnect) turns streaming off, wipes and unmaps the buffers and closes the node; call it from
/// your Ctrl-C handling.
public final class V4L2Camera: FrameSource {
    public let name: String
    public let format: V4L2StreamFormat
    public let options: V4L2CameraOptions
    public internal(set) var stats = FrameSourceStats()
    public var isStreaming: Bool { streaming }
    /// Checked whenever a wait is interrupted by a signal (poll or DQBUF fails with EINTR): returning true makes
    /// `next(into:)` return nil at once instead of waiting on. Point it at the flag your SIGINT handler sets, then call
    /// `stop()`. Install the handler with sigaction (a DispatchSource ignores the signal, so nothing is interrupted);
    /// Linux never restarts poll after a handler, so Ctrl-C ends the wait at once even with a stalled camera.
    public var stopRequested: (() -> Bool)?
    public var isOpen: Bool { descriptor != nil }

    let driver: any V4L2Driver
    var descriptor: DeviceDescriptor?
    var buffers: [MappedBuffer]
    var streaming = false
    let encoding: V4L2FrameEncoding
    let decoder: JPEGDecoder
    var lastSequence: UInt32?
    /// The disconnect already reported, so later calls return nil instead of failing again.
    var ended = false
    /// Damaged frames since the last good one (`+DamagedStream`).
    var damageRun = DamageRun()

    /// Opens and negotiates the camera described by `options` (see `V4L2CameraOptions`).
    public convenience init(options: V4L2CameraOptions = V4L2CameraOptions()) throws(OmoteError) {
        try self.init(options: options, driver: V4L2SystemDriver())
    }

    /// Same as `init(options:)`, reading the camera through `driver` (a fake in tests).
    public init(options: V4L2CameraOptions, driver: any V4L2Driver) throws(OmoteError) {
        precondition([1, 2, 4, 8].contains(options.scaleDenominator), "scaleDenominator must be 1, 2, 4 or 8")
        // First: after the guard engaged, a process that never loaded libv4l2 stops here with a clear error.
        try driver.prepare()
        let path: String
        if let device = options.device {
            path = device
        } else {
            path = try Self.firstCamera(driver: driver)
        }
        self.driver = driver
        self.options = options
        self.name = path
        decoder = try JPEGDecoder()
        let opened: DeviceDescriptor
        do { opened = try driver.open(path, emulateFormats: true) } catch {
            throw .camera(error, device: path, during: "open")
        }
        var mapped: [MappedBuffer] = []
        do throws(OmoteError) {
            var negotiation = V4L2Negotiation(path: path, options: options, driver: driver, descriptor: opened)
            var negotiated = try negotiation.run()
            if case .raw = negotiated.encoding, options.scaleDenominator > 1 {
                // Only JPEG scales while decoding; refusing now beats skipping every frame as unconvertible.
                throw .camera(
                    .captureUnsupportedFormat, device: path,
                    "the driver granted \(negotiated.format.pixelFormat.fourCC), which Omote converts only at full "
                        + "size (1/\(options.scaleDenominator) scale needs MJPEG)")
            }
            mapped = try Self.mapBuffers(
                path: path, count: options.bufferCount, driver: driver, descriptor: opened,
                granted: &negotiated.format.bufferCount)
            self.format = negotiated.format
            self.encoding = negotiated.encoding
        } catch {
            for buffer in mapped { driver.munmap(buffer.address, length: buffer.length) }
            driver.close(opened)
            throw error
        }
        self.buffers = mapped
        self.descriptor = opened
    }

    /// Opens the camera described by `options`.
    public static func open(options: V4L2CameraOptions = V4L2CameraOptions()) throws(OmoteError) -> V4L2Camera {
        try V4L2Camera(options: options)
    }

    deinit { stop() }

    /// The first node that is a streaming capture device (not a metadata node).
    static func firstCamera(driver: any V4L2Driver) throws(OmoteError) -> String {
        let nodes = driver.deviceNodes()
        guard !nodes.isEmpty else {
            throw .camera(.captureNoCamera, device: "/dev/video*", "no /dev/video* device nodes")
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
                if error == .permissionDenied || error == .notPermitted || error == .resourceBusy {
                    throw .camera(error, device: node, during: "open")
                }
            }
        }
        throw .camera(.captureNoCamera, device: "/dev/video*", reasons.joined(separator: "; "))
    }

    /// Stops streaming, wipes and unmaps the buffers and closes the device. Safe to call more than once.
    public func stop() {
        guard let descriptor else { return }
        if streaming {
            var type = Int32(bitPattern: OMOTE_V4L2_BUF_TYPE_VIDEO_CAPTURE)
            // Fails with ENODEV after an unplug; the buffers and the fd still have to be released.
            try? retryingInterrupts { () throws(Errno) in try driver.ioctl(descriptor, .streamOff, &type) }
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
