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
