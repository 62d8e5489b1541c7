import OmoteCapture
import OmoteTestSupport
import SystemPackage
import Testing

@Suite struct V4L2DeviceInfoTests {
    static func machine() -> FakeV4L2Driver {
        var metadata = FakeV4L2Driver.Camera()
        metadata.capabilities = [.metadataCapture, .streaming]
        metadata.formats = []
        var locked = FakeV4L2Driver.Camera()
        locked.openError = .permissionDenied
        return FakeV4L2Driver(nodes: [
            ("/dev/video0", FakeV4L2Driver.Camera()), ("/dev/video1", metadata), ("/dev/video2", locked),
        ])
    }

    @Test("Discovery lists every node with identity, capabilities, formats, sizes and intervals")
    func enumerate() {
        let driver = Self.machine()
        let devices = V4L2DeviceInfo.enumerate(driver: driver)
        #expect(devices.map(\.path) == ["/dev/video0", "/dev/video1", "/dev/video2"])
        let camera = devices[0]
        #expect(camera.isCamera && !camera.isMetadataOnly && camera.problem == nil)
        #expect(
            camera.card == "Fake HD Webcam" && camera.driver == "uvcvideo" && camera.busInfo == "usb-0000:00:14.0-2")
        #expect(camera.driverVersion == "6.1.0")
        #expect(camera.formats.map(\.pixelFormat) == [.yuyv, .mjpeg])
        #expect(camera.formats[1].isCompressed && !camera.formats[0].isCompressed)
        #expect(
            camera.formats[1].sizes.map(\.sizes) == [
                .discrete(FrameSize(width: 640, height: 480)), .discrete(FrameSize(width: 640, height: 360)),
                .discrete(FrameSize(width: 1280, height: 720)), .discrete(FrameSize(width: 1920, height: 1080)),
            ])
        #expect(
            camera.formats[1].sizes[1].intervals
                == .discrete([
                    V4L2Fraction(numerator: 1, denominator: 60), V4L2Fraction(numerator: 1, denominator: 30),
                    V4L2Fraction(numerator: 1, denominator: 15),
                ]))
        #expect(devices[1].isMetadataOnly && !devices[1].isCamera)
        #expect(devices[2].problem?.contains("video' group") == true)
        #expect(driver.everythingReleased)
    }

    @Test("The listing marks metadata nodes and problems and shows rates per size")
    func report() {
        let devices = V4L2DeviceInfo.enumerate(driver: Self.machine())
        let text = devices.map(\.report).joined(separator: "\n")
        #expect(text.contains("/dev/video0: Fake HD Webcam — capture"))
        #expect(text.contains("  driver uvcvideo 6.1.0, bus usb-0000:00:14.0-2"))
        #expect(text.contains("  capabilities: capture, streaming, ext-pix-format"))
        #expect(text.contains("  MJPG Motion-JPEG (compressed)"))
        #expect(text.contains("    640×360: 60, 30, 15 fps"))
        #expect(text.contains("/dev/video1: Fake HD Webcam — metadata only (not a picture node)"))
        #expect(text.contains("/dev/video2: (unknown) — not inspected"))
        #expect(text.contains("sudo usermod -aG video $USER"))
    }

    @Test("No nodes: an empty list")
    func empty() {
        #expect(V4L2DeviceInfo.enumerate(driver: FakeV4L2Driver(nodes: [])).isEmpty)
    }

    @Test("The real driver lists /dev/video* nodes in numeric order (none on this machine is fine)")
    func systemNodes() {
        let nodes = V4L2SystemDriver().deviceNodes()
        #expect(nodes.allSatisfy { $0.hasPrefix("/dev/video") })
        #expect(nodes == nodes.sorted { Int($0.dropFirst(10))! < Int($1.dropFirst(10))! })
    }

    @Test("The real driver's open of a missing node reports ENOENT")
    func systemOpenMissing() {
        #expect(throws: Errno.noSuchFileOrDirectory) {
            try V4L2SystemDriver().open("/dev/video-omote-missing", emulateFormats: false)
        }
    }
}
