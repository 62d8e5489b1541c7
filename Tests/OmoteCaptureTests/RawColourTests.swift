import OmoteCapture
import OmoteCore
import Testing

/// Uncompressed camera formats to RGB for the mesh tracker: BT.601 limited range, each chroma sample shared by the
/// pixels it covers, checked against the standard's formula in floating point (±1 level for the fixed-point rounding).
@Suite struct RawColourTests {
    static let width = 6
    static let height = 4

    /// The standard's conversion, in Double, rounded and clamped.
    static func expected(y: UInt8, u: UInt8, v: UInt8) -> SIMD3<Int> {
        let l = 1.164 * (Double(y) - 16)
        let cu = Double(u) - 128
        let cv = Double(v) - 128
        func byte(_ x: Double) -> Int { Int(min(max(x.rounded(), 0), 255)) }
        return SIMD3(byte(l + 1.596 * cv), byte(l - 0.813 * cv - 0.391 * cu), byte(l + 2.018 * cu))
    }

    /// The largest per-channel difference, in levels.
    static func levels(_ a: SIMD3<Int>, _ b: SIMD3<Int>) -> Int {
        let d = a &- b
        return max(abs(d.x), abs(d.y), abs(d.z))
    }

    static func lumaAt(_ x: Int, _ y: Int) -> UInt8 { UInt8(truncatingIfNeeded: 10 + 37 * x + 53 * y) }
    static func uAt(_ cx: Int, _ cy: Int) -> UInt8 { UInt8(truncatingIfNeeded: 20 + 71 * cx + 29 * cy) }
    static func vAt(_ cx: Int, _ cy: Int) -> UInt8 { UInt8(truncatingIfNeeded: 240 - 43 * cx - 61 * cy) }

    /// A frame in `layout` whose pixel (x, y) has Y lumaAt(x, y) and the chroma of its 4:2:2 or 4:2:0 cell.
    static func frameBytes(_ layout: RawColour.Layout, padding: Int) -> (bytes: [UInt8], bytesPerLine: Int) {
        switch layout {
        case let .packed422(luma, u, v):
            let line = 2 * width + padding
            var bytes = [UInt8](repeating: 0xEE, count: line * height)
            for y in 0 ..< height {
                for pair in 0 ..< width / 2 {
                    let group = y * line + 4 * pair
                    bytes[group + luma] = lumaAt(2 * pair, y)
                    bytes[group + luma + 2] = lumaAt(2 * pair + 1, y)
                    bytes[group + u] = uAt(pair, y)
                    bytes[group + v] = vAt(pair, y)
                }
            }
            return (bytes, line)
        case let .semiPlanar420(uFirst):
            let line = width + padding
            var bytes = [UInt8](repeating: 0xEE, count: line * height * 3 / 2)
            for y in 0 ..< height { for x in 0 ..< width { bytes[y * line + x] = lumaAt(x, y) } }
            for cy in 0 ..< height / 2 {
                for cx in 0 ..< width / 2 {
                    let at = line * height + cy * line + 2 * cx
                    bytes[at] = uFirst ? uAt(cx, cy) : vAt(cx, cy)
                    bytes[at + 1] = uFirst ? vAt(cx, cy) : uAt(cx, cy)
                }
            }
            return (bytes, line)
        case let .planar420(uFirst):
            let line = width + padding
            let chromaLine = line / 2
            var bytes = [UInt8](repeating: 0xEE, count: line * height + 2 * chromaLine * height / 2)
            for y in 0 ..< height { for x in 0 ..< width { bytes[y * line + x] = lumaAt(x, y) } }
            let first = line * height
            let second = first + chromaLine * height / 2
            for cy in 0 ..< height / 2 {
                for cx in 0 ..< width / 2 {
                    bytes[first + cy * chromaLine + cx] = uFirst ? uAt(cx, cy) : vAt(cx, cy)
                    bytes[second + cy * chromaLine + cx] = uFirst ? vAt(cx, cy) : uAt(cx, cy)
                }
            }
            return (bytes, line)
        case .grey:
            let line = width + padding
            var bytes = [UInt8](repeating: 0xEE, count: line * height)
            for y in 0 ..< height { for x in 0 ..< width { bytes[y * line + x] = lumaAt(x, y) } }
            return (bytes, line)
        }
    }

    static func convert(_ bytes: [UInt8], _ layout: RawColour.Layout, bytesPerLine: Int) throws -> [SIMD3<Int>] {
        var frame = try VideoFrame(capacity: 4)
        try bytes.withUnsafeBytes {
            try RawColour.convert(
                $0, layout: layout, width: width, height: height, bytesPerLine: bytesPerLine, into: &frame,
                source: "test")
        }
        #expect(frame.width == width && frame.height == height)
        return frame.withRGBImage { image in
            (0 ..< width * height).map { p in
                SIMD3(Int(image.pixels[3 * p]), Int(image.pixels[3 * p + 1]), Int(image.pixels[3 * p + 2]))
            }
        }
    }

