import ArgumentParser
import Foundation
import Omote

struct LiveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "live",
        abstract: "Track your face from a V4L2 webcam and drive the avatar on this terminal or in a window.",
        discussion:
            "Keys: q (or Ctrl-C) quits, r resets, c starts the guided calibration; in the window also Escape or its close "
            + "button quit, and h toggles the overlay. "
            + "--view window --background green makes a window OBS can key. Unplugging the camera pauses the session until "
            + "it is plugged back in. See Docs/camera.md for options and errors."
    )

    @OptionGroup var camera: CameraOptions
    @OptionGroup var session: SessionOptions
    @OptionGroup var display: ViewOptions

    /// Seconds between progress lines when stdout is not a terminal.
    static let progressSeconds: UInt64 = 5

    func run() throws {
        if display.sessionView == .headless {
            Session.printStatus(
                "not a terminal: camera frames are processed in a separate process that sends timings only; "
                    + "showing status and timings only")
        }
        // Each plug-in of the camera is one generation: a forked process that opens it, engages its own guard and
        // runs the session; this process only waits for a re-plug (see CameraGenerations).
        let ending = CameraGenerations.run(
            CameraGenerations.Settings(device: camera.cameraOptions.device),
            waiting: { Session.printStatus("camera disconnected: waiting for \($0) to come back (Ctrl-C quits)") },
            generation: runGeneration)
        switch ending {
        case .exited(0):
            return
        case let .exited(code):
            throw ExitCode(code)
        case .signalled(SIGINT):
            Session.printStatus("stopped (interrupted)")
            throw ExitCode(128 + SIGINT)
        case let .signalled(signal):
            Session.printStatus(
                "stopped: the session was killed by signal \(signal)"
                    + (signal == SIGSYS ? " (the privacy guard refused a forbidden system call)" : ""))
            throw ExitCode(128 + signal)
        }
    }

    /// One generation: a sensor process opens the camera, engages its own guard with exactly this node writable and
    /// processes the frames; this process (the presenter) engages its guard and draws the records, or without a
    /// terminal prints progress lines (and the sensor sends no expression data). Returns the sensor's exit code (see
    /// `CameraGenerations`), or 1 when the presenter failed.
    private func runGeneration(_ generation: CameraGenerations.Generation) -> Int32 {
        let options = camera.cameraOptions
        let configuration = session.configuration
        let view = display.sessionView
        let headless = view == .headless
        do {
            let sensor = try SensorProcess.start { ends in
                SensorProcess.camera(
                    ends: ends, options: options, generation: generation, configuration: configuration,
                    content: headless ? .timingsOnly : .expression)
            }
            let names = [generation.device ?? options.device ?? "camera"]
            var window: PresenterWindow?
            if case .window(let settings) = view {
                window = try Presenter.openWindow(for: sensor, sourceName: names[0], settings: settings)
            }
            let guardStatus = try Presenter.engage(
                sensor, window: window, avatarPath: configuration.avatarPath)
            let outcome: Presenter.Outcome
            if headless {
                print(guardStatus.summary)
                outcome = Presenter.runHeadless(
                    sensor: sensor, guardStatus: guardStatus, sourceNames: names,
                    report: .progress(seconds: Self.progressSeconds), line: Session.printLine,
                    status: Session.printStatus)
            } else {
                outcome = Presenter.run(
                    sensor: sensor, guardStatus: guardStatus, avatarPath: configuration.avatarPath,
                    sourceNames: names, view: window.map(PresenterView.window) ?? .terminal,
                    status: Session.printStatus)
                if outcome.presented { Session.printStatus(guardStatus.summary) }
            }
            // A disconnect hands over to the launcher quietly; a retry's open failure is not reported.
            let code = Session.report(outcome, quiet: outcome.failureCode == .captureDisconnected)
            return outcome.sensorEnding.exitCodeIfExited.map { $0 == 0 ? code : $0 } ?? code
        } catch {
            Self.report(error)
            return 1
        }
    }

    /// What ArgumentParser would have printed for an error thrown out of `run`.
    private static func report(_ error: any Error) {
        FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
    }
}
