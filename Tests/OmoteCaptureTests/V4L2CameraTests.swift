import CV4L2Shim
import Foundation
import OmoteCapture
import OmoteCore
import OmoteTestSupport
import SystemPackage
import Testing

@Suite struct V4L2NegotiationTests {
    @Test("Default negotiation prefers MJPEG, picks 640×360 and the fastest rate up to 60 fps, and reports the grant")
    func defaultNegotiation() throws {
        let driver = FakeV4L2Driver()
        let camera = try V4L2Camera(options: V4L2CameraOptions(), driver: driver)
        #expect(camera.name == "/dev/video0")
        #expect(camera.format.pixelFormat == .mjpeg)
        #expect(camera.format.size == FrameSize(width: 640, height: 360))
        #expect(camera.format.framesPerSecond == 60)
        #expect(camera.format.bufferCount == 4)
        #expect(camera.format.adjustments.isEmpty)
        #expect(camera.format.description == "/dev/video0 (Fake HD Webcam): MJPG 640×360 @ 60 fps, 4 buffers")
    }

    @Test("S_FMT and S_PARM adjustments are reported, not hidden: 1000×700 @ 50 becomes 1280×720 @ 30")
    func driverAdjustsSizeAndRate() throws {
        let driver = FakeV4L2Driver()
        let options = V4L2CameraOptions(size: FrameSize(width: 1000, height: 700), framesPerSecond: 50)
        let camera = try V4L2Camera(options: options, driver: driver)
        #expect(camera.format.size == FrameSize(width: 1280, height: 720))
        #expect(camera.format.framesPerSecond == 30)
        #expect(
            camera.format.adjustments == ["asked for 1000×700, granted 1280×720", "asked for 50 fps, granted 30 fps"])
    }

    @Test("An explicit --format is honoured; YUYV is negotiated with its bytes per line")
    func explicitFormat() throws {
        let driver = FakeV4L2Driver()
        let camera = try V4L2Camera(
            options: V4L2CameraOptions(size: FrameSize(width: 640, height: 480), format: .yuyv), driver: driver)
        #expect(camera.format.pixelFormat == .yuyv)
        #expect(camera.format.size == FrameSize(width: 640, height: 480))
        #expect(camera.format.bytesPerLine == 1280)
        #expect(camera.format.framesPerSecond == 30)
    }

    @Test("REQBUFS granting fewer buffers than asked still streams")
    func fewerBuffersGranted() throws {
        let driver = FakeV4L2Driver(nodes: [("/dev/video0", .granting(buffers: 2))])
        let camera = try V4L2Camera(options: .with { $0.bufferCount = 6 }, driver: driver)
        #expect(camera.format.bufferCount == 2)
        var frame = try VideoFrame()
        for _ in 0 ..< 3 { _ = try #require(try camera.next(into: &frame)) }
        #expect(camera.stats.delivered == 3)
    }

    @Test("A driver granting one buffer is refused with a clear message and nothing leaks")
    func oneBufferRefused() throws {
        let driver = FakeV4L2Driver(nodes: [("/dev/video0", .granting(buffers: 1))])
        let error = #expect(throws: OmoteError.self) {
            try V4L2Camera(options: V4L2CameraOptions(), driver: driver)
        }
        #expect(error?.description.contains("granted 1 buffer") == true)
        #expect(driver.everythingReleased)
    }

    @Test("A camera that cannot set its rate streams at the driver's rate and says so when a rate was asked")
    func rateNotSettable() throws {
        var webcam = FakeV4L2Driver.Camera()
        webcam.canSetFrameRate = false
        let driver = FakeV4L2Driver(nodes: [("/dev/video0", webcam)])
        let camera = try V4L2Camera(options: V4L2CameraOptions(framesPerSecond: 15), driver: driver)
        #expect(camera.format.adjustments.contains("the driver does not let applications set the frame rate"))
        #expect(camera.format.framesPerSecond == 30)
    }

    @Test("Without --device the first streaming capture node is used, skipping the metadata node")
    func firstCaptureNode() throws {
        var metadata = FakeV4L2Driver.Camera()
        metadata.capabilities = [.metadataCapture, .streaming]
        metadata.formats = []
        let driver = FakeV4L2Driver(nodes: [("/dev/video0", metadata), ("/dev/video1", FakeV4L2Driver.Camera())])
        let camera = try V4L2Camera(options: V4L2CameraOptions(), driver: driver)
        #expect(camera.name == "/dev/video1")
        #expect(driver.openDescriptors.count == 1)
    }

    @Test("An emulated (libv4l2-converted) format is used only when no native one is readable")
    func emulatedFallback() throws {
        var odd = FakeV4L2Driver.Camera()
        odd.formats = [
            .init(
                pixelFormat: V4L2PixelFormat(fourCC: "S561")!, description: "GSPCA SN9C2028",
                sizes: [(FrameSize(width: 640, height: 480), [30])]),
            .init(
                pixelFormat: .yuv420, description: "Planar YUV 4:2:0",
                sizes: [(FrameSize(width: 640, height: 480), [30])], isEmulated: true),
        ]
        let driver = FakeV4L2Driver(nodes: [("/dev/video0", odd)])
        let camera = try V4L2Camera(options: V4L2CameraOptions(), driver: driver)
        #expect(camera.format.pixelFormat == .yuv420 && camera.format.isEmulated)
    }
}

