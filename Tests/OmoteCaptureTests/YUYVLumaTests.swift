import OmoteCapture
import OmoteCaptureTesting
import OmoteCore
import Testing

@Suite struct YUYVLumaTests {
    static func pattern(width: Int, height: Int) -> [UInt8] {
        (0 ..< width * height).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ ($0 / width) &* 17) }
    }

    static func extract(
        _ bytes: [UInt8], _ layout: LumaLayout, width: Int, height: Int, bytesPerLine: Int, scale: Int = 1
    ) throws -> VideoFrame {
        var frame = try VideoFrame(capacity: 16)
        try bytes.withUnsafeBytes {
            try RawLuma.extract(
                $0, layout: layout, width: width, height: height, bytesPerLine: bytesPerLine,
                scaleDenominator: scale, into: &frame, source: "test")
        }
        return frame
    }

    @Test(
        "YUYV and UYVY give exactly the Y bytes for widths on and off the 32-pixel SIMD step",
        arguments: [1, 31, 32, 33, 63, 96, 640, 1283])
    func packed(width: Int) throws {
        let height = 5
        let luma = Self.pattern(width: width, height: height)
        for (lumaFirst, offset) in [(true, 0), (false, 1)] {
            for padding in [0, 6] {
                let bytes = V4L2TestSupport.packed422(
                    luma: luma, width: width, height: height, lumaFirst: lumaFirst, padding: padding)
                let frame = try Self.extract(
                    bytes, .packed422(lumaOffset: offset), width: width, height: height,
                    bytesPerLine: 2 * width + padding)
                #expect(frame.width == width && frame.height == height)
                #expect(V4L2TestSupport.pixels(of: frame) == luma, "lumaFirst \(lumaFirst) padding \(padding)")
            }
        }
    }

    @Test("Planar formats copy the Y plane row by row", arguments: [0, 13])
    func planar(padding: Int) throws {
        let (width, height) = (100, 7)
        let luma = Self.pattern(width: width, height: height)
        let bytes = V4L2TestSupport.planar(
            luma: luma, width: width, height: height, padding: padding, chromaFraction: 0.5)
        let frame = try Self.extract(bytes, .planar, width: width, height: height, bytesPerLine: width + padding)
        #expect(V4L2TestSupport.pixels(of: frame) == luma)
    }

    @Test("Scaled raw decode averages d×d blocks", arguments: [2, 4, 8])
    func scaled(factor: Int) throws {
        let (width, height) = (64, 40)
        let luma = Self.pattern(width: width, height: height)
        let expected = V4L2TestSupport.boxAverage(luma, width: width, height: height, factor: factor)
        let yuyv = V4L2TestSupport.packed422(luma: luma, width: width, height: height, lumaFirst: true)
        let frame = try Self.extract(
            yuyv, .packed422(lumaOffset: 0), width: width, height: height, bytesPerLine: 2 * width, scale: factor)
        #expect(frame.width == width / factor && frame.height == height / factor)
        #expect(V4L2TestSupport.pixels(of: frame) == expected)
        let grey = try Self.extract(luma, .planar, width: width, height: height, bytesPerLine: width, scale: factor)
        #expect(V4L2TestSupport.pixels(of: grey) == expected)
    }

    @Test("A buffer shorter than the geometry needs is refused, naming the shortfall")
    func truncated() throws {
        let bytes = [UInt8](repeating: 0, count: 2 * 16 * 4 - 1)
        let error = #expect(throws: OmoteError.self) {
            _ = try Self.extract(bytes, .packed422(lumaOffset: 0), width: 16, height: 4, bytesPerLine: 32)
        }
        #expect(error?.code == .captureFrameCorrupt)
        #expect(error?.subject == "test")
        #expect(error?.reason == "raw frame of the wrong size: 127 of 128 bytes")
        #expect(
            error?.description.hasPrefix("cannot decode a frame (test): raw frame of the wrong size: 127 of 128 bytes.")
                == true)
    }
}
