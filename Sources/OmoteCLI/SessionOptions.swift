import ArgumentParser
import Foundation
import Omote
import OmoteCore

/// Options shared by `omote live`, `omote replay` and `omote bench`: the model, avatar and camera geometry.
struct SessionOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "MediaPipe face_landmarker.task, the tracker's networks (default: $OMOTE_FACE_LANDMARKER or ~/.cache/omote/face_landmarker.task, fetched by Scripts/setup.sh).",
            valueName: "file"))
    var meshModel: String?

    @Option(
        help: ArgumentHelp(
            "Avatar to drive: a .gltf, .glb or .vrm file (default: the built-in avatar).", valueName: "file"))
    var avatar: String?

    @Option(
        help: ArgumentHelp(
            "Camera's horizontal field of view in degrees, for head pose (default: MediaPipe's 63° vertical).",
            valueName: "degrees"))
    var fieldOfView: Float?

    @Flag(
        help: "Keep going when frame memory cannot be locked out of swap (low ulimit -l); the status line then warns.")
    var allowSwappableMemory = false

    func validate() throws {
        // Applied at parse time, before any frame memory exists.
        if allowSwappableMemory { PrivateMemory.allowSwappableMemory() }
        if let fieldOfView, !(fieldOfView > 10 && fieldOfView < 170) {
            throw ValidationError("--field-of-view must be between 10 and 170 degrees")
        }
    }

    var configuration: PipelineConfiguration {
        var configuration = PipelineConfiguration()
        if let meshModel { configuration.meshModelPath = meshModel }
        configuration.avatarPath = avatar
        configuration.horizontalFieldOfViewDegrees = fieldOfView
        return configuration
    }
}

/// Runs a source through the pipeline under the privacy guard: the live view on a terminal, status lines otherwise.
enum Session {
    /// Returns the runner, which says how processing ended (e.g. the camera was disconnected).
    @discardableResult
    static func run(
        source: FrameSource, pipeline: FrameProcessor, guardStatus: PrivacyGuardStatus
    ) throws -> PipelineRunner {
        let runner = try PipelineRunner(source: source, processor: pipeline, engagement: guardStatus.engagement)
        runner.afterFirstResult = PrivacyGuard.narrowForSteadyState
        let decision = OutputPolicy.decision()
        if decision.allowed, let terminal = try? TerminalSession() {
            runner.start()
            if let failure = LiveDisplay.runInteractive(
                runner, terminal: terminal, avatar: pipeline.rigModel.map(AvatarPainter.init(model:)))
            {
                printStatus("stopped: \(failure)")
            }
        } else {
            printStatus(
                "expression data is shown only on an interactive terminal (\(decision.reason ?? "no terminal")); printing status and timings only"
            )
            runner.start()
            LiveDisplay.runHeadless(runner, status: printStatus)
        }
        if let failure = runner.failureDescription { printStatus("stopped: \(failure)") }
        printSummary(runner.timingHistory(), frames: runner.latest.read().value.framesProcessed, source: source.stats)
        return runner
    }

    static func printStatus(_ line: String) {
        FileHandle.standardError.write(Data(("omote: " + line + "\n").utf8))
    }

    static func printSummary(_ history: TimingHistory, frames: Int, source stats: FrameSourceStats) {
        guard frames > 0 || stats.corrupt > 0 else { return }
        printStatus(
            "\(frames) frames, \(stats.dropped) dropped, \(corruptSummary(stats.corrupt, first: stats.firstDamage)); "
                + stageSummary(history))
    }

    /// "0 corrupt", or "3 corrupt (first: bogus marker length)".
    static func corruptSummary(_ count: Int, first: FrameDamage?) -> String {
        guard count > 0 else { return "0 corrupt" }
        return "\(count) corrupt (first: \(first?.description ?? "unknown"))"
    }

    /// Per-stage p50/p99 in µs: timings only, never expression values.
    static func stageSummary(_ history: TimingHistory) -> String {
        PipelineStage.allCases.filter { $0 != .draw }.map { stage in
            String(
                format: "%@ p50 %.0f µs, p99 %.0f µs", stage.label, Double(history.quantile(0.5, of: stage)) / 1000,
                Double(history.quantile(0.99, of: stage)) / 1000)
        }.joined(separator: "; ")
    }
}