@Suite struct V4L2StreamingTests {
    static func expectedRGB(sequence: UInt32) throws -> [UInt8] {
        try V4L2TestSupport.rgb(ofJPEG: FakeV4L2Driver.sampleJPEGs[Int(sequence) % FakeV4L2Driver.sampleJPEGs.count])
            .pixels
    }

    @Test("Frames come from the mmap buffers decoded to RGB, with the V4L2 monotonic timestamp and sequence")
    func decodesWithTimestamps() throws {
        let driver = FakeV4L2Driver()
        let camera = try V4L2Camera(options: V4L2CameraOptions(framesPerSecond: 30), driver: driver)
        var frame = try VideoFrame()
        var previous: UInt64 = 0
        for expected in 0 ..< UInt32(4) {
            let delivery = try #require(try camera.next(into: &frame))
            #expect(delivery.droppedSincePrevious == 0)
            #expect(frame.sequence == UInt64(expected))
            #expect(frame.width == 640 && frame.height == 360)
            #expect(V4L2TestSupport.pixels(of: frame) == (try Self.expectedRGB(sequence: expected)))
            #expect(frame.timestampNanoseconds == driver.clock / 1000 * 1000)
            #expect(frame.timestampNanoseconds > previous)
            previous = frame.timestampNanoseconds
        }
        #expect(
            camera.stats
                == {
                    var s = FrameSourceStats()
                    s.delivered = 4
                    return s
                }())
    }

    @Test("Frames produced faster than consumed: the newest is delivered, the rest re-queued and counted as dropped")
    func newestFrameWins() throws {
        let driver = FakeV4L2Driver()
        let camera = try V4L2Camera(options: V4L2CameraOptions(), driver: driver)  // 4 buffers
        var frame = try VideoFrame()
        driver.pollScript = [.frames(3)]
        var delivery = try #require(try camera.next(into: &frame))
        #expect(frame.sequence == 2 && delivery.droppedSincePrevious == 2)
        #expect(V4L2TestSupport.pixels(of: frame) == (try Self.expectedRGB(sequence: 2)))

        // Six frames with four buffers: 3…6 fill them, 7 and 8 find none queued and are lost in the driver.
        driver.pollScript = [.frames(6)]
        delivery = try #require(try camera.next(into: &frame))
        #expect(frame.sequence == 6 && delivery.droppedSincePrevious == 3)
        driver.pollScript = [.frames(1)]
        delivery = try #require(try camera.next(into: &frame))
        #expect(
            frame.sequence == 9 && delivery.droppedSincePrevious == 2, "the driver's own drops show as a sequence gap")
        #expect(camera.stats.delivered == 3 && camera.stats.dropped == 7 && camera.stats.corrupt == 0)
        // Every buffer went back to the driver: the next frame still finds one queued.
        driver.pollScript = [.frames(4)]
        delivery = try #require(try camera.next(into: &frame))
        #expect(frame.sequence == 13 && delivery.droppedSincePrevious == 3)
    }

    @Test("EINTR from poll and DQBUF and a spurious wake-up (DQBUF EAGAIN) are retried transparently")
    func interruptsAndWouldBlock() throws {
        let driver = FakeV4L2Driver()
        let camera = try V4L2Camera(options: V4L2CameraOptions(), driver: driver)
        var frame = try VideoFrame()
        driver.pollScript = [.interrupted, .spurious, .interrupted, .frames(1)]
        driver.dequeueInterruptions = 2
        let delivery = try #require(try camera.next(into: &frame))
        #expect(frame.sequence == 0 && delivery.droppedSincePrevious == 0)
        #expect(driver.pollCount == 4)
    }

    @Test("A buffer dequeued with V4L2_BUF_FLAG_ERROR is skipped, counted, and streaming continues")
    func erroredBuffer() throws {
        let driver = FakeV4L2Driver()
        driver.erroredSequences = [0, 2]
        let camera = try V4L2Camera(options: V4L2CameraOptions(), driver: driver)
        var frame = try VideoFrame()
        var delivery = try #require(try camera.next(into: &frame))
        #expect(frame.sequence == 1 && delivery.droppedSincePrevious == 1)
        driver.pollScript = [.frames(2)]  // 2 (errored) and 3 arrive together
        delivery = try #require(try camera.next(into: &frame))
        #expect(frame.sequence == 3 && delivery.droppedSincePrevious == 1)
        #expect(camera.stats.corrupt == 2 && camera.stats.dropped == 2 && camera.stats.delivered == 2)
    }

    @Test("Corrupt or truncated MJPEG frames are skipped and counted; the stream keeps going")
    func corruptMJPEG() throws {
        let good = FakeV4L2Driver.sampleJPEGs[0]
        let driver = FakeV4L2Driver(payload: { sequence, _, _ in
            switch sequence {
            case 0: Array(good.prefix(good.count / 2))  // truncated mid-scan
            case 1: Array(repeating: 0x5A, count: 3000)  // not a JPEG at all
            case 2: Array(good.prefix(600))  // cut inside the headers
            default: FakeV4L2Driver.sampleJPEGs[Int(sequence) % 8]
            }
        })
        let camera = try V4L2Camera(options: V4L2CameraOptions(), driver: driver)
        var frame = try VideoFrame()
        let delivery = try #require(try camera.next(into: &frame))
        #expect(frame.sequence == 3 && delivery.droppedSincePrevious == 3)
        #expect(camera.stats.corrupt == 3 && camera.stats.delivered == 1)
        #expect(V4L2TestSupport.pixels(of: frame) == (try Self.expectedRGB(sequence: 3)))
    }

    @Test("MJPEG without Huffman tables (as UVC cameras send it) decodes with the standard tables")
    func mjpegWithoutHuffmanTables() throws {
        let webcamJPEGs = try FakeV4L2Driver.sampleJPEGs.prefix(3).map { try V4L2TestSupport.reencodeAsWebcamMJPEG($0) }
        let stripped = webcamJPEGs.map { V4L2TestSupport.strippingHuffmanTables($0) }
        #expect(stripped.allSatisfy { $0.removed > 0 })
        #expect(
            stripped.allSatisfy {
                !$0.jpeg.contains(where: { _ in false }) && $0.jpeg.count < webcamJPEGs[0].count + 100_000
            })
        // Bare decoder: identical RGB with and without the tables.
        for (full, bare) in zip(webcamJPEGs, stripped) {
            #expect(try V4L2TestSupport.rgb(ofJPEG: bare.jpeg).pixels == V4L2TestSupport.rgb(ofJPEG: full).pixels)
        }
        // And through the camera, straight from the mmap buffer.
        let driver = FakeV4L2Driver(payload: { sequence, _, _ in stripped[Int(sequence) % stripped.count].jpeg })
        let camera = try V4L2Camera(options: V4L2CameraOptions(), driver: driver)
        var frame = try VideoFrame()
        for sequence in 0 ..< 3 {
            _ = try #require(try camera.next(into: &frame))
            #expect(
                V4L2TestSupport.pixels(of: frame) == (try V4L2TestSupport.rgb(ofJPEG: webcamJPEGs[sequence]).pixels))
        }
        #expect(camera.stats.corrupt == 0)
    }

    @Test("Scaled decode: MJPEG at 1/2 through libjpeg's DCT scaling")
    func scaledMJPEG() throws {
        let driver = FakeV4L2Driver()
        let camera = try V4L2Camera(options: .with { $0.scaleDenominator = 2 }, driver: driver)
        var frame = try VideoFrame()
        _ = try #require(try camera.next(into: &frame))
        #expect(frame.width == 320 && frame.height == 180)
        #expect(
            V4L2TestSupport.pixels(of: frame)
                == (try V4L2TestSupport.rgb(ofJPEG: FakeV4L2Driver.sampleJPEGs[0], scaleDenominator: 2).pixels))
    }

    @Test("YUYV, UYVY, NV12 and GREY cameras deliver RawColour's RGB of the frame, honouring padded lines")
    func rawFormats() throws {
        let source = try V4L2TestSupport.lumaPlane(ofJPEG: FakeV4L2Driver.sampleJPEGs[1])
        let size = FrameSize(width: source.width, height: source.height)
        func payload(_ format: V4L2PixelFormat, padding: Int) -> [UInt8] {
            switch format {
            case .yuyv, .uyvy:
                V4L2TestSupport.packed422(
                    luma: source.pixels, width: size.width, height: size.height, lumaFirst: format == .yuyv,
                    padding: padding)
            case .nv12:
                V4L2TestSupport.planar(
                    luma: source.pixels, width: size.width, height: size.height, padding: padding,
                    chromaFraction: 0.5)
            default:
                V4L2TestSupport.planar(
                    luma: source.pixels, width: size.width, height: size.height, padding: padding,
                    chromaFraction: 0)
            }
        }
        for (format, padding) in [
            (V4L2PixelFormat.yuyv, 0), (.yuyv, 64), (.uyvy, 0), (.nv12, 0), (.nv12, 128), (.grey, 0), (.grey, 32),
        ] {
            var webcam = FakeV4L2Driver.Camera()
            webcam.formats = [.init(pixelFormat: format, description: format.fourCC, sizes: [(size, [30])])]
            webcam.linePadding = padding
            let driver = FakeV4L2Driver(
                nodes: [("/dev/video0", webcam)], payload: { _, format, _ in payload(format, padding: padding) })
            let camera = try V4L2Camera(options: V4L2CameraOptions(), driver: driver)
            #expect(camera.format.pixelFormat == format)
            var frame = try VideoFrame()
            _ = try #require(try camera.next(into: &frame))
            #expect(frame.width == size.width && frame.height == size.height)
            // The reference: the same picture without padding, converted directly.
            let unpadded = try V4L2TestSupport.rawRGB(
                payload(format, padding: 0), format: format, width: size.width, height: size.height,
                bytesPerLine: size.width * (format == .yuyv || format == .uyvy ? 2 : 1))
            #expect(V4L2TestSupport.pixels(of: frame) == unpadded, "\(format) padding \(padding)")
            if format == .grey {
                #expect(unpadded == source.pixels.flatMap { [$0, $0, $0] }, "GREY is its levels as grey RGB")
            }
        }
    }

    @Test("1/2 scale on a raw format is refused at open, naming the format (only MJPEG decodes scaled)")
    func scaledRawRefused() throws {
        let webcam = FakeV4L2Driver.Camera.yuyv64x32
        let driver = FakeV4L2Driver(nodes: [("/dev/video0", webcam)])
        let error = #expect(throws: OmoteError.self) {
            _ = try V4L2Camera(options: .with { $0.scaleDenominator = 2 }, driver: driver)
        }
        #expect(error?.code == .captureUnsupportedFormat)
        #expect(error?.description.contains("granted YUYV, which Omote converts only at full size") == true)
        #expect(driver.everythingReleased, "the node is closed again, nothing mapped")
    }

    @Test("A truncated raw frame is skipped and counted like a corrupt MJPEG one")
    func truncatedRawFrame() throws {
        let webcam = FakeV4L2Driver.Camera.yuyv64x32
        let driver = FakeV4L2Driver(
            nodes: [("/dev/video0", webcam)],
            payload: { sequence, _, _ in
                [UInt8](repeating: 100, count: sequence == 0 ? 64 * 2 * 10 : 64 * 2 * 32)
            })
        let camera = try V4L2Camera(options: V4L2CameraOptions(), driver: driver)
        var frame = try VideoFrame()
        _ = try #require(try camera.next(into: &frame))
        #expect(frame.sequence == 1 && camera.stats.corrupt == 1)
    }
}

