import ArgumentParser
import Foundation
import Omote

struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay SampleFrames clips through the real pipeline under the privacy guard.",
        discussion: """
            CLIP is a clip name in SampleFrames/ (single_face, face_noface, no_face) or a folder with manifest.tsv. Without \
            CLIP, every sample clip plays. On a terminal the live view shows the avatar; with --view window an X11 window \
            shows it at full size; otherwise only per-clip timings are printed.
            """
    )

    @Argument(help: "Clip name or folder; default: all sample clips.")
    var clip: String?

    @Flag(help: "Play as fast as possible instead of at the clip's nominal frame rate.")
    var fast = false

    @Option(help: "Playback speed factor at nominal rate (2 = twice as fast).")
    var speed: Double = 1

    @Flag(help: "Start over at the end until you quit.")
    var loop = false

    @OptionGroup var session: SessionOptions
    @OptionGroup var display: ViewOptions

    func validate() throws {
        guard speed > 0, speed.isFinite else { throw ValidationError("--speed must be a positive number") }
    }

    func run() throws {
        let clipPaths: [String]
        if let clip {
            guard let path = SampleFrames.resolveClip(clip) else {
                throw ValidationError(
                    "no clip '\(clip)': give a SampleFrames clip name (\(SampleFrames.clipNames.joined(separator: ", "))) or a folder containing manifest.tsv"
                )
            }
            clipPaths = [path]
        } else {
            guard let root = SampleFrames.locate() else {
                throw ValidationError(
                    "SampleFrames/ not found: run from the repository root or set OMOTE_SAMPLE_FRAMES")
            }
            clipPaths = SampleFrames.clipNames.map { root + "/" + $0 }
        }
        let pacing: ReplaySource.Pacing = fast ? .asFastAsPossible : .nominal(speed: speed)
        // Frames are processed in a separate sensor process that holds no terminal or output and sends only
        // fixed-size records; this process (the presenter) draws them, or without a terminal prints timings only
        // (and then the sensor sends no expression data at all). Each side engages its own guard.
        let view = display.sessionView
        let headless = view == .headless
        let sensor = try SensorProcess.start { ends in
            SensorProcess.replay(
                ends: ends, clipPaths: clipPaths, pacing: pacing, loop: loop, configuration: session.configuration,
                content: headless ? .timingsOnly : .expression, perClipSummaries: headless)
        }
        let names = clipPaths.map { ($0 as NSString).lastPathComponent }
        var window: PresenterWindow?
        if case .window(let settings) = view {
            window = try Presenter.openWindow(
                for: sensor, sourceName: names.joined(separator: ", "), settings: settings)
        }
        let guardStatus = try Presenter.engage(
            sensor, window: window, avatarPath: session.configuration.avatarPath)
        print(guardStatus.summary)
        let outcome: Presenter.Outcome
        if headless {
            Session.printStatus(
                "not a terminal: frames are processed in a separate process that sends timings only; "
                    + "showing per-clip timings only")
            outcome = Presenter.runHeadless(
                sensor: sensor, guardStatus: guardStatus, sourceNames: names, report: .perClip,
                line: Session.printLine, status: Session.printStatus)
        } else {
            outcome = Presenter.run(
                sensor: sensor, guardStatus: guardStatus, avatarPath: session.configuration.avatarPath,
                sourceNames: names, view: window.map(PresenterView.window) ?? .terminal, status: Session.printStatus)
        }
        if Session.report(outcome) != 0 { throw ExitCode(1) }
    }
}
