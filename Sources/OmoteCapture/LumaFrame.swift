import OmoteCore
import OmotePrivacy

/// A decoded frame's luma, in private memory (see `SecureBuffer`) that is reused from frame to frame.
/// Capacity grows only when a larger frame arrives, so steady-state decoding allocates nothing.
public struct LumaFrame: ~Copyable {
    private var storage: SecureBuffer
    public private(set) var width: Int = 0
    public private(set) var height: Int = 0
    /// Capture time (CLOCK_MONOTONIC for a camera, nominal clip time for replay), in nanoseconds.
    public var timestampNanoseconds: UInt64 = 0
    /// Frame number from the source, counting frames it delivered (dropped ones included).
    public var sequence: UInt64 = 0

    public init(capacity: Int = 640 * 360) throws(SecureBufferError) {
        storage = try SecureBuffer(count: max(capacity, 1))
    }

    public var capacity: Int { storage.count }

    /// Prepares the frame for `width × height` pixels, growing (once) if needed, and returns the writable plane.
    public mutating func reshape(width: Int, height: Int) throws(SecureBufferError) -> UnsafeMutablePointer<UInt8> {
        let needed = width * height
        if needed > storage.count { storage = try SecureBuffer(count: needed) }
        self.width = width
        self.height = height
        return storage.baseAddress.assumingMemoryBound(to: UInt8.self)
    }

    public func withImage<R, E: Error>(_ body: (LumaImage) throws(E) -> R) throws(E) -> R {
        try body(LumaImage(pixels: UnsafePointer(storage.baseAddress.assumingMemoryBound(to: UInt8.self)),
                           width: width, height: height, rowStride: width))
    }

    public func wipe() { storage.wipe() }
}