@Suite struct V4L2ErrorTests {
    static func openError(_ driver: FakeV4L2Driver, _ options: V4L2CameraOptions = V4L2CameraOptions())
        -> OmoteError?
    {
        #expect(throws: OmoteError.self) { try V4L2Camera(options: options, driver: driver) }
    }

    @Test("No /dev/video* at all: 'no camera', pointing at omote devices and replay")
    func noCamera() {
        let error = Self.openError(FakeV4L2Driver(nodes: []))
        #expect(error?.code == .captureNoCamera)
        #expect(error?.description.contains("no /dev/video* device nodes") == true)
        #expect(error?.description.contains("omote replay") == true)
    }

    @Test("Only a metadata node: 'no camera' explains each node; naming it explicitly says it is metadata-only")
    func onlyMetadata() {
        var metadata = FakeV4L2Driver.Camera()
        metadata.capabilities = [.metadataCapture, .streaming]
        let driver = FakeV4L2Driver(nodes: [("/dev/video1", metadata)])
        let error = Self.openError(driver)
        #expect(error?.code == .captureNoCamera)
        #expect(error?.description.contains("/dev/video1: metadata only") == true)
        let explicit = Self.openError(driver, V4L2CameraOptions(device: "/dev/video1"))
        #expect(explicit?.code == .captureNotACamera)
        #expect(explicit?.description.contains("metadata-only node") == true)
        #expect(driver.everythingReleased)
    }

