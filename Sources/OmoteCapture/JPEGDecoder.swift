import CTurboJPEG
import OmoteCore

/// Decodes baseline/progressive JPEG (and MJPEG frames, with or without Huffman tables) with libjpeg-turbo, into
/// whatever the frame holds: 8-bit luma, where a YCbCr JPEG's grayscale output is the file's own Y channel (the
/// chroma planes are not even decoded), or RGB with libjpeg's default "fancy" chroma upsampling (what OpenCV's
/// `imread` hands MediaPipe). The IDCT is libjpeg's accurate integer one. One decoder per thread; it reuses its handle.
///
/// A failed frame costs only itself: after any libjpeg-turbo error the handle is destroyed and a fresh one made before
/// the next frame. (libjpeg-turbo 2.1 leaves a handle whose header read failed half-way through its marker state, so
/// every later frame on it fails the same way, and a warning from one frame can fail the next.)
public final class JPEGDecoder {
    private var handle: tjhandle?

    public init() throws(OmoteError) {
        handle = try Self.makeHandle()
    }

    deinit { if let handle { tjDestroy(handle) } }

    private static func makeHandle() throws(OmoteError) -> tjhandle {
        guard let handle = tjInitDecompress() else {
            throw OmoteError(
                .captureDecoderUnavailable,
                operation: "start the JPEG decoder",
                subject: "libturbojpeg",
                reason: "tjInitDecompress failed",
                remedy: "Reinstall libjpeg-turbo (sudo apt-get install libturbojpeg0); `omote doctor` checks it."
            )
        }
        return handle
    }

    /// The handle for the next call, made anew if the last one failed (or could not be made then).
    private func readyHandle() throws(OmoteError) -> tjhandle {
        if let handle { return handle }
        let fresh = try Self.makeHandle()
        handle = fresh
        return fresh
    }

    /// Reads libjpeg-turbo's message for the failed call, then discards the handle so that nothing of the failed
    /// frame's state reaches the next one. Returns the message.
    private func failed() -> String {
        guard let handle else { return "unknown libjpeg-turbo error" }
        let message = tjGetErrorStr2(handle).map { String(cString: $0) } ?? "unknown libjpeg-turbo error"
        tjDestroy(handle)
        self.handle = nil
        return message
    }

    /// The dimensions stored in a JPEG header, without decoding.
    public func dimensions(of jpeg: UnsafeRawBufferPointer, source: @autoclosure () -> String) throws(OmoteError) -> (
        width: Int, height: Int
    ) {
        guard let base = jpeg.baseAddress, jpeg.count >= 4 else {
            throw .frameCorrupt(source(), jpeg.count == 0 ? .emptyBuffer : .tooShort, "\(jpeg.count) bytes")
        }
        guard jpeg[0] == 0xFF, jpeg[1] == 0xD8 else {
            throw .frameCorrupt(source(), .notJPEG)
        }
        let handle = try readyHandle()
        var width: Int32 = 0
        var height: Int32 = 0
        var subsampling: Int32 = 0
        var colorspace: Int32 = 0
        if tjDecompressHeader3(
            handle, base.assumingMemoryBound(to: UInt8.self), UInt(jpeg.count),
            &width, &height, &subsampling, &colorspace) != 0
        {
            let message = failed()
            throw .frameCorrupt(source(), FrameDamage.classifyingLibJPEG(message), "unreadable header: \(message)")
        }
        guard width > 0, height > 0 else {
            throw .frameCorrupt(source(), .emptyImage, "\(width)×\(height)")
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
        let handle = try readyHandle()
        let status = tjDecompress2(
            handle, jpeg.baseAddress!.assumingMemoryBound(to: UInt8.self), UInt(jpeg.count), pixels,
            Int32(width), Int32(width * frame.layout.bytesPerPixel), Int32(height), Int32(format.rawValue), flags)
        if status != 0 {
            let message = failed()
            throw .frameCorrupt(source(), FrameDamage.classifyingLibJPEG(message), message)
        }
    }
}
