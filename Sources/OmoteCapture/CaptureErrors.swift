import OmoteCore
import SystemPackage

/// The capture layer's failures as `OmoteError` codes: a camera that cannot be opened or stops streaming, a frame that
/// cannot be decoded, a clip that cannot be replayed. Every message names the device, frame or clip and says what to
/// do; where a system call failed, its errno rides along as swift-system's `Errno`.
extension OmoteError.Code {
    /// No /dev/video* node at all, or none of them is a usable camera.
    public static let captureNoCamera = Self("capture.noCamera")
    /// The node given with --device does not exist (ENOENT).
    public static let captureDeviceMissing = Self("capture.deviceMissing")
    /// EACCES/EPERM opening the node.
    public static let capturePermissionDenied = Self("capture.permissionDenied")
    /// EBUSY: another program is using the camera.
    public static let captureDeviceBusy = Self("capture.deviceBusy")
    /// The node is not a video capture device (or only a metadata node, or has no streaming I/O, or is not V4L2).
    public static let captureNotACamera = Self("capture.notACamera")
    /// The camera offers no pixel format Omote can read, not the one asked for, or not one it can convert as asked.
    public static let captureUnsupportedFormat = Self("capture.unsupportedFormat")
    /// ENOSPC at VIDIOC_STREAMON: the USB bus cannot carry this format/size/rate.
    public static let captureInsufficientBandwidth = Self("capture.insufficientBandwidth")
    /// The camera went away (ENODEV, ENXIO, EIO from a queue, POLLERR): capture stopped cleanly.
    public static let captureDisconnected = Self("capture.disconnected")
    /// No frame arrived within the poll timeout; the camera stays open and the next call waits again.
    public static let captureStalled = Self("capture.stalled")
    /// Frames keep arriving but every one was damaged for the poll timeout; the camera stays open and the next call
    /// waits again.
    public static let captureFramesDamaged = Self("capture.framesDamaged")
    /// The driver now streams another format or size than the one negotiated (frames arrive at it): capture stopped
    /// cleanly.
    public static let captureFormatChanged = Self("capture.formatChanged")
    /// Any other failure of a V4L2 call.
    public static let captureDriverFailure = Self("capture.driverFailure")

    /// A frame (camera buffer or clip file) that is not a decodable image: corrupt, truncated, bad geometry.
    public static let captureFrameCorrupt = Self("capture.frameCorrupt")
    /// A frame larger than its source's bound (a header claiming a huge size); nothing was allocated.
    public static let captureFrameTooLarge = Self("capture.frameTooLarge")
    /// libjpeg-turbo could not start a decoder.
    public static let captureDecoderUnavailable = Self("capture.decoderUnavailable")
    /// libturbojpeg.so.0 could not be loaded (not installed, or too old).
    public static let captureDecoderLibraryMissing = Self("capture.decoderLibraryMissing")
    /// A decoder was asked for after the guard engaged in a process that had not loaded libturbojpeg before.
    public static let captureDecoderNotLoaded = Self("capture.decoderNotLoaded")
    /// libv4l2.so.0 could not be loaded (not installed, or lacking a function Omote calls).
    public static let captureCameraLibraryMissing = Self("capture.cameraLibraryMissing")
    /// A camera was opened after the guard engaged in a process that had not loaded libv4l2 before.
    public static let captureCameraLibraryNotLoaded = Self("capture.cameraLibraryNotLoaded")

    /// A clip folder without a readable, well-formed manifest, or with a missing frame file.
    public static let replayClipUnreadable = Self("replay.clipUnreadable")
}

extension OmoteError {
    /// A camera failure on `device`. `detail` is what was found: the failing call, the card and its capabilities, the
    /// offered formats, the frame count. `operation` is the phase ("open the camera", "start streaming", "get a
    /// frame").
    static func camera(
        _ code: Code,
        device: String,
        operation: String = "open the camera",
        _ detail: String,
        errno: Errno? = nil
    ) -> OmoteError {
        let reason: String
        let remedy: String
        switch code {
        case .captureNoCamera:
            reason = "no camera found (\(detail))"
            remedy =
                "Plug in a UVC webcam and check `omote devices`; without a camera, `omote replay` plays SampleFrames/."
        case .captureDeviceMissing:
            reason = "it does not exist (\(detail))"
            remedy = "Run `omote devices` to list cameras and pass one with --device."
        case .capturePermissionDenied:
            reason = "no permission to open it (\(detail))"
            remedy = "Add yourself to the 'video' group (sudo usermod -aG video $USER), then log out and back in."
        case .captureDeviceBusy:
            reason = "it is busy (\(detail)): another program (a browser tab, OBS, a video call) is using the camera"
            remedy = "Close it and retry."
        case .captureNotACamera:
            reason = "it is not a camera Omote can stream from: \(detail)"
            remedy = "Run `omote devices` and pick a node marked 'capture'."
        case .captureUnsupportedFormat:
            reason = "it offers no pixel format Omote can read: \(detail)"
            remedy = "Omote reads MJPEG, YUYV, UYVY, NV12, NV21, YU12, YV12 and GREY."
        case .captureInsufficientBandwidth:
            reason = "not enough USB bandwidth (\(detail))"
            remedy = "Use --format mjpeg, a smaller --size or lower --fps, or plug the camera into another USB port."
        case .captureDisconnected:
            reason = "the camera was disconnected (\(detail)); capture stopped cleanly"
            remedy = "Plug the camera back in: `omote live` waits for it and resumes."
        case .captureStalled:
            reason = "the camera stalled: \(detail)"
            remedy =
                "Check the camera's privacy shutter or switch, close other programs using it, or replug it; a lower "
                + "--fps can help in the dark."
        case .captureFramesDamaged:
            reason = detail
            remedy =
                "Check the USB cable and hub (or plug the camera in directly), or try another --format or --size; Omote "
                + "keeps waiting for a good frame."
        case .captureFormatChanged:
            reason = "the camera changed its format mid-stream: \(detail); capture stopped cleanly"
            remedy =
                "Another program may have reconfigured the camera: close it and start again, or pass the new size "
                + "with --size."
        default:  // a driver failure
            reason = detail
            remedy = "Replug the camera; if it keeps failing, try another --format or --size."
        }
        return OmoteError(code, operation: operation, subject: device, reason: reason, remedy: remedy, errno: errno)
    }

