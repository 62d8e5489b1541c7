import OmoteCore

/// What a decoded frame holds: the trackers read different pixels, and a source decodes only what is asked for.
public enum PixelLayout: Sendable, Equatable {
    /// 8-bit luma, one byte per pixel (the 68-point path: its detector and predictor read grey levels).
    case luma
    /// Packed 8-bit RGB, three bytes per pixel (the mesh path: MediaPipe's networks read colour).
    case rgb

    public var bytesPerPixel: Int {
        switch self {
        case .luma: 1
        case .rgb: 3
        }
    }
}

/// A decoded frame in private memory (see `SecureBuffer`) that is reused from frame to frame, as luma or RGB
/// (`layout`, fixed at init). Capacity grows only when a larger frame arrives, so steady-state decoding allocates
/// nothing — and never beyond `maximumPixelCount` (the camera's negotiated size, or a sane bound for replay): a header
/// claiming more is a corrupt frame that allocates nothing.
public struct VideoFrame: ~Copyable {
    /// The bound for sources that negotiate no size (replay): 4096 × 2304 pixels (9.4 MB of luma).
    public static let defaultMaximumPixelCount = 4096 * 2304

    public let layout: PixelLayout
    private var storage: SecureBuffer
    /// The largest frame this buffer will ever hold, in pixels.
    public let maximumPixelCount: Int
    public private(set) var width: Int = 0
    public private(set) var height: Int = 0
    /// Capture time (CLOCK_MONOTONIC for a camera, nominal clip time for replay), in nanoseconds.
    public var timestampNanoseconds: UInt64 = 0
    /// Frame number from the source, counting frames it delivered (dropped ones included).
    public var sequence: UInt64 = 0

    public init(layout: PixelLayout = .luma, capacity: Int = 640 * 360) throws(OmoteError) {
        try self.init(layout: layout, capacity: capacity, maximumPixelCount: Self.defaultMaximumPixelCount)
    }

    /// - Parameter capacity: pixels to allocate now (more are allocated once, if a larger frame arrives).
    public init(layout: PixelLayout = .luma, capacity: Int, maximumPixelCount: Int) throws(OmoteError) {
        self.layout = layout
        self.maximumPixelCount = max(maximumPixelCount, 1)
        storage = try SecureBuffer(count: min(max(capacity, 1), self.maximumPixelCount) * layout.bytesPerPixel)
    }

    /// Pixels the frame holds without growing.
    public var capacity: Int { storage.count / layout.bytesPerPixel }

    /// Prepares the frame for `width × height` pixels, growing (once) if needed, and returns the writable pixels
    /// (`width × layout.bytesPerPixel` bytes per row, rows without padding).
    public mutating func reshape(width: Int, height: Int) throws(OmoteError) -> UnsafeMutablePointer<UInt8> {
        guard width > 0, height > 0 else { throw .frameCorrupt("", .emptyImage, "\(width)×\(height)") }
        guard canHold(width: width, height: height) else {
            throw Self.tooLarge(width: width, height: height, bound: maximumPixelCount)
        }
        let bytes = width * height * layout.bytesPerPixel
        if bytes > storage.count { storage = try SecureBuffer(count: bytes) }
        self.width = width
        self.height = height
        return storage.baseAddress.assumingMemoryBound(to: UInt8.self)
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

    /// Lends the luma plane for the duration of `body`. The frame must hold luma.
    public func withImage<R, E: Error>(_ body: (LumaImage) throws(E) -> R) throws(E) -> R {
        precondition(layout == .luma, "this frame holds RGB; the source was asked for colour")
        return try body(
            LumaImage(
                pixels: UnsafePointer(storage.baseAddress.assumingMemoryBound(to: UInt8.self)),
                width: width, height: height, rowStride: width))
    }

    /// Lends the RGB pixels for the duration of `body`. The frame must hold RGB and a decoded frame.
    public func withRGBImage<R, E: Error>(_ body: (RGBImage) throws(E) -> R) throws(E) -> R {
        precondition(layout == .rgb && width > 0 && height > 0, "this frame holds no RGB image")
        return try body(
            RGBImage(
                pixels: UnsafePointer(storage.baseAddress.assumingMemoryBound(to: UInt8.self)),
                width: width, height: height))
    }

    public func wipe() { storage.wipe() }
}
