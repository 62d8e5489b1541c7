import CTurboJPEG
import OmoteCore

#if canImport(Glibc)
import Glibc
#endif

/// Decodes baseline/progressive JPEG (and MJPEG frames, with or without Huffman tables) with libjpeg-turbo into packed
/// RGB, with libjpeg's default "fancy" chroma upsampling (what OpenCV's `imread` hands MediaPipe); a grayscale JPEG
/// becomes grey RGB. The IDCT is libjpeg's accurate integer one. One decoder per thread; it reuses its handle.
///
/// A failed frame costs only itself: after any libjpeg-turbo error the handle is destroyed and a fresh one made before
/// the next frame. (libjpeg-turbo 2.1 leaves a handle whose header read failed half-way through its marker state, so
/// every later frame on it fails the same way, and a warning from one frame can fail the next.)
public final class JPEGDecoder {
    private var handle: tjhandle?
    /// libjpeg-turbo's message for the last failed frame, copied out of the handle before it is discarded (its own
    /// buffer is JMSG_LENGTH_MAX, 200 bytes): a failure allocates no text; `decode(_:into:source:)` reads it.
    private var lastMessage = [CChar](repeating: 0, count: 200)
    /// What the last refused header claimed, for the too-large message.
    private var lastClaimedSize = (width: 0, height: 0)

    /// Needs libturbojpeg loaded: by `loadLibrary()` before the guard engages, or here when it has not engaged.
    public init() throws(OmoteError) {
        try Self.requireLibrary()
        handle = try Self.makeHandle()
    }

    deinit { if let handle { omote_tjDestroy(handle) } }

    private static func makeHandle() throws(OmoteError) -> tjhandle {
        guard let handle = omote_tjInitDecompress() else {
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

    /// Keeps libjpeg-turbo's message for the failed call, then discards the handle so that nothing of the failed
    /// frame's state reaches the next one. Returns the message's catalogue entry. Allocates nothing.
    private func failed(_ handle: tjhandle) -> FrameDamage {
        lastMessage.withUnsafeMutableBufferPointer { buffer in
            buffer.initialize(repeating: 0)
            if let message = omote_tjGetErrorStr2(handle) {
                _ = strncpy(buffer.baseAddress!, message, buffer.count - 1)
            }
        }
        omote_tjDestroy(handle)
        self.handle = nil
        return lastMessage.withUnsafeBufferPointer { FrameDamage.classifyingLibJPEG($0.baseAddress!) }
    }

    /// Decodes `jpeg` into `frame` as RGB, or returns why the frame cannot be decoded: the frame loop's form, which
    /// builds no error and allocates nothing, not even for a damaged frame (only the next frame's fresh handle after a
    /// libjpeg-turbo failure). libjpeg's warnings count as damage: a half-grey frame would feed the tracker garbage.
    /// - Parameter scaleDenominator: 1 for full size, or 2, 4, 8 (libjpeg's DCT scaling, far cheaper than decode +
    ///   resize).
    /// - Throws: only when Omote cannot go on at all: no decoder (out of memory) or frame memory refused.
    public func decodeFrame(_ jpeg: UnsafeRawBufferPointer, into frame: inout VideoFrame, scaleDenominator: Int = 1)
        throws(OmoteError) -> FrameDamage?
    {
        precondition([1, 2, 4, 8].contains(scaleDenominator), "scale must be 1/1, 1/2, 1/4 or 1/8")
        guard let base = jpeg.baseAddress?.assumingMemoryBound(to: UInt8.self), jpeg.count >= 4 else {
            return jpeg.count == 0 ? .emptyBuffer : .tooShort
        }
        guard base[0] == 0xFF, base[1] == 0xD8 else { return .notJPEG }
        let handle = try readyHandle()
        var fullWidth: Int32 = 0
        var fullHeight: Int32 = 0
        var subsampling: Int32 = 0
        var colorspace: Int32 = 0
        guard
            omote_tjDecompressHeader3(
                handle, base, UInt(jpeg.count), &fullWidth, &fullHeight, &subsampling, &colorspace) == 0
        else { return failed(handle) }
        guard fullWidth > 0, fullHeight > 0 else { return .emptyImage }
        let width = (Int(fullWidth) + scaleDenominator - 1) / scaleDenominator
        let height = (Int(fullHeight) + scaleDenominator - 1) / scaleDenominator
        guard frame.canHold(width: width, height: height) else {
            lastClaimedSize = (width, height)
            return .tooLarge
        }
        let pixels = try frame.reshape(width: width, height: height)
        let flags = TJFLAG_ACCURATEDCT | TJFLAG_STOPONWARNING
        guard
            omote_tjDecompress2(
                handle, base, UInt(jpeg.count), pixels, Int32(width), Int32(width * VideoFrame.bytesPerPixel),
                Int32(height), Int32(TJPF_RGB.rawValue), flags) == 0
        else { return failed(handle) }
        return nil
    }

    /// Decodes `jpeg` into `frame` as RGB; a damaged frame throws an error naming `source` and what libjpeg-turbo said
    /// (`decodeFrame` is the allocation-free form for frame loops).
    /// - Parameter scaleDenominator: 1 for full size, or 2, 4, 8.
    public func decode(
        _ jpeg: UnsafeRawBufferPointer, into frame: inout VideoFrame, scaleDenominator: Int = 1,
        source: @autoclosure () -> String
    ) throws(OmoteError) {
        guard let damage = try decodeFrame(jpeg, into: &frame, scaleDenominator: scaleDenominator) else { return }
        switch damage {
        case .tooLarge:
            throw VideoFrame.tooLarge(
                width: lastClaimedSize.width, height: lastClaimedSize.height, bound: frame.maximumPixelCount
            ).naming(source())
        case .emptyBuffer, .tooShort:
            throw .frameCorrupt(source(), damage, "\(jpeg.count) bytes")
        case .notJPEG, .emptyImage:
            throw .frameCorrupt(source(), damage)
        default:
            throw .frameCorrupt(
                source(), damage, lastMessage.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
        }
    }
}
