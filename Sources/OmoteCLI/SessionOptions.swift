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
        help:
            "Drive the avatar with MediaPipe's blendshape scores as they are: no geometric corrections (jaw, winks, wide eyes, puffed cheeks, flared nostrils), no automatic rest removal and no smoothing after the landmarks'."
    )
    var rawBlendshapes = false

    @Flag(
        help:
            "Drive the avatar without Omote's One Euro filters on the weights and head pose (MediaPipe's smoothing of the landmarks stays); --raw-blendshapes switches them off too."
    )
    var noOutputSmoothing = false

    @Flag(
        help:
            "Start the guided calibration with the first face: a neutral face, then five expressions on prompt, 2.5 s each (c in the live view starts it at any time). What it learns stays in memory for this session only."
    )
    var calibrate = false

    @Flag(
        help: "Keep going when frame memory cannot be locked out of swap (low ulimit -l); the status line then warns.")
    var allowSwappableMemory = false

    func validate() throws {
        // Applied at parse time, before any frame memory exists.
        if allowSwappableMemory { PrivateMemory.allowSwappableMemory() }
        if calibrate && rawBlendshapes {
            throw ValidationError(
                "--calibrate adjusts Omote's refined scores; --raw-blendshapes switches them off: use one of the two")
        }
        if let fieldOfView, !(fieldOfView > 10 && fieldOfView < 170) {
            throw ValidationError("--field-of-view must be between 10 and 170 degrees")
        }
    }

    var configuration: PipelineConfiguration {
        var configuration = PipelineConfiguration()
        if let meshModel { configuration.meshModelPath = meshModel }
        configuration.avatarPath = avatar
        configuration.horizontalFieldOfViewDegrees = fieldOfView
        configuration.rawBlendshapes = rawBlendshapes
        configuration.smoothsOutput = !noOutputSmoothing
        configuration.calibratesAtStart = calibrate
        return configuration
    }
}

/// Status lines shared by the commands (stderr, "omote: …"): timings and counts only, never expression values.
enum Session {
    static func printStatus(_ line: String) {
        FileHandle.standardError.write(Data(("omote: " + line + "\n").utf8))
    }

    /// A report line on stdout, flushed at once: a log or a pipe sees each clip as it ends, not at exit.
    static func printLine(_ line: String) {
        print(line)
        fflush(nil)
    }
}
