import CTurboJPEGEncoder
import Foundation

/// Small PNG and JPEG files made in the test, for texture fixtures: PNG written by hand (stored deflate blocks, so no
/// compressor is needed), JPEG through the test-only libjpeg-turbo encoder.
enum TestImages {
    /// An 8-bit RGBA PNG of `width` × `height` pixels, `rgba` top row first (4 bytes a pixel). `claimedWidth` and
    /// `claimedHeight` override what the header says (a lying header over the same pixel data).
    static func png(
        width: Int, height: Int, rgba: [UInt8], claimedWidth: Int? = nil, claimedHeight: Int? = nil
    ) -> [UInt8] {
        precondition(rgba.count == width * height * 4)
        var header = bigEndian(UInt32(claimedWidth ?? width)) + bigEndian(UInt32(claimedHeight ?? height))
        header += [8, 6, 0, 0, 0]  // 8 bits, RGBA, deflate, adaptive filtering, no interlace
        var scanlines: [UInt8] = []
        for y in 0 ..< height {
            scanlines.append(0)  // filter: none
            scanlines += rgba[y * width * 4 ..< (y + 1) * width * 4]
        }
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", header)
            + chunk("IDAT", zlibStored(scanlines)) + chunk("IEND", [])
    }

    /// A `width` × `height` JPEG (4:4:4, quality 95) of packed RGB pixels.
    static func jpeg(width: Int, height: Int, rgb: [UInt8]) throws -> [UInt8] {
        var output: UnsafeMutablePointer<UInt8>?
        var size: UInt = 0
        var message = [CChar](repeating: 0, count: 256)
        let result = omote_test_encode_rgb(
            rgb, Int32(width), Int32(height), 95, &output, &size, &message, UInt(message.count))
        guard result == 0, let output else {
            throw TestImageError(message: message.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
        }
        defer { omote_test_jpeg_free(output) }
        return Array(UnsafeBufferPointer(start: output, count: Int(size)))
    }

    struct TestImageError: Error { var message: String }

    /// Texels as RigTexture packs them: R in the low byte.
    static func texels(_ rgba: [UInt8]) -> [UInt32] {
        stride(from: 0, to: rgba.count, by: 4).map {
            UInt32(rgba[$0]) | UInt32(rgba[$0 + 1]) << 8 | UInt32(rgba[$0 + 2]) << 16 | UInt32(rgba[$0 + 3]) << 24
        }
    }

    private static func bigEndian(_ v: UInt32) -> [UInt8] { withUnsafeBytes(of: v.bigEndian, Array.init) }

    private static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let body = Array(type.utf8) + data
        return bigEndian(UInt32(data.count)) + body + bigEndian(crc32(body))
    }

    /// zlib (RFC 1950) around deflate (RFC 1951) "stored" blocks of at most 65535 bytes.
    private static func zlibStored(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        var offset = 0
        repeat {
            let count = min(65535, data.count - offset)
            let final: UInt8 = offset + count == data.count ? 1 : 0
            out.append(final)  // BFINAL, BTYPE = 00 (stored)
            out += withUnsafeBytes(of: UInt16(count).littleEndian, Array.init)
            out += withUnsafeBytes(of: (~UInt16(count)).littleEndian, Array.init)
            out += data[offset ..< offset + count]
            offset += count
        } while offset < data.count
        return out + bigEndian(adler32(data))
    }

    private static func adler32(_ data: [UInt8]) -> UInt32 {
        var a: UInt32 = 1
        var b: UInt32 = 0
        for byte in data {
            a = (a + UInt32(byte)) % 65521
            b = (b + a) % 65521
        }
        return b << 16 | a
    }

    private static func crc32(_ data: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in data {
            crc ^= UInt32(byte)
            for _ in 0 ..< 8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}