    @Test("A node without streaming I/O is refused")
    func noStreaming() {
        var webcam = FakeV4L2Driver.Camera()
        webcam.capabilities = [.videoCapture, .readWrite]
        let error = Self.openError(
            FakeV4L2Driver(nodes: [("/dev/video0", webcam)]), V4L2CameraOptions(device: "/dev/video0"))
        #expect(error?.code == .captureNotACamera)
        #expect(error?.description.contains("no streaming I/O") == true)
    }

    @Test("A --device that does not exist names it and suggests omote devices")
    func missingDevice() {
        let error = Self.openError(FakeV4L2Driver(), V4L2CameraOptions(device: "/dev/video7"))
        #expect(error?.code == .captureDeviceMissing)
        #expect(
            error?.description
                == "cannot open the camera (/dev/video7): it does not exist (open) [No such file or directory (errno 2)]. "
                + "Run `omote devices` to list cameras and pass one with --device.")
        #expect(error?.errno == .noSuchFileOrDirectory)
    }

    @Test("Permission denied suggests the video group, also when the camera is picked automatically")
    func permissionDenied() {
        var webcam = FakeV4L2Driver.Camera()
        webcam.openError = .permissionDenied
        let driver = FakeV4L2Driver(nodes: [("/dev/video0", webcam)])
        for options in [V4L2CameraOptions(), V4L2CameraOptions(device: "/dev/video0")] {
            let error = Self.openError(driver, options)
            #expect(error?.code == .capturePermissionDenied)
            #expect(error?.description.contains("/dev/video0") == true)
            #expect(error?.description.contains("sudo usermod -aG video $USER") == true)
        }
    }

    @Test("EBUSY at open, at S_FMT (another app streams) and at STREAMON: 'busy', nothing leaked")
    func busy() throws {
        for place in 0 ..< 3 {
            var webcam = FakeV4L2Driver.Camera()
            switch place {
            case 0: webcam.openError = .resourceBusy
            case 1: webcam.setFormatError = .resourceBusy
            default: webcam.streamOnError = .resourceBusy
            }
            let driver = FakeV4L2Driver(nodes: [("/dev/video0", webcam)])
            let error: OmoteError?
            if place < 2 {
                error = Self.openError(driver)
            } else {
                let camera = try V4L2Camera(options: V4L2CameraOptions(), driver: driver)
                var frame = try VideoFrame()
                error = #expect(throws: OmoteError.self) { try camera.next(into: &frame) }
                #expect(!camera.isOpen)
            }
            #expect(error?.code == .captureDeviceBusy)
            #expect(error?.errno == .resourceBusy)
            #expect(error?.description.contains("another program") == true)
            #expect(driver.everythingReleased, "case \(place)")
        }
    }

    @Test("ENOSPC at STREAMON is explained as USB bandwidth")
    func bandwidth() throws {
        var webcam = FakeV4L2Driver.Camera()
        webcam.streamOnError = .noSpace
        let driver = FakeV4L2Driver(nodes: [("/dev/video0", webcam)])
        let camera = try V4L2Camera(options: V4L2CameraOptions(format: .yuyv), driver: driver)
        let error = #expect(throws: OmoteError.self) { try camera.start() }
        #expect(error?.code == .captureInsufficientBandwidth)
        #expect(error?.errno == .noSpace)
        #expect(error?.description.contains("VIDIOC_STREAMON with YUYV") == true)
        #expect(error?.description.contains("--format mjpeg") == true)
        #expect(driver.everythingReleased)
    }

    @Test("No readable format, and a --format the camera does not offer, list what it offers")
    func noSupportedFormat() {
        var h264 = FakeV4L2Driver.Camera()
        h264.formats = [
            .init(
                pixelFormat: V4L2PixelFormat(fourCC: "H264")!, description: "H.264",
                sizes: [(FrameSize(width: 1920, height: 1080), [30])])
        ]
        let error = Self.openError(FakeV4L2Driver(nodes: [("/dev/video0", h264)]))
        #expect(error?.code == .captureUnsupportedFormat)
        #expect(error?.description.contains("offered: H264 (H.264)") == true)

        let notOffered = Self.openError(FakeV4L2Driver(), V4L2CameraOptions(format: .nv12))
        #expect(notOffered?.code == .captureUnsupportedFormat)
        #expect(
            notOffered?.description.contains("NV12 is not offered (offered: YUYV (YUYV 4:2:2), MJPG (Motion-JPEG))")
                == true)
    }

    @Test(
        "Unplugged mid-stream (POLLERR): disconnected error, STREAMOFF attempted, buffers wiped and unmapped, fd closed"
    )
    func unpluggedPollError() throws {
        let driver = FakeV4L2Driver()
        let camera = try V4L2Camera(options: V4L2CameraOptions(), driver: driver)
        var frame = try VideoFrame()
        _ = try #require(try camera.next(into: &frame))
        driver.pollScript = [.unplug]
        let error = #expect(throws: OmoteError.self) { try camera.next(into: &frame) }
        #expect(error?.code == .captureDisconnected)
        #expect(error?.description.hasPrefix("cannot get a frame (/dev/video0): the camera was disconnected") == true)
        #expect(error?.description.contains("stopped cleanly") == true)
        #expect(
            driver.calls.filter { $0 == "VIDIOC_STREAMOFF" }.count == 1,
            "STREAMOFF is attempted even though it fails with ENODEV")
        #expect(driver.everythingReleased && driver.unmappedWithFrameData == 0)
        #expect(try camera.next(into: &frame) == nil, "a stopped camera ends the stream")
    }

    @Test("Unplugged between poll and DQBUF (ENODEV) stops just as cleanly")
    func unpluggedDequeue() throws {
        let driver = FakeV4L2Driver()
        let camera = try V4L2Camera(options: V4L2CameraOptions(), driver: driver)
        var frame = try VideoFrame()
        driver.pollScript = [.framesThenUnplug(2)]
        let error = #expect(throws: OmoteError.self) { try camera.next(into: &frame) }
        #expect(error?.code == .captureDisconnected)
        #expect(error?.description.contains("VIDIOC_DQBUF") == true)
        #expect(driver.everythingReleased)
    }

    @Test("A stalled camera (poll timeout) is reported; the camera stays usable and recovers")
    func stalled() throws {
        let driver = FakeV4L2Driver()
        let camera = try V4L2Camera(options: .with { $0.pollTimeoutMilliseconds = 20 }, driver: driver)
        var frame = try VideoFrame()
        driver.pollScript = [.timeout]
        let error = #expect(throws: OmoteError.self) { try camera.next(into: &frame) }
        #expect(error?.code == .captureStalled)
        #expect(
            error?.description.hasPrefix("cannot get a frame (/dev/video0): the camera stalled: no frame for 20 ms")
                == true)
        #expect(camera.isStreaming)
        _ = try #require(try camera.next(into: &frame))
    }

    @Test("stop() and deinit release everything on every path; stop is idempotent")
    func cleanupPaths() throws {
        let driver = FakeV4L2Driver()
        do {
            let camera = try V4L2Camera(options: V4L2CameraOptions(), driver: driver)
            var frame = try VideoFrame()
            _ = try camera.next(into: &frame)
        }  // deinit
        #expect(driver.everythingReleased && driver.streamOffCount == 1 && driver.unmappedWithFrameData == 0)

        let second = FakeV4L2Driver()
        let camera = try V4L2Camera(options: V4L2CameraOptions(), driver: second)
        var frame = try VideoFrame()
        _ = try camera.next(into: &frame)
        camera.stop()
        camera.stop()
        #expect(second.everythingReleased && second.streamOffCount == 1)
        #expect(try camera.next(into: &frame) == nil)

        // Opened but never started: no STREAMOFF needed, still unmapped and closed.
        let third = FakeV4L2Driver()
        _ = try V4L2Camera(options: V4L2CameraOptions(), driver: third)
        #expect(third.everythingReleased && third.streamOffCount == 0)
    }
}

