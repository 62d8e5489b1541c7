import OmoteCore
import OmoteRig

/// What the span shader needs of one triangle drawn into the G-buffer this frame, in one record, so a run of pixels
/// of the same triangle is shaded from one place instead of gathering three vertices per pixel: eight attributes
/// (normal xyz, vertex colour rgb, uv), each times 1/depth, as planes over screen coordinates. Attribute × 1/depth is
/// linear in screen space, so a plane evaluated at a pixel over the pixel's 1/depth (the G-buffer depth) is the
/// perspective-correct attribute. Records are 128 bytes (two cache lines, never straddling a third) and record 0 is
/// all zeros, so a G-buffer id indexes them directly, empty pixels included.
struct TriangleRecord: BitwiseCopyable {
    /// ∂/∂x, ∂/∂y and the value at the centre pixel of (nx, ny, nz, r, g, b, u, v) × 1/depth. The normal is already
    /// flipped on the back of a double-sided surface.
    var slopeX: SIMD8<Float>
    var slopeY: SIMD8<Float>
    var value: SIMD8<Float>
    /// How the triangle is shaded, see `ShadingKey`: lanes with equal keys share their material and texture levels.
    var key: ShadingKey
    /// Fills the record to 128 bytes.
    var padding = SIMD4<UInt32>()

    static let zero = TriangleRecord(slopeX: .zero, slopeY: .zero, value: .zero, key: ShadingKey(rawValue: 0))

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

/// A triangle's shading index (into `RenderScene.spanShading`, low 24 bits) and the mip levels of its base and shade
/// textures (4 bits each, 0 without the texture), chosen once per triangle from its texel density.
struct ShadingKey: BitwiseCopyable, Equatable {
    var rawValue: UInt32

    init(rawValue: UInt32) { self.rawValue = rawValue }

    @inline(__always)
    init(shading: Int, baseLevel: Int, shadeLevel: Int) {
        rawValue = UInt32(truncatingIfNeeded: shading) & 0xFF_FFFF | UInt32(baseLevel) << 24 | UInt32(shadeLevel) << 28
    }

    var shading: Int { Int(rawValue & 0xFF_FFFF) }
    var baseLevel: Int { Int(rawValue >> 24 & 0xF) }
    var shadeLevel: Int { Int(rawValue >> 28) }
}

extension TriangleRecord {
    /// The record of the triangle `ia`, `ib`, `ic` as `setup` scans it, with vertex 1/depths `w` (the surface's or
    /// its outline hull's).
    @inline(__always)
    init(
        _ setup: TriangleSetup, _ ia: Int, _ ib: Int, _ ic: Int, w: MemoryView<Float>, shading: Int, density: Float,
        flipsNormal: Bool, spanShading: MemoryView<SpanShading>, _ frame: FrameContext
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
        let parameters = spanShading[shading]
        @inline(__always) func level(_ texture: Int32) -> Int {
            texture < 0 ? 0 : frame.textures[Int(texture)].level(density: density)
        }
        key = ShadingKey(
            shading: shading, baseLevel: level(parameters.baseTexture), shadeLevel: level(parameters.shadeTexture))
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
