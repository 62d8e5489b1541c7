import CTurboJPEG
import OmoteCore

/// Decodes baseline/progressive JPEG (and MJPEG frames, with or without Huffman tables) with libjpeg-turbo, into
/// whatever the frame holds: 8-bit luma, where a YCbCr JPEG's grayscale output is the file's own Y channel (the
/// chroma planes are not even decoded), or RGB with libjpeg's default "fancy" chroma upsampling (what OpenCV's
/// `imread` hands MediaPipe). The IDCT is libjpeg's accurate integer one. One decoder per thread; it reuses its handle.
public final class JPEGDecoder {
    private let handle: tjhandle

    public init() throws(OmoteError) {
        guard let handle = tjInitDecompress() else {
            throw OmoteError(
                .captureDecoderUnavailable,
                operation: "start the JPEG decoder",
                subject: "libturbojpeg",
                reason: "tjInitDecompress failed",
                remedy: "Reinstall libjpeg-turbo (sudo apt-get install libturbojpeg0); `omote doctor` checks it."
            )
        }
        self.handle = handle
    }

    deinit { tjDestroy(handle) }

    /// The dimensions stored in a JPEG header, without decoding.
    public func dimensions(of jpeg: UnsafeRawBufferPointer, source: @autoclosure () -> String) throws(OmoteError) -> (
        width: Int, height: Int
    ) {
        guard let base = jpeg.baseAddress, jpeg.count >= 4 else {
            throw .frameCorrupt(source(), "empty or too short to be a JPEG (\(jpeg.count) bytes)")
        }
        guard jpeg[0] == 0xFF, jpeg[1] == 0xD8 else {
            throw .frameCorrupt(source(), "not a JPEG (no SOI marker)")
        }
        var width: Int32 = 0
        var height: Int32 = 0
        var subsampling: Int32 = 0
        var colorspace: Int32 = 0
        if tjDecompressHeader3(
            handle, base.assumingMemoryBound(to: UInt8.self), UInt(jpeg.count),
            &width, &height, &subsampling, &colorspace) != 0
        {
            throw .frameCorrupt(source(), "unreadable JPEG header: \(lastError)")
        }
        return (Int(width), Int(height))
    }

    /// Decodes `jpeg` into `frame`, as luma or RGB (`frame.layout`). A truncated or corrupt stream throws (libjpeg's
    /// warnings are errors here: a half-grey frame would feed the tracker garbage).
    /// - Parameter scale: 1 for full size, or 1/2, 1/4, 1/8 (libjpeg's DCT scaling, far cheaper than decode + resize).
    public func decode(
        _ jpeg: UnsafeRawBufferPointer, into frame: inout VideoFrame, scaleDenominator: Int = 1,
        source: @autoclosure () -> String
    ) throws(OmoteError) {
        let (fullWidth, fullHeight) = try dimensions(of: jpeg, source: source())
        precondition([1, 2, 4, 8].contains(scaleDenominator), "scale must be 1/1, 1/2, 1/4 or 1/8")
        let width = (fullWidth + scaleDenominator - 1) / scaleDenominator
        let height = (fullHeight + scaleDenominator - 1) / scaleDenominator
        let pixels: UnsafeMutablePointer<UInt8>
        do { pixels = try frame.reshape(width: width, height: height) } catch { throw error.naming(source()) }
        let format =
            switch frame.layout {
            case .luma: TJPF_GRAY
            case .rgb: TJPF_RGB
            }
        let flags = TJFLAG_ACCURATEDCT | TJFLAG_STOPONWARNING
        let status = tjDecompress2(
            handle, jpeg.baseAddress!.assumingMemoryBound(to: UInt8.self), UInt(jpeg.count), pixels,
            Int32(width), Int32(width * frame.layout.bytesPerPixel), Int32(height), Int32(format.rawValue), flags)
        if status != 0 {
            throw .frameCorrupt(source(), "corrupt or truncated JPEG: \(lastError)")
        }
    }

    private var lastError: String {
        guard let message = tjGetErrorStr2(handle) else { return "unknown libjpeg-turbo error" }
        return String(cString: message)
    }
}