    /// Classifies the errno of a V4L2 call (`call`, e.g. "VIDIOC_S_FMT MJPG 640×360") made on `device`.
    static func camera(
        _ errno: Errno,
        device: String,
        operation: String = "open the camera",
        during call: String
    ) -> OmoteError {
        switch errno {
        case .operationNotSupportedByDevice, .noSuchAddressOrDevice:  // ENODEV, ENXIO
            camera(.captureDisconnected, device: device, operation: operation, call, errno: errno)
        case .resourceBusy:
            camera(.captureDeviceBusy, device: device, operation: operation, call, errno: errno)
        case .permissionDenied, .notPermitted:
            camera(.capturePermissionDenied, device: device, operation: operation, call, errno: errno)
        case .noSuchFileOrDirectory:
            camera(.captureDeviceMissing, device: device, operation: operation, call, errno: errno)
        case .inappropriateIOCTLForDevice:  // ENOTTY: not a V4L2 node at all
            camera(
                .captureNotACamera, device: device, operation: operation,
                "it does not answer V4L2 requests (\(call))", errno: errno)
        default:
            camera(.captureDriverFailure, device: device, operation: operation, "\(call) failed", errno: errno)
        }
    }

    /// A frame that could not be decoded; `source` names the camera frame or clip file (never pixel data). The reason
    /// starts with the damage's catalogue text (`FrameDamage`), so sources can count it by kind; `detail` adds what
    /// the decoder said.
    static func frameCorrupt(_ source: String, _ damage: FrameDamage, _ detail: String = "") -> OmoteError {
        OmoteError(
            .captureFrameCorrupt,
            operation: "decode a frame",
            subject: source,
            reason: detail.isEmpty ? damage.description : "\(damage.description): \(detail)",
            remedy: "Such frames are skipped and counted as corrupt; a steadily rising count points at a bad cable or "
                + "hub, or at a damaged clip."
        )
    }

    /// libturbojpeg.so.0 could not be loaded; `reason` is what the dynamic loader said.
    static func decoderLibraryMissing(_ reason: String) -> OmoteError {
        OmoteError(
            .captureDecoderLibraryMissing,
            operation: "load the JPEG decoder",
            subject: "libturbojpeg.so.0",
            reason: reason,
            remedy: "Install libjpeg-turbo: sudo apt install libturbojpeg0 (`omote doctor` checks it)."
        )
    }

    /// A decoder made after the guard engaged, in a process that did not load libturbojpeg before: the guard forbids
    /// mapping it now. A bug in the caller, reported rather than crashed on.
    static var decoderLibraryNotLoaded: OmoteError {
        OmoteError(
            .captureDecoderNotLoaded,
            operation: "start the JPEG decoder",
            subject: "libturbojpeg.so.0",
            reason: "the privacy guard engaged before the decoder library was loaded, and it can no longer be mapped",
            remedy: "Call JPEGDecoder.loadLibrary() before PrivacyGuard.engage in every process that decodes."
        )
    }

    /// libv4l2.so.0 could not be loaded; `reason` is what the dynamic loader said.
    static func cameraLibraryMissing(_ reason: String) -> OmoteError {
        OmoteError(
            .captureCameraLibraryMissing,
            operation: "load the camera library",
            subject: "libv4l2.so.0",
            reason: reason,
            remedy: "Install libv4l2: sudo apt install libv4l-0 (`omote doctor` checks it)."
        )
    }

    /// A camera opened after the guard engaged, in a process that did not load libv4l2 before: the guard forbids
    /// mapping it now. A bug in the caller, reported rather than crashed on.
    static var cameraLibraryNotLoaded: OmoteError {
        OmoteError(
            .captureCameraLibraryNotLoaded,
            operation: "open the camera",
            subject: "libv4l2.so.0",
            reason: "the privacy guard engaged before the camera library was loaded, and it can no longer be mapped",
            remedy:
                "Call V4L2SystemDriver.loadLibrary() before PrivacyGuard.engage in every process that opens a camera."
        )
    }

    /// A clip that cannot be replayed.
    package static func replay(_ clip: String, _ reason: String) -> OmoteError {
        OmoteError(
            .replayClipUnreadable,
            operation: "replay the clip",
            subject: clip,
            reason: reason,
            remedy:
                "Pass a SampleFrames clip folder (manifest.tsv and the JPEG files it lists); regenerate the samples "
                + "with SampleFrames/make-samples.sh."
        )
    }

    /// This error about `subject`, when it did not name one yet (a frame buffer that does not know whose frame it is
    /// holding). The code, and so what the caller does about it, stays the same.
    func naming(_ subject: String) -> OmoteError {
        guard self.subject.isEmpty else { return self }
        var named = self
        named.subject = subject
        return named
    }
}
