/// MediaPipe's 478 face-mesh landmarks (468 mesh points, then 5 per iris: right eye 468…472, left eye 473…477), as
/// MediaPipe's `NormalizedLandmark`s: x, y in 0…1 of the frame's width and height, z relative depth on the scale of
/// x (smaller is nearer the camera). Storage is allocated once and overwritten in place every frame.
public struct MeshLandmarks: Sendable, Equatable {
    public static let count = 478
    /// Points of the face mesh proper (what the face geometry pipeline's canonical model covers).
    public static let meshCount = 468

    public var points: [SIMD3<Float>]

    public init() { points = Array(repeating: .zero, count: Self.count) }

    public subscript(index: Int) -> SIMD3<Float> {
        get { points[index] }
        set { points[index] = newValue }
    }
}

extension MeshLandmarks: CustomStringConvertible {
    /// Redacted: expression data never reaches a log line.
    public var description: String { "MeshLandmarks(478 points, redacted)" }
}
