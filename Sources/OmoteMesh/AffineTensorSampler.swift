import OmoteCore

/// Fills a network's float input (H × W × 3, RGB) from an image through an affine map, as MediaPipe's CPU
/// ImageToTensor does with OpenCV's warpAffine/warpPerspective: output pixel (x, y) reads the image at
/// (a·x + b·y + c, d·x + e·y + f) with bilinear interpolation, pixels outside the image read as 0, the result is
/// rounded to a byte u (OpenCV warps u8 images to u8), and u becomes u·scale + offset in float32. (OpenCV quantises
/// positions to 1/32 px; this samples exactly, which differs by well under a level per pixel.)
struct AffineTensorSampler {
    /// Image position of output pixel (x, y): `row0 · (x, y, 1)`, `row1 · (x, y, 1)`.
    var row0: SIMD3<Float>
    var row1: SIMD3<Float>

    func fill(
        _ tensor: UnsafeMutableBufferPointer<Float>,
        width: Int,
        height: Int,
        from image: RGBImage,
        scale: Float,
        offset: Float
    ) {
        precondition(tensor.count >= width * height * 3)
        let maxX = image.width - 1
        let maxY = image.height - 1
        var y = 0
        while y < height {
            var x = 0
            while x < width {
                let position = SIMD3(Float(x), Float(y), 1)
                let sx = (row0 * position).sum()
                let sy = (row1 * position).sum()
                let x0 = Int(sx.rounded(.down))
                let y0 = Int(sy.rounded(.down))
                let fx = sx - Float(x0)
                let fy = sy - Float(y0)
                var rgb = SIMD3<Float>()
                if x0 >= 0, y0 >= 0, x0 < maxX, y0 < maxY {
                    // All four taps inside (nearly every pixel of a face crop): no per-tap checks. The same products
                    // summed in the same order as below, so the result is bit-identical.
                    let top = image.pixels + y0 * image.rowStride + x0 * 3
                    let bottom = top + image.rowStride
                    rgb += SIMD3(Float(top[0]), Float(top[1]), Float(top[2])) * ((1 - fx) * (1 - fy))
                    rgb += SIMD3(Float(top[3]), Float(top[4]), Float(top[5])) * (fx * (1 - fy))
                    rgb += SIMD3(Float(bottom[0]), Float(bottom[1]), Float(bottom[2])) * ((1 - fx) * fy)
                    rgb += SIMD3(Float(bottom[3]), Float(bottom[4]), Float(bottom[5])) * (fx * fy)
                } else if x0 >= -1, y0 >= -1, x0 <= maxX, y0 <= maxY {
                    // Four taps; taps outside the image contribute the border value 0.
                    rgb += tap(image, x0, y0, maxX, maxY) * ((1 - fx) * (1 - fy))
                    rgb += tap(image, x0 + 1, y0, maxX, maxY) * (fx * (1 - fy))
                    rgb += tap(image, x0, y0 + 1, maxX, maxY) * ((1 - fx) * fy)
                    rgb += tap(image, x0 + 1, y0 + 1, maxX, maxY) * (fx * fy)
                }
                // OpenCV warps u8 to u8: the interpolated value is rounded to a byte before the float conversion.
                rgb = (rgb + 0.5).rounded(.down)
                let base = (y * width + x) * 3
                tensor[base] = rgb.x * scale + offset
                tensor[base + 1] = rgb.y * scale + offset
                tensor[base + 2] = rgb.z * scale + offset
                x += 1
            }
            y += 1
        }
    }

    @inline(__always)
    private func tap(_ image: RGBImage, _ x: Int, _ y: Int, _ maxX: Int, _ maxY: Int) -> SIMD3<Float> {
        guard x >= 0, y >= 0, x <= maxX, y <= maxY else { return .zero }
        let pixel = image.pixels + y * image.rowStride + x * 3
        return SIMD3(Float(pixel[0]), Float(pixel[1]), Float(pixel[2]))
    }
}
