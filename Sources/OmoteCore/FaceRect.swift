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
        let left = max(x, other.x)
        let top = max(y, other.y)
        let right = min(x + width, other.x + other.width)
        let bottom = min(y + height, other.y + other.height)
        let intersection = max(0, right - left) * max(0, bottom - top)
        let union = area + other.area - intersection
        return union > 0 ? intersection / union : 0
    }
}
