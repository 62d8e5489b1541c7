/// One BlazeFace detection in normalised frame coordinates (0…1 of width and height): a box, six keypoints and the
/// score. Keypoints in MediaPipe's order: 0 the eye on the image's left (the subject's right eye), 1 the other eye,
/// 2 nose tip, 3 mouth centre, 4 and 5 the ear tragions (image left, image right). No heap storage.
public struct FaceDetection: Sendable, Equatable {
    public static let keypointCount = 6

    public var score: Float
    /// xmin, ymin, xmax, ymax.
    public var box: SIMD4<Float>
    /// Keypoint x's and y's (lanes 0…5; 6 and 7 unused, 0).
    public var keypointX: SIMD8<Float>
    public var keypointY: SIMD8<Float>

    public init(
        score: Float = 0, box: SIMD4<Float> = .zero, keypointX: SIMD8<Float> = .zero,
        keypointY: SIMD8<Float> = .zero
    ) {
        self.score = score
        self.box = box
        self.keypointX = keypointX
        self.keypointY = keypointY
    }

    public func keypoint(_ index: Int) -> SIMD2<Float> { SIMD2(keypointX[index], keypointY[index]) }

    public var width: Float { box.z - box.x }
    public var height: Float { box.w - box.y }

    /// MediaPipe's OverlapSimilarity (intersection over union); 0 when the boxes do not meet.
    public func intersectionOverUnion(_ other: FaceDetection) -> Float {
        let low = pointwiseMax(SIMD2(box.x, box.y), SIMD2(other.box.x, other.box.y))
        let high = pointwiseMin(SIMD2(box.z, box.w), SIMD2(other.box.z, other.box.w))
        guard high.x > low.x, high.y > low.y else { return 0 }
        let intersection = (high.x - low.x) * (high.y - low.y)
        let union = width * height + other.width * other.height - intersection
        return union > 0 ? intersection / union : 0
    }
}

extension FaceDetection: CustomStringConvertible {
    /// Redacted: face positions never reach a log line.
    public var description: String { "FaceDetection(redacted)" }
}