    @Test(
        "YUYV, UYVY, NV12, NV21, YU12 and YV12 convert by BT.601 limited range, chroma shared per cell, any padding",
        arguments: [
            V4L2PixelFormat.yuyv, .uyvy, .nv12, .nv21, .yuv420, .yvu420,
        ])
    func chromaFormats(format: V4L2PixelFormat) throws {
        let layout = try #require(format.colourLayout)
        let vertical =
            switch layout {
            case .packed422: 1
            default: 2
            }
        for padding in [0, 10] {
            let (bytes, line) = Self.frameBytes(layout, padding: padding)
            let rgb = try Self.convert(bytes, layout, bytesPerLine: line)
            for y in 0 ..< Self.height {
                for x in 0 ..< Self.width {
                    let want = Self.expected(
                        y: Self.lumaAt(x, y), u: Self.uAt(x / 2, y / vertical), v: Self.vAt(x / 2, y / vertical))
                    let got = rgb[y * Self.width + x]
                    #expect(
                        Self.levels(got, want) <= 1, "\(format) padding \(padding) at (\(x), \(y)): \(got) vs \(want)")
                }
            }
        }
    }

    @Test("BT.601's reference colours: video-range red, white and black become full-range RGB (±1 level)")
    func referenceColours() throws {
        // (Y, U, V) of 100 % red, white and black in 8-bit video range (ITU-R BT.601 colour bars; Y is rounded, so
        // red lands within a level of 255).
        for (yuv, rgb) in [
            (SIMD3<UInt8>(81, 90, 240), SIMD3(255, 0, 0)), (SIMD3<UInt8>(235, 128, 128), SIMD3(255, 255, 255)),
            (SIMD3<UInt8>(16, 128, 128), SIMD3(0, 0, 0)),
        ] {
            let row = [yuv.x, yuv.y, yuv.x, yuv.z]
            var frame = try VideoFrame(capacity: 4)
            try (row + row).withUnsafeBytes {
                try RawColour.convert(
                    $0, layout: .packed422(luma: 0, u: 1, v: 3), width: 2, height: 2, bytesPerLine: 4,
                    into: &frame, source: "bars")
            }
            let got = frame.withRGBImage { image in
                SIMD3(Int(image.pixels[9]), Int(image.pixels[10]), Int(image.pixels[11]))
            }
            #expect(Self.levels(got, rgb) <= 1, "\(yuv) → \(got), expected \(rgb)")
        }
    }

    @Test("GREY becomes grey RGB with its levels unchanged")
    func grey() throws {
        let (bytes, line) = Self.frameBytes(.grey, padding: 3)
        let rgb = try Self.convert(bytes, .grey, bytesPerLine: line)
        for y in 0 ..< Self.height {
            for x in 0 ..< Self.width {
                let level = Int(Self.lumaAt(x, y))
                #expect(rgb[y * Self.width + x] == SIMD3(level, level, level))
            }
        }
    }

    @Test(
        "A buffer shorter than the format needs is refused, naming the shortfall",
        arguments: [
            V4L2PixelFormat.yuyv, .nv12, .yuv420, .grey,
        ])
    func truncated(format: V4L2PixelFormat) throws {
        let layout = try #require(format.colourLayout)
        let (bytes, line) = Self.frameBytes(layout, padding: 0)
        let error = #expect(throws: OmoteError.self) {
            _ = try Self.convert(Array(bytes.dropLast()), layout, bytesPerLine: line)
        }
        #expect(error?.code == .captureFrameCorrupt)
        #expect(error?.reason.hasPrefix("raw frame of the wrong size") == true, "\(String(describing: error))")
        if format == .yuyv {
            #expect(error?.subject == "test" && error?.reason == "raw frame of the wrong size: 47 of 48 bytes")
        }
    }

    @Test("An odd width, a line shorter than its pixels or an empty frame is refused as bad geometry, writing nothing")
    func badGeometry() throws {
        var frame = try VideoFrame(capacity: 4)
        let bytes = [UInt8](repeating: 128, count: 4096)
        let cases: [(RawColour.Layout, width: Int, height: Int, bytesPerLine: Int)] = [
            (.packed422(luma: 0, u: 1, v: 3), 5, 4, 10),
            (.packed422(luma: 1, u: 0, v: 2), 6, 4, 11),
            (.semiPlanar420(uFirst: true), 6, 4, 5),
            (.planar420(uFirst: false), 6, 0, 6),
            (.grey, 0, 4, 6),
        ]
        for (layout, width, height, bytesPerLine) in cases {
            let error = #expect(throws: OmoteError.self) {
                try bytes.withUnsafeBytes {
                    try RawColour.convert(
                        $0, layout: layout, width: width, height: height, bytesPerLine: bytesPerLine, into: &frame,
                        source: "test")
                }
            }
            #expect(error.map(FrameDamage.init) == .badGeometry, "\(layout) \(width)×\(height), \(bytesPerLine)")
        }
        #expect(frame.width == 0 && frame.height == 0)
    }
}
