import OmoteCore

/// MediaPipe's facial transformation matrix: canonical face model (cm) → MediaPipe's metric camera space, a 4×4
/// similarity transform (scale · rotation | translation in cm). Camera space is right-handed: +x right, +y up,
/// +z toward the viewer (the face lies at negative z). The canonical model's axes: +x the subject's left, +y up,
/// +z out of the face.
public struct FacialTransformationMatrix: Sendable, Equatable, BitwiseCopyable {
    /// Columns of the 4×4 matrix (the last one is the translation, then 1).
    public var columns: (SIMD4<Float>, SIMD4<Float>, SIMD4<Float>, SIMD4<Float>)

    public init(columns: (SIMD4<Float>, SIMD4<Float>, SIMD4<Float>, SIMD4<Float>)) {
        self.columns = columns
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.columns.0 == b.columns.0 && a.columns.1 == b.columns.1 && a.columns.2 == b.columns.2
            && a.columns.3 == b.columns.3
    }

    /// Element at `row`, `column` (0…3).
    public subscript(row: Int, column: Int) -> Float {
        switch column {
        case 0: columns.0[row]
        case 1: columns.1[row]
        case 2: columns.2[row]
        default: columns.3[row]
        }
    }

    /// The uniform scale of the upper 3×3 (≈ 1: the face is already metric when the last Procrustes runs).
    public var scale: Float { (columns.0 * columns.0).sum().squareRoot() }

    /// The rotation, scale divided out and re-orthonormalised, in MediaPipe's axes.
    public var rotation: Rotation3 {
        func xyz(_ v: SIMD4<Float>) -> SIMD3<Float> { SIMD3(v.x, v.y, v.z) }
        return Rotation3(xyz(columns.0), xyz(columns.1), xyz(columns.2)).orthonormalised
    }

    /// Translation in centimetres, MediaPipe's axes.
    public var translation: SIMD3<Float> { SIMD3(columns.3.x, columns.3.y, columns.3.z) }

    /// Omote's head pose. Omote's camera frame is +x right, +y down, +z forward and its head frame +x the subject's
    /// left, +y down, +z into the head; both are MediaPipe's frames turned 180° about x, i.e. with F = diag(1, −1, −1):
    /// rotation = F · R · F, translation = F · t · 10 (cm → mm). A face looking straight at the camera has the
    /// identity rotation in both conventions.
    public var headPose: HeadPose {
        let flip = SIMD3<Float>(1, -1, -1)
        let r = rotation
        // (F R F) column j = F · (R column j) · flip[j].
        let converted = Rotation3(r.c0 * flip * flip.x, r.c1 * flip * flip.y, r.c2 * flip * flip.z)
        return HeadPose(rotation: converted, translation: translation * flip * 10)
    }
}
