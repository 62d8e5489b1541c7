import Foundation
import OmoteTestSupport
import Testing

/// `omote live` with stdout not a terminal runs the camera in the confined sensor process, as on a terminal: the
/// presenter engages its own guard and prints only timings from the sensor's expression-free records. (The progress path needs a real V4L2 camera,
/// which this machine lacks; the fake driver covers the camera itself in OmoteCaptureTests.)
@Suite struct HeadlessLiveTests {
    @Test(
        "live without a terminal opens the camera in the sensor: a bad device is the sensor's named error, exit 1",
        arguments: ["/tmp/omote-no-such-camera", "/dev/null"])
    func badDeviceIsReportedByTheSensor(device: String) throws {
        let omote = try #require(TestPaths.omoteBinary)
        let result = try ChildProcess.run(omote, ["live", "--device", device])
        #expect(result.status == 1, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdoutLines.first?.hasPrefix("guard: Landlock v") == true, "\(result.stdout)")
        #expect(result.stderr.contains("camera frames are processed in a separate process"), "\(result.stderr)")
        let stopped = result.stderr.split(separator: "\n").first { $0.hasPrefix("omote: stopped: ") }
        #expect(stopped?.contains(device) == true, "\(result.stderr)")
    }
}
