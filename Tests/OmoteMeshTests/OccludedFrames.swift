import OmoteCore
import OmoteMesh

/// single_face frames with the lower face covered, as a hand or a mug would: a flat box from the nose tip (landmark 1)
/// down to below the chin (landmark 152, plus a fifth of the nose-tip-to-chin height), across the whole face width
/// (all 478 landmarks' x range), painted in the colour of the cheeks (the mean of a 9×9 window at each of landmarks
/// 50 and 280, under the eyes, above the patch). Placed from MediaPipe's unoccluded landmarks of the same frame.
final class OccludedFrames {
    let frames = LandmarkTrackingTests.Frames()
    private var pixels: [UInt8] = []
    /// How far above the nose tip the patch starts, as a fraction of the nose tip's height below the eye corners
    /// (landmarks 33 and 263): 0 covers from the nose tip down.
    var reach: Float = 0
    /// A hand instead of the box: four fingers side by side (a darker gap between them), as wide as `handWidth` face
    /// widths, from above the nose tip (`reach`) to below the chin, centred `handOffset(index)` face widths right of
    /// the face's centre — a hand moving across the face when the offset changes from frame to frame.
    var handOffset: ((Int) -> Float)?
    var handWidth: Float = 0.7

    /// The covered box in pixels: x0 ..< x1, y0 ..< y1.
    static func patch(_ landmarks: borrowing MeshLandmarks, width: Int, height: Int, reach: Float = 0)
        -> (x0: Int, y0: Int, x1: Int, y1: Int)
    {
        var low = Float.infinity
        var high = -Float.infinity
        for point in (0 ..< landmarks.count).map({ landmarks[$0] }) {
            low = min(low, point.x)
            high = max(high, point.x)
        }
        let noseTip = landmarks[1].y * Float(height)
        let chin = landmarks[152].y * Float(height)
        let bottom = chin + 0.2 * (chin - noseTip)
        let eyes = (landmarks[33].y + landmarks[263].y) / 2 * Float(height)
        let top = noseTip - reach * (noseTip - eyes)
        return (
            max(0, Int(low * Float(width))), max(0, Int(top)),
            min(width, Int(high * Float(width)) + 1), min(height, Int(bottom) + 1)
        )
    }

    /// The mean colour of the 9×9 windows at landmarks 50 and 280.
    static func cheekColour(_ landmarks: borrowing MeshLandmarks, _ image: RGBImage) -> SIMD3<UInt8> {
        var sum = SIMD3<Int>()
        var count = 0
        for landmark in [50, 280] {
            let cx = Int(landmarks[landmark].x * Float(image.width))
            let cy = Int(landmarks[landmark].y * Float(image.height))
            for y in max(0, cy - 4) ... min(image.height - 1, cy + 4) {
                for x in max(0, cx - 4) ... min(image.width - 1, cx + 4) {
                    let pixel = image.pixels + y * image.rowStride + 3 * x
                    sum &+= SIMD3(Int(pixel[0]), Int(pixel[1]), Int(pixel[2]))
                    count += 1
                }
            }
        }
        return SIMD3(UInt8(sum.x / count), UInt8(sum.y / count), UInt8(sum.z / count))
    }

    /// Frame `index` of single_face with its lower face covered, placed from `reference` (that frame's landmarks).
    func withOccludedImage<R>(
        index: Int, reference: borrowing MeshLandmarks, _ body: (RGBImage) throws -> R
    ) throws -> R {
        try frames.withImage(clip: "single_face", index: index) { image in
            let rowBytes = 3 * image.width
            if pixels.count != rowBytes * image.height {
                pixels = Array(repeating: 0, count: rowBytes * image.height)
            }
            let colour = Self.cheekColour(reference, image)
            var box = Self.patch(reference, width: image.width, height: image.height, reach: reach)
            var fingerWidth = Int.max
            if let handOffset {
                let faceWidth = box.x1 - box.x0
                let centre = Float(box.x0 + box.x1) / 2 + handOffset(index) * Float(faceWidth)
                let half = handWidth * Float(faceWidth) / 2
                box.x0 = max(0, Int(centre - half))
                box.x1 = min(image.width, max(box.x0, Int(centre + half)))
                fingerWidth = max(1, (box.x1 - box.x0) / 4)
            }
            let gap = colour &* 7 / 10
            return try pixels.withUnsafeMutableBufferPointer { target in
                for y in 0 ..< image.height {
                    for x in 0 ..< rowBytes {
                        target[y * rowBytes + x] = image.pixels[y * image.rowStride + x]
                    }
                }
                for y in box.y0 ..< box.y1 {
                    for x in box.x0 ..< box.x1 {
                        // The last two columns of each finger are the shadowed gap to the next.
                        let inGap = fingerWidth != .max && (x - box.x0) % fingerWidth >= fingerWidth - 2
                        let paint = inGap ? gap : colour
                        target[y * rowBytes + 3 * x] = paint.x
                        target[y * rowBytes + 3 * x + 1] = paint.y
                        target[y * rowBytes + 3 * x + 2] = paint.z
                    }
                }
                return try body(
                    RGBImage(pixels: UnsafePointer(target.baseAddress!), width: image.width, height: image.height))
            }
        }
    }
}
