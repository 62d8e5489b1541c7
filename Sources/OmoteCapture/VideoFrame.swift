import OmoteCore

/// A decoded frame in private memory (a `RigidPrivateBuffer`) that is reused from frame to frame: packed 8-bit RGB,
/// three bytes per pixel (what MediaPipe's networks read). Capacity grows (a larger buffer replaces the old one, which
/// is wiped as it is released) only when a larger frame arrives, so steady-state
/// decoding allocates nothing — and never beyond `maximumPixelCount` (the camera's negotiated size, or a sane bound for
/// replay): a header claiming more is a corrupt frame that allocates nothing.
public struct VideoFrame: ~Copyable {
    /// The bound for sources that negotiate no size (replay): 4096 × 2304 pixels (28.3 MB of RGB).
    public static let defaultMaximumPixelCount = 4096 * 2304

    /// Bytes per pixel: R, G, B.
    public static let bytesPerPixel = 3

    private var storage: RigidPrivateBuffer<UInt8>
    /// The largest frame this buffer will ever hold, in pixels.
    public let maximumPixelCount: Int
    public private(set) var width: Int = 0
    public private(set) var height: Int = 0
    /// Capture time (CLOCK_MONOTONIC for a camera, nominal clip time for replay), in nanoseconds.
    public var timestampNanoseconds: UInt64 = 0
    /// Frame number from the source, counting frames it delivered (dropped ones included).
    public var sequence: UInt64 = 0

    public init(capacity: Int = 640 * 360) throws(OmoteError) {
        try self.init(capacity: capacity, maximumPixelCount: Self.defaultMaximumPixelCount)
    }

    /// - Parameter capacity: pixels to allocate now (more are allocated once, if a larger frame arrives).
    public init(capacity: Int, maximumPixelCount: Int) throws(OmoteError) {
        self.maximumPixelCount = max(maximumPixelCount, 1)
        storage = try RigidPrivateBuffer(count: min(max(capacity, 1), self.maximumPixelCount) * Self.bytesPerPixel)
    }

    /// Pixels the frame holds without growing.
    public var capacity: Int { storage.count / Self.bytesPerPixel }

    /// Prepares the frame for `width × height` pixels, growing (once) if needed, and returns the writable pixels
    /// (`width × 3` bytes per row, rows without padding).
    public mutating func reshape(width: Int, height: Int) throws(OmoteError) -> UnsafeMutablePointer<UInt8> {
        guard width > 0, height > 0 else { throw .frameCorrupt("", .emptyImage, "\(width)×\(height)") }
        guard canHold(width: width, height: height) else {
            throw Self.tooLarge(width: width, height: height, bound: maximumPixelCount)
        }
        let bytes = width * height * Self.bytesPerPixel
        if bytes > storage.count { storage = try RigidPrivateBuffer(count: bytes) }
        self.width = width
        self.height = height
        return storage.baseAddress
    }

    /// Whether a `width × height` frame is within this frame's bound (it may still have to grow once to hold it).
    public func canHold(width: Int, height: Int) -> Bool {
        let (needed, overflow) = width.multipliedReportingOverflow(by: height)
        return width > 0 && height > 0 && !overflow && needed <= maximumPixelCount
    }

    /// The error for a frame whose header claims more than `bound` pixels (nothing was allocated for it).
    static func tooLarge(width: Int, height: Int, bound: Int) -> OmoteError {
        OmoteError(
            .captureFrameTooLarge,
            operation: "decode a frame",
            subject: "",
            reason:
                "a \(width)×\(height) frame exceeds the \(bound)-pixel bound for this source; nothing was allocated",
            remedy: "Such frames are skipped and counted as corrupt (a damaged header claims a huge size)."
        )
    }

    /// Lends the RGB pixels for the duration of `body`. The frame must hold a decoded image.
    public func withRGBImage<R, E: Error>(_ body: (RGBImage) throws(E) -> R) throws(E) -> R {
        precondition(width > 0 && height > 0, "this frame holds no image yet")
        return try body(
            RGBImage(
                pixels: UnsafePointer(storage.baseAddress),
                width: width, height: height))
    }

    public func wipe() { storage.wipe() }
}
