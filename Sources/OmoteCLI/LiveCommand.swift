import ArgumentParser
import Foundation
import Omote

struct LiveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "live",
        abstract: "Track your face from a V4L2 webcam and drive the avatar on this terminal.",
        discussion:
            "Keys: q (or Ctrl-C) quits. Unplugging the camera pauses the session until "
            + "it is plugged back in. See Docs/camera.md for options and errors."
    )

    @OptionGroup var camera: CameraOptions
    @OptionGroup var session: SessionOptions

    func run() throws {
        if !OutputPolicy.expressionDataAllowed {
            // No terminal: the camera is opened and processed in a child that can write nothing but timing records.
            try HeadlessLive.run(camera: camera.cameraOptions, configuration: session.configuration)
            return
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

    /// One generation: open the camera, engage the guard with exactly this node writable, run the session. Returns
    /// its exit code (see `CameraGenerations`).
    private func runGeneration(_ generation: CameraGenerations.Generation) -> Int32 {
        var options = camera.cameraOptions
        options.device = generation.device ?? options.device
        let source: V4L2Camera
        do {
            source = try V4L2Camera(options: options)
        } catch {
            if generation.reportsOpenFailure { Self.report(error) }
            return CameraGenerations.exitCode(openFailure: error)
        }
        generation.announce(device: source.name)
        do {
            Session.printStatus("camera: \(source.format)")
            let guardStatus = try PrivacyGuard.engage(cameraDevice: source.format.device)
            Session.printStatus(guardStatus.summary)
            let pipeline = try MeshFacePipeline.load(session.configuration, progress: Session.printStatus)
            let runner = try Session.run(source: source, pipeline: pipeline, guardStatus: guardStatus)
            source.stop()
            return CameraGenerations.exitCode(after: runner)
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
