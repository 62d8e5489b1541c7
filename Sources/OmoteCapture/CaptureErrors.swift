import OmoteCore
import SystemPackage

/// The failures of the capture layer: a camera that cannot be opened or stops streaming, a frame that cannot be
/// decoded, a clip that cannot be replayed. Every error names the device, frame or clip and says what to do.
extension OmoteError.Code {
    /// No /dev/video* node at all, or none of them is a usable camera.
    public static let cameraNotFound = Self("camera.notFound")
    /// The node given with --device does not exist.
    public static let cameraNoSuchDevice = Self("camera.noSuchDevice")
    /// EACCES/EPERM opening the node.
    public static let cameraPermissionDenied = Self("camera.permissionDenied")
    /// EBUSY: another program is using the camera.
    public static let cameraBusy = Self("camera.busy")
    /// The node is not a video capture device (or only a metadata node, or has no streaming I/O).
    public static let cameraNotACamera = Self("camera.notACamera")
    /// The camera offers no pixel format Omote can read, or not the one asked for.
    public static let cameraNoSupportedFormat = Self("camera.noSupportedFormat")
    /// ENOSPC at VIDIOC_STREAMON: the USB bus cannot carry this format/size/rate.
    public static let cameraInsufficientBandwidth = Self("camera.insufficientBandwidth")
    /// The camera went away mid-stream (ENODEV, POLLERR): capture stopped cleanly.
    public static let cameraDisconnected = Self("camera.disconnected")
    /// No frame arrived within the poll timeout.
    public static let cameraStalled = Self("camera.stalled")
    /// Any other failure of a V4L2 call.
    public static let cameraDriverFailure = Self("camera.driverFailure")

    /// A frame (camera buffer or clip file) that is not a decodable image; it is skipped.
    public static let frameUndecodable = Self("frame.undecodable")
    /// libjpeg-turbo could not start a decoder.
    public static let decoderUnavailable = Self("frame.decoderUnavailable")

    /// A clip folder without a readable, well-formed manifest or with missing frame files.
    public static let replayClipUnreadable = Self("replay.clipUnreadable")
}

extension OmoteError {
    /// A camera failure on `device`; `detail` says which call failed and how (the offered formats, the frame count …).
    static func camera(_ code: Code, device: String, detail: String, errno: Errno? = nil) -> OmoteError {
        var operation = "open the camera"
        let reason: String
        let remedy: String
        switch code {
        case .cameraNotFound:
            reason = "no camera found (\(detail))"
            remedy = "Plug in a UVC webcam and check `omote devices`; without a camera, `omote replay` plays SampleFrames/."
        case .cameraNoSuchDevice:
            reason = "it does not exist (\(detail))"
            remedy = "Run `omote devices` to list cameras and pass one with --device."
        case .cameraPermissionDenied:
            reason = "no permission to open it (\(detail))"
            remedy = "Add yourself to the 'video' group (sudo usermod -aG video $USER), then log out and back in."
        case .cameraBusy:
            reason = "it is busy (\(detail)): another program (a browser tab, OBS, a video call) is using the camera"
            remedy = "Close it and retry."
        case .cameraNotACamera:
            reason = "it is not a camera Omote can stream from: \(detail)"
            remedy = "Run `omote devices` and pick a node marked 'capture'."
        case .cameraNoSupportedFormat:
            reason = "it offers no pixel format Omote can read: \(detail)"
            remedy = "Omote reads MJPEG, YUYV, UYVY, NV12, NV21, YU12, YV12 and GREY."
        case .cameraInsufficientBandwidth:
            operation = "start streaming"
            reason = "not enough USB bandwidth (\(detail))"
            remedy = "Use --format mjpeg, a smaller --size or lower --fps, or plug the camera into another USB port."
        case .cameraDisconnected:
            operation = "keep streaming"
            reason = "the camera was disconnected (\(detail)); capture stopped cleanly"
            remedy = "Plug the camera back in and start again."
        case .cameraStalled:
            operation = "get a frame"
            reason = "the camera stalled: \(detail)"
            remedy = "Check the camera's privacy shutter or switch, close other programs using it, or replug it; "
                + "a lower --fps can help in the dark."
        default:
            reason = detail
            remedy = "Replug the camera; if it keeps failing, try another --format or --size."
        }
        return OmoteError(code, operation: operation, subject: device, reason: reason, remedy: remedy, errno: errno)
    }

    /// Classifies the errno of a V4L2 call made while setting up or streaming.
    static func camera(_ errno: Errno, device: String, during call: String) -> OmoteError {
        let code: Code
        var detail = call
        switch errno {
        case .operationNotSupportedByDevice, .noSuchAddressOrDevice: code = .cameraDisconnected  // ENODEV, ENXIO
        case .resourceBusy: code = .cameraBusy
        case .permissionDenied, .notPermitted: code = .cameraPermissionDenied
        case .noSuchFileOrDirectory: code = .cameraNoSuchDevice
        case .inappropriateIOCTLForDevice:
            code = .cameraNotACamera
            detail = "it does not answer V4L2 requests (\(call))"
        default: code = .cameraDriverFailure
        }
        return camera(code, device: device, detail: detail, errno: errno)
    }

    /// A frame that could not be decoded; `source` names the device frame or clip file (never pixel data).
    static func frame(_ source: String, _ reason: String) -> OmoteError {
        OmoteError(.frameUndecodable, operation: "decode a frame", subject: source, reason: reason,
                   remedy: "The frame is skipped; if every frame fails, try another --format.")
    }

    /// A clip that cannot be replayed.
    static func replay(_ clip: String, _ reason: String) -> OmoteError {
        OmoteError(.replayClipUnreadable, operation: "replay a clip", subject: clip, reason: reason,
                   remedy: "Pass a SampleFrames clip folder (regenerate them with SampleFrames/make-samples.sh).")
    }
}
