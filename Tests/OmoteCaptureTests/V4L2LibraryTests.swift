import Foundation
import OmoteCapture
import OmoteCore
import OmoteTestSupport
import SystemPackage
import Testing

/// libv4l2 is loaded with dlopen, not linked (issue 22: it brings libjpeg.so.62, so the presenter must never map it):
/// the real driver loads it on demand, and a driver that cannot get ready stops a camera or an inspection before any
/// node is opened.
@Suite struct V4L2LibraryTests {
    @Test("loadLibrary() dlopens libv4l2.so.0 once: it is then mapped, and a second call is a no-op")
    func loadsLibv4l2() throws {
        try V4L2SystemDriver.loadLibrary()
        #expect(V4L2SystemDriver.isLibraryLoaded)
        // Read to the end: String(contentsOfFile:) stops after one page of a /proc file.
        let file = try #require(FileHandle(forReadingAtPath: "/proc/self/maps"))
        let maps = String(decoding: try file.readToEnd() ?? Data(), as: UTF8.self)
        #expect(maps.contains("/libv4l2.so"), "libv4l2 is mapped after loading it")
        try V4L2SystemDriver.loadLibrary()
        // The real driver is ready without the guard engaged in this process.
        try V4L2SystemDriver().prepare()
    }

    @Test("A driver that cannot get ready stops the camera and the inspection before any node is opened")
    func unpreparedDriverOpensNothing() {
        let driver = FakeV4L2Driver()
        driver.prepareError = OmoteError(
            .captureCameraLibraryNotLoaded, operation: "open the camera", subject: "libv4l2.so.0",
            reason: "not loaded (test)", remedy: "none")
        let error = #expect(throws: OmoteError.self) {
            _ = try V4L2Camera(options: V4L2CameraOptions(device: "/dev/video0"), driver: driver)
        }
        #expect(error?.code == .captureCameraLibraryNotLoaded)
        let info = V4L2DeviceInfo.inspect("/dev/video0", driver: driver)
        #expect(info.problem?.contains("libv4l2.so.0") == true, "\(info.problem ?? "no problem")")
        #expect(!info.isCamera)
        #expect(driver.calls.isEmpty, "\(driver.calls)")
    }
}
