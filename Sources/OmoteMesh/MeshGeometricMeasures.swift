import OmoteCore

/// Expression measures read straight off the face mesh in canonical space (head pose undone, see
/// `FaceGeometryPipeline.canonicalSpaceLandmarks`), each divided by the inter-ocular distance so they do not depend
/// on the face's size. What MediaPipe's blendshape network under-reports (a dropped jaw, a wink, wide eyes) shows
/// plainly in these. Landmark indices are MediaPipe's face mesh topology, checked against its own landmarks on the
/// SampleFrames fixtures (`MeshGeometricMeasuresTests`). Expression data: kept only in private memory.
public struct MeshGeometricMeasures: Sendable, Equatable, BitwiseCopyable {
    /// Outer eye corners 33 (subject's right) to 263 (subject's left), in canonical cm: the size reference.
    public var interOcular: Float = 0
    /// Inner lips, upper 13 minus lower 14 along the face's vertical: 0 with the lips together.
    public var lipGap: Float = 0
    /// Nose tip 1 to chin 152 along the face's vertical: grows as the jaw drops.
    public var noseToChin: Float = 0
    /// Per eye (0 the subject's left, 1 right, ARKit's order), the lids' vertical distance at three points over the
    /// eye's width (the eye aspect ratio): about 0.3 open, near 0 shut.
    public var eyeAperture = SIMD2<Float>()
    /// Across the lower cheeks, 187 (subject's right) to 411 (left), along the face's horizontal: puffed cheeks
    /// widen it — and so does a smile, which `mouthWidth` tells apart.
    public var cheekWidth: Float = 0
    /// Mouth corners 61 (subject's right) to 291 (left) along the face's horizontal: a smile widens it, a puff not.
    public var mouthWidth: Float = 0
    /// Per side (0 the subject's left, 1 right), the nostril wing's outermost point (358 left, 129 right) from the
    /// nose's midline (4) along the face's horizontal: a flared nostril (a sneer) moves it out.
    public var nostrilFlare = SIMD2<Float>()

    public init() {}

    /// The subject's left eye: corners 362 (inner) and 263 (outer), upper/lower lid pairs 385/380, 386/374, 387/373.
    static let leftEye = EyeIndices(inner: 362, outer: 263, upperLid: [385, 386, 387], lowerLid: [380, 374, 373])
    /// The subject's right eye: corners 133 (inner) and 33 (outer), lid pairs 160/144, 159/145, 158/153.
    static let rightEye = EyeIndices(inner: 133, outer: 33, upperLid: [160, 159, 158], lowerLid: [144, 145, 153])
    static let rightEyeOuter = 33
    static let leftEyeOuter = 263
    static let upperInnerLip = 13
    static let lowerInnerLip = 14
    static let noseTip = 1
    static let chin = 152
    static let rightCheek = 187
    static let leftCheek = 411
    static let rightMouthCorner = 61
    static let leftMouthCorner = 291
    static let noseMidline = 4
    static let leftNostrilWing = 358
    static let rightNostrilWing = 129

    /// One eye's corners and its lids' points, `upperLid[k]` straight above `lowerLid[k]`.
    struct EyeIndices {
        let inner: Int
        let outer: Int
        let upperLid: [Int]
        let lowerLid: [Int]
    }

    /// Measures the 468 canonical-space mesh points in `points`. Allocates nothing.
    public init(canonicalSpace points: MemoryView<SIMD3<Float>>) {
        precondition(points.count >= MeshLandmarks.meshCount, "measures need the 468 mesh points")
        let corners = points[Self.leftEyeOuter] - points[Self.rightEyeOuter]
        interOcular = (corners * corners).sum().squareRoot()
        // A collapsed mesh measures nothing rather than dividing by zero.
        guard interOcular > 1e-6 else {
            interOcular = 0
            return
        }
        let scale = 1 / interOcular
        lipGap = (points[Self.upperInnerLip].y - points[Self.lowerInnerLip].y) * scale
        noseToChin = (points[Self.noseTip].y - points[Self.chin].y) * scale
        eyeAperture = SIMD2(Self.aperture(Self.leftEye, points), Self.aperture(Self.rightEye, points))
        cheekWidth = (points[Self.leftCheek].x - points[Self.rightCheek].x) * scale
        mouthWidth = (points[Self.leftMouthCorner].x - points[Self.rightMouthCorner].x) * scale
        let midline = points[Self.noseMidline].x
        nostrilFlare =
            SIMD2(points[Self.leftNostrilWing].x - midline, midline - points[Self.rightNostrilWing].x) * scale
    }

    /// Mean vertical lid distance over the corner-to-corner width; negative if the lids cross (noise on a shut eye).
    private static func aperture(_ eye: EyeIndices, _ points: MemoryView<SIMD3<Float>>) -> Float {
        let width = points[eye.outer] - points[eye.inner]
        let eyeWidth = (width * width).sum().squareRoot()
        guard eyeWidth > 1e-6 else { return 0 }
        var opening: Float = 0
        var pair = 0
        while pair < eye.upperLid.count {
            opening += points[eye.upperLid[pair]].y - points[eye.lowerLid[pair]].y
            pair += 1
        }
        return opening / (Float(eye.upperLid.count) * eyeWidth)
    }
}

extension MeshGeometricMeasures: CustomStringConvertible {
    /// Redacted: expression data never reaches a log line.
    public var description: String { "MeshGeometricMeasures(redacted)" }
}
