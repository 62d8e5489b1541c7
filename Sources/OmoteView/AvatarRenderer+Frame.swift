import OmoteCore
import OmoteRig

/// One frame's views of everything the hot loops read and write, gathered once per render (plain values, no class
/// property accesses per pixel).
struct FrameContext {
    let width: Int
    let height: Int
    let gStride: Int
    let originX: Float
    let originY: Float
    let indices: MemoryView<UInt32>
    let colors: MemoryView<SIMD4<Float>>
    let uvs: MemoryView<SIMD2<Float>>
    let normals: MemoryView<SIMD3<Float>>
    let triangleMaterials: MemoryView<UInt16>
    let materials: MemoryView<ShadingMaterial>
    let textures: MemoryView<TextureView>
    /// A valid texel for span lanes that sample nothing.
    let fallbackTexel: UnsafePointer<UInt32>
    let screenX: MemoryView<Float>
    let screenY: MemoryView<Float>
    let inverseDepth: MemoryView<Float>
    let outlineX: MemoryView<Float>
    let outlineY: MemoryView<Float>
    let outlineInverseDepth: MemoryView<Float>
    let uvAreas: MemoryView<Float>
    let textureDensity: MemoryView<Float>
    let depth: MemoryView<Float>
    let triangles: MemoryView<UInt32>
    let records: MemoryView<TriangleRecord>
    let tileDepth: MemoryView<Float>
    let pixels: MemoryView<UInt32>
    let color: ColorTableViews
    /// Unit direction towards the key light, model space.
    let light: SIMD3<Float>
    let ambient: Float
}

/// Flags of a triangle for `shade(triangle:flags:b:c:)`.
enum TriangleID {
    static let outline: UInt32 = 1 << 31
    static let backFacing: UInt32 = 1 << 30
}

extension AvatarRenderer {
    func frameContext(_ state: RigState) -> FrameContext {
        let length = (lightDirection * lightDirection).sum().squareRoot()
        return FrameContext(
            width: width, height: height, gStride: gStride, originX: camera.originX, originY: camera.originY,
            indices: scene.indices.view, colors: scene.colors.view, uvs: scene.uvs.view, normals: state.normals,
            triangleMaterials: scene.triangleMaterials.view, materials: scene.materials.view,
            textures: scene.textures.view, fallbackTexel: UnsafePointer(scene.texels.baseAddress),
            screenX: screenX.view, screenY: screenY.view,
            inverseDepth: inverseDepth.view, outlineX: outlineX.view, outlineY: outlineY.view,
            outlineInverseDepth: outlineInverseDepth.view, uvAreas: scene.uvAreas.view,
            textureDensity: textureDensity.view, depth: depthStore.view, triangles: triangleStore.view,
            records: recordStore.view, tileDepth: tileDepthStore.view, pixels: pixelStore.view, color: tables.views,
            light: length > 0 ? lightDirection / length : SIMD3(0, 0, 1), ambient: ambient)
    }
}
