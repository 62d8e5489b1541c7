import OmoteCore

/// A decoded frame as packed 8-bit RGB (3 bytes per pixel, rows without padding), in private memory reused from
/// frame to frame; capacity grows only when a larger frame arrives. For the mesh path, whose networks read colour.
public struct RGBFrame: ~Copyable {
    private var storage: SecureBuffer
    public private(set) var width: Int = 0
    public private(set) var height: Int = 0

    public init(capacity pixels: Int = 640 * 360) throws(SecureBufferError) {
        storage = try SecureBuffer(count: max(pixels * 3, 1))
    }

    /// Prepares the frame for `width × height` pixels, growing (once) if needed, and returns the writable bytes.
    public mutating func reshape(width: Int, height: Int) throws(SecureBufferError) -> UnsafeMutablePointer<UInt8> {
        let needed = width * height * 3
        if needed > storage.count {
            storage = try SecureBuffer(count: needed)
        }
        self.width = width
        self.height = height
        return storage.baseAddress.assumingMemoryBound(to: UInt8.self)
    }

    /// Lends the pixels (row-major RGB, `3 × width` bytes per row) for the duration of `body`.
    public func withPixels<R, E: Error>(
        _ body: (UnsafePointer<UInt8>, _ width: Int, _ height: Int) throws(E) -> R
    ) throws(E) -> R {
        try body(UnsafePointer(storage.baseAddress.assumingMemoryBound(to: UInt8.self)), width, height)
    }

    public func wipe() { storage.wipe() }
}
