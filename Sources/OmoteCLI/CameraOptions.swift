import ArgumentParser
import Omote

/// The camera options `omote live` (and anything else that opens the webcam) accepts. See Docs/camera.md.
struct CameraOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "V4L2 device node, e.g. /dev/video0 (default: the first camera; list them with `omote devices`).",
            valueName: "path"))
    var device: String?

    @Option(
        help: ArgumentHelp(
            "Frame size WxH, e.g. 1280x720 (default: the smallest offered size of at least 640x360). The driver may pick the nearest size it has; Omote prints what it granted.",
            valueName: "WxH"))
    var size: String?

    @Option(
        help: ArgumentHelp(
            "Frame rate (default: the fastest offered, up to 60). The driver may round it.", valueName: "fps"))
    var fps: Double?

    @Option(
        help: ArgumentHelp(
            "Pixel format: auto, mjpeg, yuyv, uyvy, nv12, nv21, yu12, yv12, grey, or a FourCC (default: auto = MJPEG if offered).",
            valueName: "format"))
    var format: String = "auto"

    func validate() throws {
        if let size, FrameSize(parsing: size) == nil {
            throw ValidationError("--size must look like 1280x720 (width x height in pixels), not '\(size)'")
        }
        if let fps, !(fps > 0 && fps <= 1000) {
            throw ValidationError("--fps must be a frame rate between 0 and 1000, not \(fps)")
        }
        if format.lowercased() != "auto" {
            guard let pixelFormat = V4L2PixelFormat(name: format) else {
                throw ValidationError("--format '\(format)' is neither a known format name nor a 4-character FourCC")
            }
            guard pixelFormat.isSupported else {
                throw ValidationError(
                    "--format \(pixelFormat.fourCC) cannot be read by Omote; use auto, mjpeg, yuyv, uyvy, nv12, nv21, yu12, yv12 or grey"
                )
            }
        }
    }

    /// The options for `V4L2Camera(options:)` (call after `validate()`, which ArgumentParser runs).
    var cameraOptions: V4L2CameraOptions {
        V4L2CameraOptions(
            device: device, size: size.flatMap(FrameSize.init(parsing:)), framesPerSecond: fps,
            format: format.lowercased() == "auto" ? nil : V4L2PixelFormat(name: format))
    }
}
