/// A borrowed 8-bit luma plane (row-major, `rowStride` bytes between rows). It does not own its pixels: it is valid only
/// inside the `withImage` call of the `VideoFrame` (or other owner) that lent it.
public struct LumaImage {
    public let pixels: UnsafePointer<UInt8>
    public let width: Int
    public let height: Int
    public let rowStride: Int

    public init(pixels: UnsafePointer<UInt8>, width: Int, height: Int, rowStride: Int) {
        precondition(width >= 0 && height >= 0 && rowStride >= width)
        self.pixels = pixels
        self.width = width
        self.height = height
        self.rowStride = rowStride
    }

    @inline(__always)
    public subscript(x: Int, y: Int) -> UInt8 { pixels[y * rowStride + x] }
}
