/// A borrowed packed-RGB image (3 bytes per pixel, `rowStride` bytes between rows). It does not own its pixels: it is
/// valid only while its owner lends them (e.g. inside `RGBFrame.withPixels`).
public struct RGBImageView {
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