@Suite struct V4L2InterruptionTests {
    @Test(
        "Ctrl-C: a signal interrupting the wait ends next() with nil when stopRequested says so; stop() then releases")
    func stopRequestedOnSignal() throws {
        let driver = FakeV4L2Driver()
        let camera = try V4L2Camera(options: V4L2CameraOptions(), driver: driver)
        var frame = try VideoFrame()
        _ = try #require(try camera.next(into: &frame))
        var interrupted = false
        camera.stopRequested = { interrupted }
        driver.pollScript = [.interrupted, .frames(1)]
        _ = try #require(try camera.next(into: &frame), "an EINTR without a stop request is retried")
        interrupted = true
        driver.pollScript = [.interrupted]
        #expect(try camera.next(into: &frame) == nil)
        #expect(camera.isOpen)
        camera.stop()
        #expect(driver.everythingReleased)
    }
}

extension FakeV4L2Driver.Camera {
    /// A camera whose driver grants at most `buffers` buffers.
    static func granting(buffers: Int) -> Self {
        var webcam = Self()
        webcam.maximumBuffers = buffers
        return webcam
    }

    /// A raw camera offering YUYV 64×32 at 30 fps only.
    static var yuyv64x32: Self {
        var webcam = Self()
        webcam.formats = [
            .init(pixelFormat: .yuyv, description: "YUYV", sizes: [(FrameSize(width: 64, height: 32), [30])])
        ]
        return webcam
    }
}

extension V4L2CameraOptions {
    /// The default options with one edit.
    static func with(_ edit: (inout Self) -> Void) -> Self {
        var options = Self()
        edit(&options)
        return options
    }
}
