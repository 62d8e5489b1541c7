#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The rotated square the landmark network looks at, as MediaPipe's `NormalizedRect`: centre and size normalised to
/// the frame's width and height, rotation in radians (positive turns the crop's x axis from the image's +x toward +y).
public struct FaceRegion: Sendable, Equatable {
    public var centre: SIMD2<Float>
    public var size: SIMD2<Float>
    public var rotation: Float

    public init(centre: SIMD2<Float>, size: SIMD2<Float>, rotation: Float) {
        self.centre = centre
        self.size = size
        self.rotation = rotation
    }

    /// MediaPipe's face detector graph: the detection's box, rotated so keypoint 0 → 1 (the eyes) is horizontal,
    /// squared on its long side in pixels and scaled ×1.5 (DetectionsToRects + RectTransformation).
    public init(detection: FaceDetection, frameWidth: Int, frameHeight: Int) {
        let box = detection.box
        let rotation = Self.rotation(from: detection.keypoint(0), to: detection.keypoint(1), frameWidth, frameHeight)
        self = Self.expanded(
            centre: SIMD2((box.x + box.z) / 2, (box.y + box.w) / 2),
            size: SIMD2(box.z - box.x, box.w - box.y), rotation: rotation, frameWidth, frameHeight)
    }

    /// MediaPipe's tracking rect: the box around all 478 landmarks, rotated so landmark 33 → 263 (the outer eye
    /// corners) is horizontal, squared on its long side and scaled ×1.5.
    public init(landmarks: borrowing MeshLandmarks, frameWidth: Int, frameHeight: Int) {
        var low = SIMD2<Float>(repeating: .infinity)
        var high = SIMD2<Float>(repeating: -.infinity)
        var index = 0
        while index < landmarks.count {
            let point = landmarks[index]
            low = pointwiseMin(low, SIMD2(point.x, point.y))
            high = pointwiseMax(high, SIMD2(point.x, point.y))
            index += 1
        }
        let start = SIMD2(landmarks[33].x, landmarks[33].y)
        let end = SIMD2(landmarks[263].x, landmarks[263].y)
        let rotation = Self.rotation(from: start, to: end, frameWidth, frameHeight)
        self = Self.expanded(centre: (low + high) / 2, size: high - low, rotation: rotation, frameWidth, frameHeight)
    }

    /// DetectionsToRects: target angle 0 minus the angle of start → end in pixels (y up), normalised to [-π, π).
    private static func rotation(from start: SIMD2<Float>, to end: SIMD2<Float>, _ width: Int, _ height: Int)
        -> Float
    {
        let angle = -atan2f(-(end.y - start.y) * Float(height), (end.x - start.x) * Float(width))
        return angle - 2 * Float.pi * ((angle + Float.pi) / (2 * Float.pi)).rounded(.down)
    }

    /// RectTransformation with scale 1.5 × 1.5, square_long, no shift.
    private static func expanded(
        centre: SIMD2<Float>, size: SIMD2<Float>, rotation: Float, _ width: Int,
        _ height: Int
    ) -> FaceRegion {
        let longSide = max(size.x * Float(width), size.y * Float(height))
        let square = SIMD2(longSide / Float(width), longSide / Float(height))
        return FaceRegion(centre: centre, size: square * 1.5, rotation: rotation)
    }
}
