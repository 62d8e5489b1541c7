import Foundation
import OmoteCapture
import OmoteCore
import OmotePrivacy
import OmoteRig
import OmoteView

#if canImport(Glibc)
import Glibc
#endif

/// The presenter of a split session (see `SensorProcess`): engages its own guard keeping only the record pipe's read
/// end and the command pipe's write end besides the terminal, loads the rig, waits for the sensor's guard, then draws
/// the records with the live view until the user quits or the sensor stops. It never maps a camera buffer, runs the
/// JPEG decoder or writes a byte it received to the terminal.
public enum Presenter {
    /// How the session went, for the closing status lines and the exit code.
    public struct Outcome {
        /// Why the session stopped early (the sensor's failure, a record violation, the display), if it did.
        public var failure: String?
        public var failureCode: OmoteError.Code?
        /// How the sensor process ended.
        public var sensorEnding: SensorProcess.Ending
        /// Stage times of the frames drawn, the last frame's counts, and when the first frame arrived.
        public var history: TimingHistory
        public var counts: SensorRecord.Counts
        public var firstFrameNanoseconds: UInt64?
        /// When the first frame was on the screen, from the sensor's fork.
        public var firstDrawNanoseconds: UInt64?
        /// Whether the sensor's guard engaged (so the live view was shown).
        public var presented: Bool
    }

    /// The presenter's guard: the terminal (0–2), the record pipe (read) and the command pipe (write) only, plus the
    /// window's X connection in the window view. With an `avatarPath` the texture decoders are loaded first (no
    /// library can be mapped once the guard is engaged); the built-in avatar needs none, so the presenter then maps no
    /// image decoder at all.
    public static func engage(
        _ sensor: SensorProcess.Handle, window: PresenterWindow? = nil, avatarPath: String? = nil
    ) throws(OmoteError) -> PrivacyGuardStatus {
        // A command to a sensor that has already exited must fail with EPIPE, not kill the presenter.
        signal(SIGPIPE, SIG_IGN)
        if avatarPath != nil { try RigTexture.loadDecoders() }
        return try PrivacyGuard.engage(
            cameraDevice: nil, keeping: [sensor.records], commandChannels: [sensor.commands],
            displayConnection: window?.window.connectionDescriptor)
    }

    /// Runs the presenter: rig from `avatarPath` (nil: the built-in avatar), the live view on this terminal or in
    /// the window with `sourceNames` as the names a record may pick. `status` prints a status line (before and after
    /// the view).
    public static func run(
        sensor: SensorProcess.Handle, guardStatus: PrivacyGuardStatus, avatarPath: String?, sourceNames: [String],
        view: PresenterView = .terminal, status: (String) -> Void
    ) -> Outcome {
        let feed: SensorFeed
        let rig: RigModel
        var sensor = sensor
        if case .window = view { sensor.presenterView = "X11 window" }
        do throws(OmoteError) {
            rig = try RigModel.load(avatarAt: avatarPath, progress: status)
            feed = try SensorFeed(
                sensor: sensor, rigModel: rig, sourceNames: sourceNames, engagement: guardStatus.engagement)
        } catch {
            return abandoned(sensor, error)
        }
        var displayFailure: String?
        let presented = feed.awaitEngaged()
        if presented { announce(feed, sourceNames: sourceNames, status: status) }
        if presented, let engaged = feed.sensorGuard {
            status(
                "\(sensor.description) (its guard: seccomp allow-list of \(engaged.allowedSyscalls) syscalls, "
                    + "no terminal, camera frames never leave it)")
            switch view {
            case .terminal:
                do throws(OmoteError) {
                    let terminal = try TerminalSession()
                    feed.start()
                    displayFailure = LiveDisplay.runInteractive(
                        feed, terminal: terminal, avatar: AvatarPainter(model: rig))
                } catch {
                    displayFailure = "\(error)"
                }
            case .window(let window):
                status(window.summary + "; keys in the window: q or Escape quits, h toggles the overlay, r resets")
                feed.start()
                displayFailure = WindowDisplay.run(feed, window: window, model: rig)
            }
        }
        let ending = feed.close()
        if case .window = view, let quitSignal = WindowDisplay.receivedQuitSignal, displayFailure == nil,
            ending == .signalled(quitSignal) || ending == .exited(0)
        {
            // The same signal reached the whole process group: both sides quit as asked.
            return Outcome(
                failure: nil, failureCode: nil, sensorEnding: .exited(0), history: feed.timingHistory(),
                counts: feed.latestCounts, firstFrameNanoseconds: feed.firstFrameNanoseconds,
                firstDrawNanoseconds: feed.firstDrawNanoseconds, presented: presented)
        }
        return Outcome(
            failure: displayFailure ?? feed.failureDescription(after: ending), failureCode: feed.failureCode,
            sensorEnding: ending, history: feed.timingHistory(), counts: feed.latestCounts,
            firstFrameNanoseconds: feed.firstFrameNanoseconds, firstDrawNanoseconds: feed.firstDrawNanoseconds,
            presented: presented)
    }

    /// The camera's format, as the sensor's `engaged` record gave it: numbers only, named by the presenter.
    static func announce(_ feed: SensorFeed, sourceNames: [String], status: (String) -> Void) {
        guard let camera = feed.cameraFormat else { return }
        let fourCC = V4L2PixelFormat(rawValue: camera.fourCC).fourCC
        status(
            "camera: \(sourceNames.first ?? "camera"): \(fourCC) \(camera.width)×\(camera.height)"
                + String(format: " @ %.2f fps", Double(camera.millihertz) / 1000))
    }

    /// The presenter could not set up (no private memory, no rig): the sensor is told to quit and waited for.
    static func abandoned(_ sensor: SensorProcess.Handle, _ error: OmoteError) -> Outcome {
        SensorCommand.quit.send(to: sensor.commands)
        close(sensor.commands)
        close(sensor.records)
        return Outcome(
            failure: "\(error)", failureCode: error.code, sensorEnding: SensorProcess.wait(sensor.pid),
            history: TimingHistory(capacity: 1), counts: .init(), firstFrameNanoseconds: nil,
            firstDrawNanoseconds: nil, presented: false)
    }
}
