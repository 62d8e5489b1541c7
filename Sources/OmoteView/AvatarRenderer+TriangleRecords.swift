import OmoteCore
import OmoteRig

/// What the span shader needs of one triangle drawn into the G-buffer this frame, in one record, so a run of pixels
/// of the same triangle is shaded from one place instead of gathering three vertices per pixel: eight attributes
/// (normal xyz, vertex colour rgb, uv), each times 1/depth, as planes over screen coordinates. Attribute × 1/depth is
/// linear in screen space, so a plane evaluated at a pixel over the pixel's 1/depth (the G-buffer depth) is the
/// perspective-correct attribute.
struct TriangleRecord: BitwiseCopyable {
    /// ∂/∂x, ∂/∂y and the value at the centre pixel of (nx, ny, nz, r, g, b, u, v) × 1/depth. The normal is already
    /// flipped on the back of a double-sided surface.
    var slopeX: SIMD8<Float>
    var slopeY: SIMD8<Float>
    var value: SIMD8<Float>
    /// Index into `RenderScene.spanShading`.
    var shading: Int
    /// UV area per pixel area (the mip level's input).
    var density: Float

    /// Attribute index of each quantity within the planes.
    enum Attribute {
        static let normalX = 0
        static let normalY = 1
        static let normalZ = 2
        static let red = 3
        static let green = 4
        static let blue = 5
        static let u = 6
        static let v = 7
    }
}

extension TriangleRecord {
    /// The record of the triangle `ia`, `ib`, `ic` as `setup` scans it, with vertex 1/depths `w` (the surface's or
    /// its outline hull's).
    @inline(__always)
    init(
        _ setup: TriangleSetup, _ ia: Int, _ ib: Int, _ ic: Int, w: MemoryView<Float>, shading: Int, density: Float,
        flipsNormal: Bool, _ frame: FrameContext
    ) {
        let planeA = setup.weightA * w[ia]
        let planeB = setup.weightB * w[ib]
        let planeC = setup.weightC * w[ic]
        let sign: Float = flipsNormal ? -1 : 1
        let facing = SIMD8<Float>(sign, sign, sign, 1, 1, 1, 1, 1)
        let a = frame.attributes(ia) * facing
        let b = frame.attributes(ib) * facing
        let c = frame.attributes(ic) * facing
        slopeX = a * planeA.x + b * planeB.x + c * planeC.x
        slopeY = a * planeA.y + b * planeB.y + c * planeC.y
        value = a * planeA.z + b * planeB.z + c * planeC.z
        self.shading = shading
        self.density = density
    }
}

extension FrameContext {
    /// Vertex `i`'s attributes in `TriangleRecord` order.
    @inline(__always)
    func attributes(_ i: Int) -> SIMD8<Float> {
        let n = normals[i]
        let color = colors[i]
        let uv = uvs[i]
        return SIMD8(n.x, n.y, n.z, color.x, color.y, color.z, uv.x, uv.y)
    }
}
