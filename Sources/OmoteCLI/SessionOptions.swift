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

/// Status lines shared by the commands (stderr, "omote: …"): timings and counts only, never expression values.
enum Session {
    static func printStatus(_ line: String) {
        FileHandle.standardError.write(Data(("omote: " + line + "\n").utf8))
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
