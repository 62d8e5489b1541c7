import OmoteCore
import OmotePrivacy

/// A decoded frame's luma, in private memory (see `SecureBuffer`) that is reused from frame to frame.
/// Capacity grows only when a larger frame arrives, so steady-state decoding allocates nothing — and never beyond
/// `maximumPixelCount` (the camera's negotiated size, or a sane bound for replay): a header claiming more is a corrupt
/// frame that allocates nothing.
public struct LumaFrame: ~Copyable {
    /// The bound for sources that negotiate no size (replay): 4096 × 2304 pixels (9.4 MB of luma).
    public static let defaultMaximumPixelCount = 4096 * 2304

    private var storage: SecureBuffer
    /// The largest frame this buffer will ever hold.
    public let maximumPixelCount: Int
    public private(set) var width: Int = 0
    public private(set) var height: Int = 0
    /// Capture time (CLOCK_MONOTONIC for a camera, nominal clip time for replay), in nanoseconds.
    public var timestampNanoseconds: UInt64 = 0
    /// Frame number from the source, counting frames it delivered (dropped ones included).
    public var sequence: UInt64 = 0

    public init(capacity: Int = 640 * 360) throws(SecureBufferError) {
        try self.init(capacity: capacity, maximumPixelCount: Self.defaultMaximumPixelCount)
    }

    public init(capacity: Int, maximumPixelCount: Int) throws(SecureBufferError) {
        self.maximumPixelCount = max(maximumPixelCount, 1)
        storage = try SecureBuffer(count: min(max(capacity, 1), self.maximumPixelCount))
    }

    public var capacity: Int { storage.count }

    /// Prepares the frame for `width × height` pixels, growing (once) if needed, and returns the writable plane.
    public mutating func reshape(width: Int, height: Int) throws(SecureBufferError) -> UnsafeMutablePointer<UInt8> {
        let (needed, overflow) = width.multipliedReportingOverflow(by: height)
        guard width > 0, height > 0, !overflow, needed <= maximumPixelCount else {
            throw SecureBufferError(
                bytes: overflow ? Int.max : max(needed, 0), errno: 0, kind: .overLimit(limit: maximumPixelCount))
        }
        if needed > storage.count { storage = try SecureBuffer(count: needed) }
        self.width = width
        self.height = height
        return storage.baseAddress.assumingMemoryBound(to: UInt8.self)
    }

    public func withImage<R, E: Error>(_ body: (LumaImage) throws(E) -> R) throws(E) -> R {
        try body(
            LumaImage(
                pixels: UnsafePointer(storage.baseAddress.assumingMemoryBound(to: UInt8.self)),
                width: width, height: height, rowStride: width))
    }

    public func wipe() { storage.wipe() }
}
