import CTurboJPEG

/// Decodes JPEG to packed RGB with libjpeg-turbo (accurate integer IDCT, libjpeg's default "fancy" chroma
/// upsampling: what OpenCV's `imread` gives MediaPipe). One decoder per thread; it reuses its handle.
public final class RGBJPEGDecoder {
    /// Larger frames are refused before any buffer is sized for them.
    public static let maximumSide = 8192

    private let handle: tjhandle

    public init() throws(DecodeError) {
        guard let handle = tjInitDecompress() else {
            throw DecodeError(source: "libturbojpeg", reason: "tjInitDecompress failed")
        }
        self.handle = handle
    }

    deinit { tjDestroy(handle) }

    /// Decodes `jpeg` into `frame`. A truncated or corrupt stream throws (warnings are errors here too).
    public func decode(
        _ jpeg: UnsafeRawBufferPointer,
        into frame: inout RGBFrame,
        source: @autoclosure () -> String
    ) throws(DecodeError) {
        guard let base = jpeg.baseAddress, jpeg.count >= 4, jpeg[0] == 0xFF, jpeg[1] == 0xD8 else {
            throw DecodeError(source: source(), reason: "not a JPEG (no SOI marker, \(jpeg.count) bytes)")
        }
        let bytes = base.assumingMemoryBound(to: UInt8.self)
        var width: Int32 = 0
        var height: Int32 = 0
        var subsampling: Int32 = 0
        var colorspace: Int32 = 0
        guard tjDecompressHeader3(handle, bytes, UInt(jpeg.count), &width, &height, &subsampling, &colorspace) == 0
        else {
            throw DecodeError(source: source(), reason: "unreadable JPEG header: \(lastError)")
        }
        guard width > 0, height > 0, width <= Self.maximumSide, height <= Self.maximumSide else {
            throw DecodeError(
                source: source(),
                reason: "a \(width)×\(height) frame is outside 1…\(Self.maximumSide) px a side")
        }
        let pixels: UnsafeMutablePointer<UInt8>
        do {
            pixels = try frame.reshape(width: Int(width), height: Int(height))
        } catch {
            throw DecodeError(source: source(), reason: error.description)
        }
        let flags = TJFLAG_ACCURATEDCT | TJFLAG_STOPONWARNING
        let status = tjDecompress2(
            handle, bytes, UInt(jpeg.count), pixels, width, width * 3, height,
            Int32(TJPF_RGB.rawValue), flags)
        if status != 0 {
            throw DecodeError(source: source(), reason: "corrupt or truncated JPEG: \(lastError)")
        }
    }

    private var lastError: String {
        guard let message = tjGetErrorStr2(handle) else { return "unknown libjpeg-turbo error" }
        return String(cString: message)
    }
}
