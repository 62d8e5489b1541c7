import ArgumentParser
import Omote

struct LiveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "live",
        abstract: "Track your face from a V4L2 webcam and drive the avatar on this terminal.",
        discussion:
            "Keys: q (or Ctrl-C) quits, c runs the neutral calibration. See Docs/camera.md for options and errors."
    )

    @OptionGroup var camera: CameraOptions
    @OptionGroup var session: SessionOptions

    func run() throws {
        if !OutputPolicy.expressionDataAllowed {
            // No terminal: the camera is opened and processed in a child that can write nothing but timing records.
            try HeadlessLive.run(camera: camera.cameraOptions, configuration: session.configuration)
            return
        }
        // Open and negotiate the camera first: the guard then allows exactly this node and nothing else to be written.
        let source = try V4L2Camera(options: camera.cameraOptions)
        Session.printStatus("camera: \(source.format)")
        let guardStatus = try PrivacyGuard.engage(cameraDevice: source.format.device)
        Session.printStatus(guardStatus.summary)
        let pipeline = try FacePipelines.load(session.configuration, progress: Session.printStatus)
        try Session.run(source: source, options: session, pipeline: pipeline, guardStatus: guardStatus)
        source.stop()
    }
}
