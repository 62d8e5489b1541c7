import CTurboJPEGEncoder
import Foundation
import OmoteCapture
import OmoteTestSupport
import Testing

/// Test inputs derived in memory from SampleFrames (nothing is written anywhere).
enum V4L2TestSupport {
    /// The RGB of a JPEG, as the production decoder produces it.
    static func rgb(ofJPEG jpeg: [UInt8], scaleDenominator: Int = 1) throws -> (
        width: Int, height: Int, pixels: [UInt8]
    ) {
        let decoder = try JPEGDecoder()
        var frame = try VideoFrame()
        try jpeg.withUnsafeBytes {
            try decoder.decode($0, into: &frame, scaleDenominator: scaleDenominator, source: "test")
        }
        return (frame.width, frame.height, pixels(of: frame))
    }

    /// The frame's packed RGB bytes, row by row.
    static func pixels(of frame: borrowing VideoFrame) -> [UInt8] {
        frame.withRGBImage { image in
            (0 ..< image.height).flatMap { y in
                Array(UnsafeBufferPointer(start: image.pixels + y * image.rowStride, count: image.width * 3))
            }
        }
    }

    /// A luma plane with a real image's structure: the green channel of a sample frame.
    static func lumaPlane(ofJPEG jpeg: [UInt8]) throws -> (width: Int, height: Int, pixels: [UInt8]) {
        let decoded = try rgb(ofJPEG: jpeg)
        return (
            decoded.width, decoded.height, (0 ..< decoded.width * decoded.height).map { decoded.pixels[3 * $0 + 1] }
        )
    }

    /// `RawColour`'s RGB for an uncompressed frame, the reference a camera delivering that format must match.
    static func rawRGB(
        _ bytes: [UInt8], format: V4L2PixelFormat, width: Int, height: Int, bytesPerLine: Int
    ) throws -> [UInt8] {
        var frame = try VideoFrame(capacity: width * height)
        let layout = try #require(format.colourLayout)
        try bytes.withUnsafeBytes {
            try RawColour.convert(
                $0, layout: layout, width: width, height: height, bytesPerLine: bytesPerLine, into: &frame,
                source: "test")
        }
        return pixels(of: frame)
    }

    /// Re-encodes a JPEG the way a UVC camera's MJPEG encoder does: 4:2:2, standard (not optimised) Huffman tables.
    static func reencodeAsWebcamMJPEG(_ jpeg: [UInt8], quality: Int32 = 85) throws -> [UInt8] {
        var output: UnsafeMutablePointer<UInt8>?
        var size: UInt = 0
        var message = [CChar](repeating: 0, count: 256)
        guard
            omote_test_reencode_422(jpeg, UInt(jpeg.count), quality, &output, &size, &message, UInt(message.count))
                == 0, let output
        else { throw TestFailure(message.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }) }
        defer { omote_test_jpeg_free(output) }
        return Array(UnsafeBufferPointer(start: output, count: Int(size)))
    }

    /// Removes every DHT (Huffman table) segment before the scan, as UVC cameras send MJPEG.
    static func strippingHuffmanTables(_ jpeg: [UInt8]) -> (jpeg: [UInt8], removed: Int) {
        var output = Array(jpeg[0 ..< 2])
        var position = 2
        var removed = 0
        while position + 4 <= jpeg.count, jpeg[position] == 0xFF {
            let marker = jpeg[position + 1]
            if marker == 0xDA { break }
            let length = Int(jpeg[position + 2]) << 8 | Int(jpeg[position + 3])
            if marker == 0xC4 { removed += 1 } else { output += jpeg[position ..< position + 2 + length] }
            position += 2 + length
        }
        output += jpeg[position...]
        return (output, removed)
    }

    /// Packs a luma plane as YUYV (or UYVY) with chroma that varies, so reading a chroma byte would show.
    static func packed422(luma: [UInt8], width: Int, height: Int, lumaFirst: Bool, padding: Int = 0) -> [UInt8] {
        let stride = width * 2 + padding
        var bytes = [UInt8](repeating: 0xEE, count: stride * height)
        for y in 0 ..< height {
            for x in 0 ..< width {
                let chroma = UInt8(truncatingIfNeeded: x &* 7 &+ y &* 13 &+ 61)
                bytes[y * stride + 2 * x + (lumaFirst ? 0 : 1)] = luma[y * width + x]
                bytes[y * stride + 2 * x + (lumaFirst ? 1 : 0)] = chroma
            }
        }
        return bytes
    }

    /// A planar frame: the luma plane (rows `width + padding` apart), then chroma bytes (`chromaFraction` of the luma
    /// plane's size, NV12's interleaved pairs rows `width + padding` apart) that vary, so misplaced chroma would show.
    static func planar(luma: [UInt8], width: Int, height: Int, padding: Int = 0, chromaFraction: Double) -> [UInt8] {
        let stride = width + padding
        let lumaBytes = stride * height
        var bytes = [UInt8](repeating: 0, count: lumaBytes + Int(Double(lumaBytes) * chromaFraction))
        for y in 0 ..< height { for x in 0 ..< width { bytes[y * stride + x] = luma[y * width + x] } }
        for i in lumaBytes ..< bytes.count {
            let (row, column) = ((i - lumaBytes) / stride, (i - lumaBytes) % stride)
            bytes[i] = UInt8(truncatingIfNeeded: column &* 5 &+ row &* 11 &+ 40)
        }
        return bytes
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
