import OmoteCore
import OmoteRig

/// Paints a deformed rig into the rasteriser: a fixed orthographic front view of the head and shoulders fitted once to
/// the rest pose (so the avatar does not zoom as it moves), vertex colours, Lambert shading.
public final class AvatarPainter {
    public let model: RigModel
    /// The bottom of the framing: just below the shoulders.
    static let lowestFramedY: Float = -1.3
    private let colors: [SIMD3<Float>]
    private let boundsMinimum: SIMD3<Float>
    private let boundsMaximum: SIMD3<Float>

    public init(model: RigModel) {
        self.model = model
        colors =
            model.colors.isEmpty
            ? Array(repeating: SIMD3(0.85, 0.72, 0.62), count: model.vertexCount)
            : model.colors.map { SIMD3($0.x, $0.y, $0.z) }
        var low = SIMD3<Float>(repeating: .infinity)
        var high = SIMD3<Float>(repeating: -.infinity)
        // Head and shoulders, like the window's camera: a body further down would shrink the face (model space makes
        // the head one unit tall with its centre at the origin).
        for p in model.positions where p.y > Self.lowestFramedY {
            low = pointwiseMin(low, p)
            high = pointwiseMax(high, p)
        }
        if !(low.x <= high.x) {
            for p in model.positions {
                low = pointwiseMin(low, p)
                high = pointwiseMax(high, p)
            }
        }
        if model.positions.isEmpty { (low, high) = (SIMD3(repeating: -1), SIMD3(repeating: 1)) }
        // Room for the head to turn: widen to the larger of width and depth.
        let centre = (low + high) / 2
        let half = (high - low) / 2
        let side = max(half.x, half.z)
        boundsMinimum = SIMD3(centre.x - side, low.y, centre.z - side)
        boundsMaximum = SIMD3(centre.x + side, high.y, centre.z + side)
    }

    /// Draws `state` (deformed from this painter's model) over the rasteriser's current picture. Throws when the
    /// rasteriser cannot get the private memory the mesh needs.
    public func paint(_ state: RigState, into rasterizer: SoftwareRasterizer) throws(OmoteError) {
        let camera = RasterCamera.fitting(
            minimum: boundsMinimum, maximum: boundsMaximum,
            width: rasterizer.width, height: rasterizer.height, margin: 0.06)
        // The state's views stay valid while `state` is held (it is, for the whole call).
        let positions = UnsafeBufferPointer(state.positions.buffer)
        let normals = UnsafeBufferPointer(state.normals.buffer)
        try colors.withUnsafeBufferPointer { colors throws(OmoteError) in
            try model.indices.withUnsafeBufferPointer { indices throws(OmoteError) in
                try rasterizer.draw(
                    RasterMesh(positions: positions, normals: normals, colors: colors, indices: indices),
                    camera: camera)
            }
        }
    }
}
