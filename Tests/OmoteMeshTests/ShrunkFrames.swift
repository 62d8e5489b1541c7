import OmoteCore
import OmoteMesh

/// single_face frames shrunk about the frame's centre by `factor` (each output pixel the mean of the source pixels
/// it covers, as a camera's sensor would average), the rest of the frame flat grey: the same person sitting `factor`
/// times farther from the camera.
final class ShrunkFrames {
    let frames = LandmarkTrackingTests.Frames()
    let factor: Float
    private var pixels: [UInt8] = []

    init(factor: Float) {
        precondition(factor >= 1)
        self.factor = factor
    }

    /// Where a normalised point of the full frame lands in the shrunk one.
    func shrunk(_ point: SIMD2<Float>) -> SIMD2<Float> { (point - 0.5) / factor + 0.5 }

    func withShrunkImage<R>(index: Int, _ body: (RGBImage) throws -> R) throws -> R {
        try frames.withImage(clip: "single_face", index: index) { image in
            let width = image.width
            let height = image.height
            if pixels.count != 3 * width * height {
                pixels = Array(repeating: 0, count: 3 * width * height)
            }
            let outWidth = Int(Float(width) / factor)
            let outHeight = Int(Float(height) / factor)
            let left = (width - outWidth) / 2
            let top = (height - outHeight) / 2
            return try pixels.withUnsafeMutableBufferPointer { target in
                target.update(repeating: 90)
                for y in 0 ..< outHeight {
                    let y0 = Int(Float(y) * factor)
                    let y1 = min(height, max(y0 + 1, Int(Float(y + 1) * factor)))
                    for x in 0 ..< outWidth {
                        let x0 = Int(Float(x) * factor)
                        let x1 = min(width, max(x0 + 1, Int(Float(x + 1) * factor)))
                        for channel in 0 ..< 3 {
                            var sum = 0
                            for sy in y0 ..< y1 {
                                for sx in x0 ..< x1 {
                                    sum += Int(image.pixels[sy * image.rowStride + 3 * sx + channel])
                                }
                            }
                            let pixel = (top + y) * 3 * width + 3 * (left + x) + channel
                            target[pixel] = UInt8(sum / ((y1 - y0) * (x1 - x0)))
                        }
                    }
                }
                return try body(RGBImage(pixels: UnsafePointer(target.baseAddress!), width: width, height: height))
            }
        }
    }
}
