import CV4L2Shim
import Foundation
import OmoteCapture
import OmoteCore
import OmoteTestSupport
import SystemPackage
import Testing

/// Camera faults mid-stream through the fake kernel (issue 26): each gives a clear status and either recovers (only the
/// bad frames are lost) or stops cleanly (everything released). The faults covered elsewhere: errored buffers and
/// corrupt MJPEG (`V4L2StreamingTests`), EINTR, POLLERR unplug, ENODEV at DQBUF and the poll timeout
/// (`V4L2ErrorTests`).
@Suite struct V4L2CameraFaultTests {
    /// A frame bounded by the camera's negotiated size, as the pipeline makes it.
    static func frame(for camera: V4L2Camera) throws -> VideoFrame {
        try VideoFrame(capacity: camera.maximumFramePixels, maximumPixelCount: camera.maximumFramePixels)
    }

    static func options(pollTimeoutMilliseconds: Int32) -> V4L2CameraOptions {
        var options = V4L2CameraOptions()
        options.pollTimeoutMilliseconds = pollTimeoutMilliseconds
        return options
    }

    @Test("A buffer with bytesused 0 is skipped and counted as an empty buffer; streaming continues")
    func emptyBuffer() throws {
        let driver = FakeV4L2Driver()
        driver.emptySequences = [0, 2]
        let camera = try V4L2Camera(options: V4L2CameraOptions(), driver: driver)
        var frame = try Self.frame(for: camera)
        var delivery = try #require(try camera.next(into: &frame))
        #expect(frame.sequence == 1 && delivery.droppedSincePrevious == 1)
        driver.pollScript = [.frames(2)]  // 2 (empty) and 3 arrive together
        delivery = try #require(try camera.next(into: &frame))
        #expect(frame.sequence == 3 && delivery.droppedSincePrevious == 1)
        #expect(camera.stats.corrupt == 2 && camera.stats.delivered == 2)
        #expect(camera.stats.firstDamage == .emptyBuffer)
        #expect(
            V4L2TestSupport.pixels(of: frame) == (try V4L2StreamingTests.expectedRGB(sequence: 3)),
            "the empty buffer's stale bytes were not decoded")
    }

    @Test(
        "EIO mid-stream from DQBUF or QBUF: disconnected, STREAMOFF attempted, buffers wiped and unmapped, fd closed",
        arguments: [V4L2Request.dequeueBuffer, .queueBuffer])
    func ioErrorMidStream(request: V4L2Request) throws {
        let driver = FakeV4L2Driver()
        let camera = try V4L2Camera(options: V4L2CameraOptions(), driver: driver)
        var frame = try Self.frame(for: camera)
        _ = try #require(try camera.next(into: &frame))
        driver.failingOnce[request] = .ioError
        let error = #expect(throws: OmoteError.self) { try camera.next(into: &frame) }
        #expect(error?.code == .captureDisconnected)
        #expect(error?.errno == .ioError)
        #expect(error?.description.hasPrefix("cannot get a frame (/dev/video0): the camera was disconnected") == true)
        #expect(
            error?.description.contains(request.description) == true, "\(error.map(String.init(describing:)) ?? "")")
        #expect(driver.streamOffCount == 1)
        #expect(driver.everythingReleased && driver.unmappedWithFrameData == 0)
        #expect(!camera.isOpen)
        #expect(try camera.next(into: &frame) == nil, "a stopped camera ends the stream")
    }

    @Test("An MJPEG frame whose header claims more than the negotiated size is skipped as too large; the next is good")
    func frameLargerThanNegotiated() throws {
        let driver = FakeV4L2Driver(payload: { sequence, _, _ in
            let jpeg = FakeV4L2Driver.sampleJPEGs[Int(sequence) % FakeV4L2Driver.sampleJPEGs.count]
            return sequence == 1 ? FakeV4L2Driver.claimingSize(jpeg, FrameSize(width: 1280, height: 720)) : jpeg
        })
        let camera = try V4L2Camera(options: V4L2CameraOptions(), driver: driver)
        #expect(camera.format.size == FrameSize(width: 640, height: 360))
        var frame = try Self.frame(for: camera)
        _ = try #require(try camera.next(into: &frame))
        let delivery = try #require(try camera.next(into: &frame))
        #expect(frame.sequence == 2 && delivery.droppedSincePrevious == 1)
        #expect(frame.width == 640 && frame.height == 360)
        #expect(V4L2TestSupport.pixels(of: frame) == (try V4L2StreamingTests.expectedRGB(sequence: 2)))
        #expect(camera.stats.corrupt == 1 && camera.stats.firstDamage == .tooLarge)
    }

    @Test(
        "Every frame damaged for the poll timeout: a clear error, the camera stays open and recovers with good frames",
        arguments: [false, true])
    func everyFrameDamaged(driverFlagged: Bool) throws {
        let good = FakeV4L2Driver.sampleJPEGs[0]
        var broken = false
        let driver = FakeV4L2Driver(payload: { _, _, _ in broken ? Array(good.prefix(good.count / 2)) : good })
        let camera = try V4L2Camera(options: Self.options(pollTimeoutMilliseconds: 40), driver: driver)
        var frame = try Self.frame(for: camera)
        _ = try #require(try camera.next(into: &frame))
        if driverFlagged {
            driver.erroredSequences = Set(driver.sequence ..< driver.sequence + 1_000_000)
        } else {
            broken = true
        }
        driver.unplugAfterFrames = driver.sequence + 100_000  // a camera that never reported would end here
        let formatReads = driver.calls.filter { $0 == "VIDIOC_G_FMT" }.count
        let started = MonotonicClock.nanoseconds()
        let error = #expect(throws: OmoteError.self) { try camera.next(into: &frame) }
        let waited = MonotonicClock.nanoseconds() - started
        #expect(error?.code == .captureFramesDamaged)
        let first = driverFlagged ? FrameDamage.driverFlagged : .truncated
        #expect(
            error?.description.hasPrefix("cannot get a frame (/dev/video0): every frame for 40 ms was damaged (")
                == true,
            "\(error.map(String.init(describing:)) ?? "")")
        #expect(error?.description.contains("first: \(first))") == true)
        #expect(waited >= 40_000_000, "reported only after the poll timeout")
        #expect(camera.isStreaming && camera.isOpen, "the camera stays open, like a stall")
        #expect(camera.stats.firstDamage == first && camera.stats.delivered == 1)
        #expect(!driver.calls.contains("VIDIOC_STREAMOFF"))
        #expect(
            driver.calls.filter { $0 == "VIDIOC_G_FMT" }.count == formatReads + 1,
            "the format was read back once (it had not changed)")

        // The next call waits another full timeout before reporting again; good frames end the run.
        _ = #expect(throws: OmoteError.self) { try camera.next(into: &frame) }
        driver.erroredSequences = []
        broken = false
        _ = try #require(try camera.next(into: &frame))
        #expect(camera.stats.delivered == 2 && camera.stats.corrupt > 0)
        #expect(camera.stats.dropped == camera.stats.corrupt, "every damaged frame also counts as dropped")
        camera.stop()
        #expect(driver.everythingReleased)
    }

    @Test(
        "MJPEG size changed mid-stream: frames too large, G_FMT reports the new size, a clean stop with format changed")
    func mjpegFormatChanged() throws {
        let driver = FakeV4L2Driver(payload: FakeV4L2Driver.sampleFramePayloadAtFormatSize)
        let (camera, error) = try Self.formatChange(driver, to: FrameSize(width: 1280, height: 720))
        #expect(
            error?.description.hasPrefix(
                "cannot get a frame (/dev/video0): the camera changed its format mid-stream: negotiated MJPG 640×360, "
                    + "the driver now reports MJPG 1280×720 (") == true,
            "\(error.map(String.init(describing:)) ?? "")")
        #expect(error?.description.contains("first: larger than the negotiated size)") == true)
        #expect(error?.description.contains("capture stopped cleanly") == true)
        #expect(error?.description.contains("--size") == true)
        #expect(camera.stats.firstDamage == .tooLarge && camera.stats.delivered == 1)
        #expect(driver.streamOffCount == 1)
    }

    @Test("A raw camera switching size mid-stream: raw frames of the wrong size, then format changed, clean stop")
    func rawFormatChanged() throws {
        let webcam = FakeV4L2Driver.Camera.yuyv64x32
        let driver = FakeV4L2Driver(
            nodes: [("/dev/video0", webcam)],
            payload: { _, _, size in [UInt8](repeating: 100, count: size.width * 2 * size.height) })
        let (camera, error) = try Self.formatChange(driver, to: FrameSize(width: 32, height: 16))
        #expect(
            error?.description.contains("negotiated YUYV 64×32, the driver now reports YUYV 32×16") == true,
            "\(error.map(String.init(describing:)) ?? "")")
        #expect(camera.stats.firstDamage == .wrongRawSize)
    }

    /// Streams one good frame, has another program switch the camera to `size`, and returns the error `next` then
    /// throws, after checking it is a clean stop with `.captureFormatChanged`.
    static func formatChange(_ driver: FakeV4L2Driver, to size: FrameSize) throws -> (V4L2Camera, OmoteError?) {
        let camera = try V4L2Camera(options: options(pollTimeoutMilliseconds: 40), driver: driver)
        var frame = try Self.frame(for: camera)
        _ = try #require(try camera.next(into: &frame))
        driver.changeFormat(size: size)
        driver.unplugAfterFrames = driver.sequence + 100_000  // a camera that never reported would end here
        let error = #expect(throws: OmoteError.self) { try camera.next(into: &frame) }
        #expect(error?.code == .captureFormatChanged)
        #expect(driver.everythingReleased && driver.unmappedWithFrameData == 0 && !camera.isOpen)
        #expect(try camera.next(into: &frame) == nil, "a stopped camera ends the stream")
        return (camera, error)
    }
}
