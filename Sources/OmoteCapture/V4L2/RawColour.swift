import OmoteCore

/// Converts an uncompressed camera frame (YUYV/UYVY, NV12/NV21, YU12/YV12, GREY) to packed RGB for the mesh tracker.
/// Webcams send these formats in "video range" BT.601 (Y 16…235, chroma 16…240), so this is the ITU-R BT.601
/// limited-range conversion — the one OpenCV's `cvtColor(…YUV2RGB…)` applies before a frame reaches MediaPipe:
/// R = 1.164(Y−16) + 1.596(V−128), G = 1.164(Y−16) − 0.813(V−128) − 0.391(U−128), B = 1.164(Y−16) + 2.018(U−128),
/// in 20-bit fixed point, rounded and clamped. GREY becomes grey RGB (its Y as-is: infrared cameras are full range).
public enum RawColour {
    /// Where a format keeps its chroma.
    public enum Layout: Sendable, Equatable {
        /// 4:2:2 packed in 4-byte groups of two pixels: byte offsets of the first Y, of U and of V (YUYV: 0, 1, 3).
        case packed422(luma: Int, u: Int, v: Int)
        /// A Y plane, then one plane of interleaved chroma pairs at half width and height (NV12: U first).
        case semiPlanar420(uFirst: Bool)
        /// A Y plane, then two chroma planes at half width and height (YU12: U first).
        case planar420(uFirst: Bool)
        /// Y only.
        case grey
    }

    /// Converts `width × height` pixels of `buffer` (`bytesPerLine` bytes per row of the Y or packed plane) into
    /// `frame`. Throws when the buffer is shorter than the format needs (a truncated frame is skipped, never
    /// half-read).
    public static func convert(
        _ buffer: UnsafeRawBufferPointer, layout: Layout, width: Int, height: Int, bytesPerLine: Int,
        into frame: inout VideoFrame, source: @autoclosure () -> String
    ) throws(OmoteError) {
        let lumaStep =
            switch layout {
            case .packed422: 2
            default: 1
            }
        guard width > 1, height > 1, width % 2 == 0, bytesPerLine >= width * lumaStep else {
            throw .frameCorrupt(
                source(), .badGeometry, "\(width)×\(height), \(bytesPerLine) bytes per line")
        }
        let lumaBytes = bytesPerLine * height
        let needed =
            switch layout {
            case .packed422, .grey: bytesPerLine * (height - 1) + width * lumaStep
            case .semiPlanar420: lumaBytes + bytesPerLine * (height / 2)
            case .planar420: lumaBytes + 2 * (bytesPerLine / 2) * (height / 2)
            }
        guard let input = buffer.baseAddress?.assumingMemoryBound(to: UInt8.self), buffer.count >= needed else {
            throw .frameCorrupt(source(), .wrongRawSize, "\(buffer.count) of \(needed) bytes")
        }
        let output: UnsafeMutablePointer<UInt8>
        do { output = try frame.reshape(width: width, height: height) } catch {
            throw error.naming(source())
        }
        for y in 0 ..< height {
            let row = output + y * width * 3
            switch layout {
            case let .packed422(luma, u, v):
                let line = input + y * bytesPerLine
                for pair in 0 ..< width / 2 {
                    let group = line + 4 * pair
                    let chroma = Chroma(u: group[u], v: group[v])
                    chroma.store(luma: group[luma], into: row + 6 * pair)
                    chroma.store(luma: group[luma + 2], into: row + 6 * pair + 3)
                }
            case let .semiPlanar420(uFirst):
                let line = input + y * bytesPerLine
                let pairs = input + lumaBytes + (y / 2) * bytesPerLine
                for x in 0 ..< width {
                    let pair = pairs + 2 * (x / 2)
                    let chroma = uFirst ? Chroma(u: pair[0], v: pair[1]) : Chroma(u: pair[1], v: pair[0])
                    chroma.store(luma: line[x], into: row + 3 * x)
                }
            case let .planar420(uFirst):
                let line = input + y * bytesPerLine
                let chromaStride = bytesPerLine / 2
                let planeBytes = chromaStride * (height / 2)
                let first = input + lumaBytes + (y / 2) * chromaStride
                let second = first + planeBytes
                for x in 0 ..< width {
                    let a = first[x / 2]
                    let b = second[x / 2]
                    let chroma = uFirst ? Chroma(u: a, v: b) : Chroma(u: b, v: a)
                    chroma.store(luma: line[x], into: row + 3 * x)
                }
            case .grey:
                let line = input + y * bytesPerLine
                for x in 0 ..< width {
                    row[3 * x] = line[x]
                    row[3 * x + 1] = line[x]
                    row[3 * x + 2] = line[x]
                }
            }
        }
    }

    /// One chroma sample's contributions, shared by the pixels that use it (fixed point, 20 fractional bits).
    struct Chroma {
        static let shift: Int32 = 20
        static let one = Float(1 << 20)
        static let lumaScale = Int32((1.164 * one).rounded())
        static let redFromV = Int32((1.596 * one).rounded())
        static let greenFromV = Int32((-0.813 * one).rounded())
        static let greenFromU = Int32((-0.391 * one).rounded())
        static let blueFromU = Int32((2.018 * one).rounded())
        static let half: Int32 = 1 << (shift - 1)

        let red: Int32
        let green: Int32
        let blue: Int32

        @inline(__always)
        init(u: UInt8, v: UInt8) {
            let cu = Int32(u) - 128
            let cv = Int32(v) - 128
            red = Self.redFromV &* cv &+ Self.half
            green = Self.greenFromV &* cv &+ Self.greenFromU &* cu &+ Self.half
            blue = Self.blueFromU &* cu &+ Self.half
        }

        @inline(__always)
        func store(luma: UInt8, into pixel: UnsafeMutablePointer<UInt8>) {
            let y = (Int32(luma) - 16) &* Self.lumaScale
            pixel[0] = Self.clamp((y &+ red) >> Self.shift)
            pixel[1] = Self.clamp((y &+ green) >> Self.shift)
            pixel[2] = Self.clamp((y &+ blue) >> Self.shift)
        }

        @inline(__always)
        static func clamp(_ value: Int32) -> UInt8 { UInt8(truncatingIfNeeded: min(max(value, 0), 255)) }
    }
}
