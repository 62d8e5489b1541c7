/// An axis-aligned face box in image pixels (x, y = top-left corner).
public struct FaceRect: Sendable, Equatable {
    public var x: Float
    public var y: Float
    public var width: Float
    public var height: Float

    public init(x: Float, y: Float, width: Float, height: Float) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    public var center: SIMD2<Float> { SIMD2(x + width / 2, y + height / 2) }
    public var area: Float { max(0, width) * max(0, height) }

    /// Intersection over union with another box (0 when disjoint).
    public func intersectionOverUnion(_ other: FaceRect) -> Float {
        let left = max(x, other.x), top = max(y, other.y)
        let right = min(x + width, other.x + other.width), bottom = min(y + height, other.y + other.height)
        let intersection = max(0, right - left) * max(0, bottom - top)
        let union = area + other.area - intersection
        return union > 0 ? intersection / union : 0
    }
}

/// The 68 facial landmarks of the iBUG 300-W convention (dlib's order: jaw 0–16, brows 17–26, nose 27–35,
/// eyes 36–47, mouth 48–67), in image pixels. Storage is allocated once and overwritten in place every frame.
public struct FaceLandmarks: Sendable, Equatable {
    public static let count = 68
    public var points: [SIMD2<Float>]

    public init() { points = Array(repeating: .zero, count: Self.count) }
    public init(points: [SIMD2<Float>]) {
        precondition(points.count == Self.count, "a face has exactly 68 landmarks")
        self.points = points
    }

    public subscript(index: Int) -> SIMD2<Float> {
        get { points[index] }
        set { points[index] = newValue }
    }
}

extension FaceLandmarks: CustomStringConvertible {
    /// Redacted: expression data never reaches a log line.
    public var description: String { "FaceLandmarks(68 points, redacted)" }
}
