/// A borrowed packed-RGB image (3 bytes per pixel in R, G, B order, `rowStride` bytes between rows). It does not own
/// its pixels: it is valid only inside the `withRGBImage` call of the `VideoFrame` (or other owner) that lent it.
public struct RGBImage {
    public let pixels: UnsafePointer<UInt8>
    public let width: Int
    public let height: Int
    public let rowStride: Int

    public init(pixels: UnsafePointer<UInt8>, width: Int, height: Int, rowStride: Int? = nil) {
        precondition(width > 0 && height > 0 && (rowStride ?? width * 3) >= width * 3)
        self.pixels = pixels
        self.width = width
        self.height = height
        self.rowStride = rowStride ?? width * 3
    }
}
