import Foundation
import OmoteCore
import Testing

@testable import OmoteMesh

/// The eight-pixel warp (`fill`) against the one-pixel reference (`fillReference`), bit for bit: random images,
/// random affine maps (rotations, tiny to huge scales, crops partly or wholly outside the image) and output widths
/// that are not multiples of 8.
@Suite struct AffineTensorSamplerTests {
    /// SplitMix64, so a failure reproduces.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// Warps a `imageWidth` × `imageHeight` random image (rows padded by `padding` bytes, allocated to the last byte
    /// of its last pixel) both ways and returns the indices where the bit patterns differ.
    static func mismatches(
        _ sampler: AffineTensorSampler, imageWidth: Int, imageHeight: Int, padding: Int, width: Int, height: Int,
        scale: Float, offset: Float, random: inout Generator
    ) -> [Int] {
        let rowStride = imageWidth * 3 + padding
        let byteCount = rowStride * (imageHeight - 1) + imageWidth * 3
        let pixels = (0 ..< byteCount).map { _ in UInt8.random(in: 0 ... 255, using: &random) }
        let count = width * height * 3
        var fast = [Float](repeating: .nan, count: count)
        var reference = [Float](repeating: -.nan, count: count)
        pixels.withUnsafeBufferPointer { bytes in
            let image = RGBImage(
                pixels: bytes.baseAddress!, width: imageWidth, height: imageHeight, rowStride: rowStride)
            fast.withUnsafeMutableBufferPointer {
                sampler.fill($0, width: width, height: height, from: image, scale: scale, offset: offset)
            }
            reference.withUnsafeMutableBufferPointer {
                sampler.fillReference($0, width: width, height: height, from: image, scale: scale, offset: offset)
            }
        }
        return (0 ..< count).filter { fast[$0].bitPattern != reference[$0].bitPattern }
    }

    /// Crop pixel (x, y) → image: centre + (x·s − w/2)·(cos, sin) + (y·s − h/2)·(−sin, cos), as FaceLandmarker
    /// builds it.
    static func crop(centre: SIMD2<Float>, step: Float, angle: Float, width: Int, height: Int) -> AffineTensorSampler {
        let c = cosf(angle)
        let s = sinf(angle)
        let w = step * Float(width)
        let h = step * Float(height)
        return AffineTensorSampler(
            row0: SIMD3(step * c, -step * s, centre.x - 0.5 * w * c + 0.5 * h * s),
            row1: SIMD3(step * s, step * c, centre.y - 0.5 * w * s - 0.5 * h * c))
    }

    @Test("random rotated crops, tiny to huge scales, partly or wholly outside: identical to the reference")
    func randomMaps() {
        var random = Generator(state: 23)
        var failures: [String] = []
        for trial in 0 ..< 2000 {
            let imageWidth = [1, 2, 3, 7, 9, 31, 64, 127].randomElement(using: &random)!
            let imageHeight = [1, 2, 5, 8, 33, 90].randomElement(using: &random)!
            let width = [1, 3, 7, 8, 9, 15, 17, 31, 40, 64].randomElement(using: &random)!
            let height = Int.random(in: 1 ... 12, using: &random)
            // Steps from far below a pixel (every output pixel between the same four taps) to far above one.
            let step = Float(pow(10, Double.random(in: -4 ... 2, using: &random)))
            let angle = trial % 4 == 0 ? 0 : Float.random(in: -Float.pi ... Float.pi, using: &random)
            // Centres from well outside the image, through its edges, to its middle.
            let centre = SIMD2(
                Float.random(in: -0.5 ... 1.5, using: &random) * Float(imageWidth),
                Float.random(in: -0.5 ... 1.5, using: &random) * Float(imageHeight))
            let sampler = Self.crop(centre: centre, step: step, angle: angle, width: width, height: height)
            let (scale, offset): (Float, Float) = trial % 2 == 0 ? (1 / 255, 0) : (2 / 255, -1)
            let wrong = Self.mismatches(
                sampler, imageWidth: imageWidth, imageHeight: imageHeight, padding: trial % 3,
                width: width, height: height, scale: scale, offset: offset, random: &random)
            if !wrong.isEmpty {
                failures.append("trial \(trial): \(wrong.count) values differ, first at \(wrong[0])")
            }
        }
        #expect(failures.isEmpty, "\(failures)")
    }

    @Test("taps exactly on pixel centres and the last row and column: identical to the reference")
    func gridAlignedMaps() {
        var random = Generator(state: 4)
        // Whole and half steps with whole offsets put positions exactly on x0 = maxX or y0 = maxY, where the right
        // or bottom taps leave the image with weight 0.
        for (step, shift) in [(1, 0), (1, -3), (0.5, 2), (2, -1), (1, 5)] as [(Float, Float)] {
            let sampler = AffineTensorSampler(row0: SIMD3(step, 0, shift), row1: SIMD3(0, step, shift))
            let wrong = Self.mismatches(
                sampler, imageWidth: 21, imageHeight: 11, padding: 0, width: 29, height: 14, scale: 1 / 255,
                offset: 0, random: &random)
            #expect(wrong.isEmpty, "step \(step), shift \(shift): \(wrong.count) values differ")
        }
    }

    @Test("the landmark crop (256×256, face inside) and the detector letterbox (128×128): identical")
    func pipelineMaps() {
        var random = Generator(state: 7)
        let face = Self.crop(centre: SIMD2(331.7, 190.2), step: 0.83, angle: 0.21, width: 256, height: 256)
        #expect(
            Self.mismatches(
                face, imageWidth: 640, imageHeight: 360, padding: 0, width: 256, height: 256, scale: 1 / 255,
                offset: 0, random: &random
            ).isEmpty)
        let letterbox = AffineTensorSampler(row0: SIMD3(5, 0, 0), row1: SIMD3(0, 5, 360 / 2 - 320))
        #expect(
            Self.mismatches(
                letterbox, imageWidth: 640, imageHeight: 360, padding: 0, width: 128, height: 128, scale: 2 / 255,
                offset: -1, random: &random
            ).isEmpty)
    }
}
