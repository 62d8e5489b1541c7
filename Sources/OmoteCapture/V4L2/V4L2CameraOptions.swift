/// What to ask the camera for. Everything is optional: by default Omote picks the first camera, MJPEG, a size near
/// 640×360 and the fastest rate up to 60 fps, and reports what the driver actually granted.
public struct V4L2CameraOptions: Sendable, Equatable {
    /// A device node such as /dev/video0; nil picks the first node that is a streaming capture device.
    public var device: String?
    public var size: FrameSize?
    public var framesPerSecond: Double?
    /// nil: the best offered format in `V4L2PixelFormat.preferenceOrder`.
    public var format: V4L2PixelFormat?
    /// Buffers to ask for (the driver may grant fewer; at least two are needed to keep one filling while one decodes).
    public var bufferCount = 4
    /// How long `next(into:)` waits for a frame before reporting a stalled camera.
    public var pollTimeoutMilliseconds: Int32 = 2000
    /// Decode at 1/1, 1/2, 1/4 or 1/8 size (libjpeg's DCT scaling: MJPEG only; opening a raw format refuses < 1/1).
    public var scaleDenominator = 1

    /// The size Omote aims for when none is asked: enough for landmarks, cheap to decode.
    public static let defaultTargetSize = FrameSize(width: 640, height: 360)
    /// The highest rate chosen by default (more frames only cost decode time).
    public static let defaultMaximumFramesPerSecond = 60.0

    public init(
        device: String? = nil, size: FrameSize? = nil, framesPerSecond: Double? = nil, format: V4L2PixelFormat? = nil
    ) {
        self.device = device
        self.size = size
        self.framesPerSecond = framesPerSecond
        self.format = format
    }
}
