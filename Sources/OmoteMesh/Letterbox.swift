/// How a frame sits in a square network input when scaled to fit with its aspect ratio kept (MediaPipe's
/// ImageToTensor with keep_aspect_ratio): padding on the short axis, equal on both sides, as fractions of the input.
public struct Letterbox: Sendable, Equatable {
    /// Padding fractions: left, top, right, bottom.
    public var padding: SIMD4<Float>

    public init(frameWidth: Int, frameHeight: Int) {
        let aspect = Float(frameHeight) / Float(frameWidth)
        if aspect < 1 {
            let vertical = (1 - aspect) / 2
            padding = SIMD4(0, vertical, 0, vertical)
        } else {
            let horizontal = (1 - 1 / aspect) / 2
            padding = SIMD4(horizontal, 0, horizontal, 0)
        }
    }

    /// A point in the network input (0…1) → the frame (0…1), as MediaPipe's DetectionLetterboxRemovalCalculator.
    @inline(__always)
    public func removing(_ point: SIMD2<Float>) -> SIMD2<Float> {
        let origin = SIMD2(padding.x, padding.y)
        let extent = SIMD2(1 - padding.x - padding.z, 1 - padding.y - padding.w)
        return (point - origin) / extent
    }
}
