import OmoteCore

#if canImport(Glibc)
import Glibc
#endif

/// Copies the Y samples of an uncompressed frame (YUYV/UYVY, NV12/YU12/GREY …) into a luma plane. No colour
/// conversion: the camera's Y channel is the luma Omote tracks on. Optional box downscaling for detection.
public enum RawLuma {
    /// Extracts `width × height` luma from `buffer` (`bytesPerLine` bytes per row of the first plane) into `frame`.
    /// Throws when the buffer is shorter than the format needs (a truncated frame is skipped, never half-read).
    /// - Parameter scaleDenominator: 1 (full size), 2, 4 or 8 (each output pixel averages a d×d block).
    public static func extract(
        _ buffer: UnsafeRawBufferPointer, layout: LumaLayout, width: Int, height: Int, bytesPerLine: Int,
        scaleDenominator: Int = 1, into frame: inout VideoFrame,
        source: @autoclosure () -> String
    ) throws(OmoteError) {
        let bytesPerPixel: Int
        let offset: Int
        switch layout {
        case .jpeg: preconditionFailure("JPEG frames go through JPEGDecoder")
        case let .packed422(lumaOffset): (bytesPerPixel, offset) = (2, lumaOffset)
        case .planar: (bytesPerPixel, offset) = (1, 0)
        }
        guard width > 0, height > 0, bytesPerLine >= width * bytesPerPixel else {
            throw .frameCorrupt(
                source(), .badGeometry, "\(width)×\(height), \(bytesPerLine) bytes per line")
        }
        let needed = bytesPerLine * (height - 1) + width * bytesPerPixel
        guard let input = buffer.baseAddress, buffer.count >= needed else {
            throw .frameCorrupt(source(), .wrongRawSize, "\(buffer.count) of \(needed) bytes")
        }
        guard scaleDenominator == 1 || scaleDenominator == 2 || scaleDenominator == 4 || scaleDenominator == 8 else {
            throw .frameCorrupt(
                source(), .unconvertible, "scale must be 1/1, 1/2, 1/4 or 1/8, not 1/\(scaleDenominator)")
        }
        let outWidth = width / scaleDenominator
        let outHeight = height / scaleDenominator
        let output: UnsafeMutablePointer<UInt8>
        do { output = try frame.reshape(width: outWidth, height: outHeight) } catch {
            throw error.naming(source())
        }
        if scaleDenominator > 1 {
            boxDownscale(
                input + offset, pixelStep: bytesPerPixel, rowStride: bytesPerLine, factor: scaleDenominator,
                into: output, width: outWidth, height: outHeight)
        } else if bytesPerPixel == 1 {
            if bytesPerLine == width {
                memcpy(output, input, width * height)
            } else {
                for row in 0 ..< height { memcpy(output + row * width, input + row * bytesPerLine, width) }
            }
        } else {
            for row in 0 ..< height {
                packedRowLuma(input + row * bytesPerLine, lumaOffset: offset, count: width, into: output + row * width)
            }
        }
    }

    /// Y from one row of 4:2:2 packed pixels: one byte of every pair. A plain strided loop on purpose: LLVM vectorizes
    /// it to byte shuffles (≈ 25 µs per 640×360 frame), while the generic `SIMD` narrowing conversions and
    /// `evenHalf` compile to per-lane code about 70× slower (measured).
    @inline(__always)
    static func packedRowLuma(
        _ row: UnsafeRawPointer, lumaOffset: Int, count: Int, into output: UnsafeMutablePointer<UInt8>
    ) {
        let bytes = row.assumingMemoryBound(to: UInt8.self) + lumaOffset
        for x in 0 ..< count { output[x] = bytes[2 * x] }
    }

    /// Averages `factor × factor` blocks of samples `pixelStep` bytes apart (rounding to nearest).
    static func boxDownscale(
        _ input: UnsafeRawPointer, pixelStep: Int, rowStride: Int, factor: Int,
        into output: UnsafeMutablePointer<UInt8>, width: Int, height: Int
    ) {
        let bytes = input.assumingMemoryBound(to: UInt8.self)
        let shift = UInt32(factor.trailingZeroBitCount * 2)
        let half = UInt32(1) << (shift - 1)
        for y in 0 ..< height {
            let top = bytes + y * factor * rowStride
            for x in 0 ..< width {
                var sum: UInt32 = 0
                let left = top + x * factor * pixelStep
                for dy in 0 ..< factor {
                    let line = left + dy * rowStride
                    for dx in 0 ..< factor { sum &+= UInt32(line[dx * pixelStep]) }
                }
                output[y * width + x] = UInt8(truncatingIfNeeded: (sum + half) >> shift)
            }
        }
    }
}
