/// Why a camera could not be opened or stopped streaming. Each message names the device and says what to do.
public struct V4L2CameraError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Kind: Sendable, Equatable {
        /// No /dev/video* node at all, or none of them is a usable camera.
        case noCamera
        /// The node given with --device does not exist.
        case noSuchDevice
        /// EACCES/EPERM opening the node.
        case permissionDenied
        /// EBUSY: another program is using the camera.
        case busy
        /// The node is not a video capture device (or only a metadata node, or has no streaming I/O).
        case notACamera
        /// The camera offers no pixel format Omote can read, or not the one asked for.
        case noSupportedFormat
        /// ENOSPC at VIDIOC_STREAMON: the USB bus cannot carry this format/size/rate.
        case insufficientBandwidth
        /// The camera went away mid-stream (ENODEV, POLLERR): capture stopped cleanly.
        case disconnected
        /// No frame arrived within the poll timeout.
        case stalled
        /// Any other failure of a V4L2 call.
        case driverFailure
    }

    public let device: String
    public let kind: Kind
    /// The specifics: the failing call and errno, the offered formats, the frame count …
    public let detail: String

    public init(device: String, kind: Kind, detail: String) {
        self.device = device
        self.kind = kind
        self.detail = detail
    }

    public var description: String {
        switch kind {
        case .noCamera:
            "no camera found (\(detail)). Plug in a UVC webcam and check `omote devices`; without a camera, `omote replay` plays SampleFrames/."
        case .noSuchDevice:
            "\(device) does not exist. Run `omote devices` to list cameras and pass one with --device."
        case .permissionDenied:
            "no permission to open \(device) (\(detail)). Add yourself to the 'video' group (sudo usermod -aG video $USER), then log out and back in."
        case .busy:
            "\(device) is busy (\(detail)): another program (a browser tab, OBS, a video call) is using the camera. Close it and retry."
        case .notACamera:
            "\(device) is not a camera Omote can stream from: \(detail). Run `omote devices` and pick a node marked 'capture'."
        case .noSupportedFormat:
            "\(device) offers no pixel format Omote can read: \(detail). Omote reads MJPEG, YUYV, UYVY, NV12, NV21, YU12, YV12 and GREY."
        case .insufficientBandwidth:
            "\(device) cannot start streaming: not enough USB bandwidth (\(detail)). Use --format mjpeg, a smaller --size or lower --fps, or plug the camera into another USB port."
        case .disconnected:
            "\(device) was disconnected (\(detail)); capture stopped cleanly. Plug the camera back in and start again."
        case .stalled:
            "\(device) stalled: \(detail). Check the camera's privacy shutter or switch, close other programs using it, or replug it; a lower --fps can help in the dark."
        case .driverFailure:
            "\(device): \(detail). Replug the camera; if it keeps failing, try another --format or --size."
        }
    }

    /// Classifies an errno from a V4L2 call made while setting up or streaming.
    static func from(_ errno: DriverErrno, device: String, during call: String) -> V4L2CameraError {
        let detail = "\(call): \(errno)"
        switch errno {
        case .noDevice, .noSuchDeviceOrAddress:
            return V4L2CameraError(device: device, kind: .disconnected, detail: detail)
        case .busy: return V4L2CameraError(device: device, kind: .busy, detail: detail)
        case .permissionDenied, .notPermitted:
            return V4L2CameraError(device: device, kind: .permissionDenied, detail: detail)
        case .noSuchFile: return V4L2CameraError(device: device, kind: .noSuchDevice, detail: detail)
        case .notTTY:
            return V4L2CameraError(
                device: device, kind: .notACamera, detail: "it does not answer V4L2 requests (\(call): \(errno))")
        default: return V4L2CameraError(device: device, kind: .driverFailure, detail: detail)
        }
    }
}
