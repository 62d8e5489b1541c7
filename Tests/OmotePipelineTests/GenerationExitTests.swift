import Foundation
import OmoteCapture
import OmoteCore
import OmotePipeline
import OmoteRig
import OmoteTestSupport
import OmoteView
import SystemPackage
import Testing

/// A processor that only counts frames (the camera side is what these tests watch).
private final class FrameCounter: FrameProcessor {
    var frames = 0
    let rigModel: RigModel? = nil
    func process(
        _ frame: borrowing VideoFrame, delivery: FrameDelivery, into result: inout FaceFrameResult, rig: inout RigState?
    ) { frames += 1 }
    func reset() {}
}

/// The camera side of re-plugging, through the fake kernel: how a generation's session ends decides its exit code,
/// and so whether the launcher waits for the camera to come back.
@Suite struct GenerationExitTests {
    @Test("Unplugged mid-session: the camera stops cleanly, nothing leaks, the generation exits 'disconnected'")
    func unplugIsTheDisconnectExitCode() throws {
        let driver = FakeV4L2Driver()
        driver.pollScript = [.frames(1), .frames(1), .frames(1), .unplug]
        let camera = try V4L2Camera(options: V4L2CameraOptions(), driver: driver)
        let processor = FrameCounter()
        let runner = try PipelineRunner(source: camera, processor: processor, engagement: .unguardedForTests)
        runner.start()
        runner.waitUntilFinished()
        #expect(processor.frames == 3)
        #expect(runner.failureCode == .captureDisconnected)
        #expect(driver.everythingReleased && driver.unmappedWithFrameData == 0 && !camera.isOpen)
        #expect(CameraGenerations.exitCode(after: runner) == CameraGenerations.disconnectedExitCode)
    }

    @Test("EIO from DQBUF mid-session is a disconnect too; a format change is not (the launcher ends with it)")
    func otherEndings() throws {
        let driver = FakeV4L2Driver()
        driver.pollScript = [.frames(1)]
        driver.failingOnce[.dequeueBuffer] = .ioError
        let camera = try V4L2Camera(options: V4L2CameraOptions(), driver: driver)
        let runner = try PipelineRunner(source: camera, processor: FrameCounter(), engagement: .unguardedForTests)
        runner.start()
        runner.waitUntilFinished()
        #expect(CameraGenerations.exitCode(after: runner) == CameraGenerations.disconnectedExitCode)
        #expect(driver.everythingReleased)

        let changing = FakeV4L2Driver(payload: FakeV4L2Driver.sampleFramePayloadAtFormatSize)
        var options = V4L2CameraOptions()
        options.pollTimeoutMilliseconds = 30
        let reconfigured = try V4L2Camera(options: options, driver: changing)
        // One frame at the negotiated size, then another program switches the camera to 1280×720 (the fake kernel is
        // not thread-safe: the change is made before the processing thread starts).
        var frame = try VideoFrame(capacity: 640 * 360, maximumPixelCount: reconfigured.maximumFramePixels)
        _ = try reconfigured.next(into: &frame)
        changing.changeFormat(size: FrameSize(width: 1280, height: 720))
        let runner2 = try PipelineRunner(
            source: reconfigured, processor: FrameCounter(), engagement: .unguardedForTests)
        runner2.start()
        runner2.waitUntilFinished()
        #expect(runner2.failureCode == .captureFormatChanged)
        #expect(CameraGenerations.exitCode(after: runner2) == 1)
        #expect(changing.everythingReleased)
    }

    @Test("A camera that cannot be opened yet (missing, no permission, busy) is 'unavailable'; a guard failure is not")
    func openFailures() {
        for failure in [Errno.permissionDenied, .resourceBusy] {
            var webcam = FakeV4L2Driver.Camera()
            webcam.openError = failure
            let driver = FakeV4L2Driver(nodes: [("/dev/video0", webcam)])
            let error = #expect(throws: OmoteError.self) {
                try V4L2Camera(options: V4L2CameraOptions(device: "/dev/video0"), driver: driver)
            }
            #expect(error.map(CameraGenerations.exitCode(openFailure:)) == CameraGenerations.cameraUnavailableExitCode)
        }
        let missing = #expect(throws: OmoteError.self) {
            try V4L2Camera(options: V4L2CameraOptions(device: "/dev/video7"), driver: FakeV4L2Driver())
        }
        #expect(missing.map(CameraGenerations.exitCode(openFailure:)) == CameraGenerations.cameraUnavailableExitCode)
        let guardFailure = OmoteError(
            OmoteError.Code("privacy.seccomp"), operation: "engage", subject: "", reason: "r", remedy: "m")
        #expect(CameraGenerations.exitCode(openFailure: guardFailure) == 1)
    }

    @Test(
        "On a terminal, an unplugged camera ends the live view by itself (no key press), so the launcher can wait for the re-plug"
    )
    func liveViewHandsOverOnUnplug() throws {
        // The view needs a real terminal: a pseudo-terminal, with the view in a forked child whose stdin and stdout
        // are its slave side; this side drains the master. A view that waited for q would be killed at the deadline.
        // The camera is unplugged and the runner finished before the fork, so the child starts no thread (a forked
        // child of this many-threaded test process must not depend on locks other threads may hold).
        let pseudoTerminal = try PseudoTerminal.open()
        let master = pseudoTerminal.master
        defer { close(master) }
        let slavePath = pseudoTerminal.slavePath
        let driver = FakeV4L2Driver()
        driver.pollScript = [.frames(1), .frames(1), .frames(1), .unplug]
        let camera = try V4L2Camera(options: V4L2CameraOptions(), driver: driver)
        let runner = try PipelineRunner(source: camera, processor: FrameCounter(), engagement: .unguardedForTests)
        runner.start()
        runner.waitUntilFinished()
        try #require(runner.failureCode == .captureDisconnected)
        fflush(nil)
        let pid = fork()
        if pid == 0 {
            var none = sigset_t()
            sigemptyset(&none)
            sigprocmask(SIG_SETMASK, &none, nil)
            _ = setsid()
            let slave = open(slavePath, O_RDWR)
            guard slave >= 0 else { _exit(3) }
            dup2(slave, 0)
            dup2(slave, 1)
            guard let terminal = try? TerminalSession() else { _exit(4) }
            LiveDisplay.runInteractive(runner, terminal: terminal, avatar: nil)
            terminal.restore()
            _exit(0)
        }
        let deadline = MonotonicClock.nanoseconds() + 20_000_000_000
        var status: Int32 = 0
        var buffer = [UInt8](repeating: 0, count: 65536)
        var screen: [UInt8] = []
        while waitpid(pid, &status, WNOHANG) == 0 {
            if MonotonicClock.nanoseconds() > deadline {
                kill(pid, SIGKILL)
                waitpid(pid, &status, 0)
                break
            }
            var entry = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
            if poll(&entry, 1, 50) > 0 {
                let count = read(master, &buffer, buffer.count)
                if count > 0 { screen += buffer[0 ..< count] }
            }
        }
        // What the child wrote just before it exited may still be in the pseudo-terminal: read it to the end.
        while true {
            var entry = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, 200) > 0 else { break }
            let count = read(master, &buffer, buffer.count)
            guard count > 0 else { break }
            screen += buffer[0 ..< count]
        }
        #expect(status & 0x7F == 0 && (status >> 8) & 0xFF == 0, "wait status \(status)")
        #expect(String(decoding: screen, as: UTF8.self).contains("\u{1B}[?1049l"), "the alternate screen was left")
    }
}
