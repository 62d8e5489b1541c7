import OmoteCore
import OmoteRig

/// How a material shades, flattened for the hot loops (plain values, no optionals or enums with payloads).
struct ShadingMaterial: BitwiseCopyable {
    enum Lighting: UInt8 { case lambert, unlit, mtoon }

    var lighting: Lighting
    /// Index into `RenderScene.textures`, −1 for none.
    var baseTexture: Int32
    var shadeTexture: Int32
    /// Alpha below which a cut-out fragment is discarded (−1: not a cut-out).
    var cutoff: Float
    var shadeColor: SIMD3<Float>
    var shadingShift: Float
    var shadingToony: Float
    var outlineColor: SIMD3<Float>
    var outlineLightingMix: Float

    init(_ material: RigMaterial, textureCount: Int) {
        func index(_ texture: Int?) -> Int32 {
            guard let texture, texture >= 0, texture < textureCount else { return -1 }
            return Int32(texture)
        }
        lighting = material.mtoon != nil ? .mtoon : material.unlit ? .unlit : .lambert
        baseTexture = index(material.baseTexture)
        if case .mask(let value) = material.alphaMode { cutoff = value } else { cutoff = -1 }
        let mtoon = material.mtoon ?? RigMToon(shadeColor: .one)
        shadeTexture = index(mtoon.shadeTexture)
        shadeColor = mtoon.shadeColor
        shadingShift = mtoon.shadingShift
        shadingToony = mtoon.shadingToony
        outlineColor = mtoon.outlineColor
        outlineLightingMix = mtoon.outlineLightingMix
    }
}

/// A run of triangles drawn the same way.
struct RenderPass {
    enum Culling { case backFaces, none, frontFaces }

    var triangles: Range<Int>
    var material: Int
    var culling: Culling
    /// The inverted hull of an MToon outline (front faces culled, vertices pushed out along their normals).
    var isOutline: Bool
    /// Triangle t's `TriangleRecord` is record t + `recordOffset` (0 for surfaces; hulls come after all triangles).
    var recordOffset = 0
}

/// Everything the renderer reads from the model each frame, in owned flat buffers (model data, not private).
final class RenderScene {
    let vertexCount: Int
    let triangleCount: Int
    let indices: AlignedBuffer<UInt32>
    /// Linear RGBA per vertex (white when the model has none).
    let colors: AlignedBuffer<SIMD4<Float>>
    /// UV per vertex (zeros when the model has none; non-finite values replaced by 0).
    let uvs: AlignedBuffer<SIMD2<Float>>
    let triangleMaterials: AlignedBuffer<UInt16>
    let materials: AlignedBuffer<ShadingMaterial>
    /// Per material and per its outline hull: `SpanShading` (index 2 × material, + 1 for the hull).
    let spanShading: AlignedBuffer<SpanShading>
    let texels: AlignedBuffer<UInt32>
    /// Every level's alpha block minima (see `TextureLevel.alphaMinima`), back to back.
    let alphaMinima: AlignedBuffer<UInt8>
    let textureLevels: AlignedBuffer<TextureLevel>
    let textures: AlignedBuffer<TextureView>
    /// Per triangle: twice its area in UV space.
    let uvAreas: AlignedBuffer<Float>
    /// Per vertex: how far the outline hull pushes it out (model units; 0 when no outlined surface uses it).
    let outlineWidths: AlignedBuffer<Float>
    let hasOutlines: Bool
    /// Triangle records a frame can write: one per triangle, then one per outline-hull triangle.
    let recordCount: Int
    /// Opaque and cut-out surfaces: rasterised into the G-buffer.
    let opaquePasses: [RenderPass]
    /// Their outline hulls: rasterised into the G-buffer after all of them.
    let outlinePasses: [RenderPass]
    /// Blended surfaces, drawn in order after the opaque picture is shaded.
    let blendPasses: [RenderPass]

    init(model: RigModel) {
        vertexCount = model.vertexCount
        triangleCount = model.triangleCount
        indices = AlignedBuffer(count: model.indices.count, repeating: 0)
        for (i, index) in model.indices.enumerated() { indices[i] = index }
        colors = AlignedBuffer(count: vertexCount, repeating: SIMD4(1, 1, 1, 1))
        if model.colors.count == vertexCount {
            for (i, color) in model.colors.enumerated() { colors[i] = color }
        }
        uvs = AlignedBuffer(count: vertexCount, repeating: .zero)
        if model.uvs.count == vertexCount {
            for (i, uv) in model.uvs.enumerated() {
                uvs[i] = SIMD2(uv.x.isFinite ? uv.x : 0, uv.y.isFinite ? uv.y : 0)
            }
        }

        // Textures: every mip level of every texture back to back in one buffer.
        let chains = model.textures.map(TextureMipmaps.levels(of:))
        texels = AlignedBuffer(
            count: chains.reduce(0) { $0 + $1.reduce(0) { $0 + $1.texels.count } }, repeating: 0)
        let minima = chains.map { chain in
            chain.map { TextureLevel.alphaMinima(of: $0.texels, width: $0.width, height: $0.height) }
        }
        alphaMinima = AlignedBuffer(count: minima.reduce(0) { $0 + $1.reduce(0) { $0 + $1.count } }, repeating: 0)
        textureLevels = AlignedBuffer(
            count: max(1, chains.reduce(0) { $0 + $1.count }),
            repeating: TextureLevel(texels: UnsafePointer(texels.baseAddress), width: 1, height: 1))
        textures = AlignedBuffer(
            count: model.textures.count,
            repeating: TextureView(levels: UnsafePointer(textureLevels.baseAddress), levelCount: 1, texelCount: 1))
        var offset = 0
        var minimaOffset = 0
        var levelIndex = 0
        for (i, chain) in chains.enumerated() {
            textures[i] = TextureView(
                levels: UnsafePointer(textureLevels.baseAddress + levelIndex), levelCount: chain.count,
                texelCount: Float(chain[0].width * chain[0].height))
            for (l, level) in chain.enumerated() {
                for (j, texel) in level.texels.enumerated() { texels[offset + j] = texel }
                for (j, least) in minima[i][l].enumerated() { alphaMinima[minimaOffset + j] = least }
                textureLevels[levelIndex] = TextureLevel(
                    texels: UnsafePointer(texels.baseAddress + offset), width: level.width, height: level.height,
                    alphaMinima: UnsafePointer(alphaMinima.baseAddress + minimaOffset))
                offset += level.texels.count
                minimaOffset += minima[i][l].count
                levelIndex += 1
            }
        }

        // Twice each triangle's UV area: over twice its screen area, the texture density that picks mip levels.
        uvAreas = AlignedBuffer(count: triangleCount, repeating: 0)
        for t in 0 ..< triangleCount {
            let a = uvs[Int(indices[3 * t])]
            let b = uvs[Int(indices[3 * t + 1])] - a
            let c = uvs[Int(indices[3 * t + 2])] - a
            uvAreas[t] = abs(b.x * c.y - b.y * c.x)
        }

        var materialList = model.materials
        var surfaces = model.surfaces
        if surfaces.isEmpty {
            materialList.append(.fallback)
            surfaces = [RigSurface(indexStart: 0, indexCount: model.indices.count, material: materialList.count - 1)]
        }
        let flattened = materialList.map { ShadingMaterial($0, textureCount: model.textures.count) }
        materials = AlignedBuffer(
            count: max(1, flattened.count), repeating: ShadingMaterial(.fallback, textureCount: 0))
        for (i, material) in flattened.enumerated() { materials[i] = material }
        spanShading = AlignedBuffer(
            count: 2 * max(1, flattened.count), repeating: SpanShading(materials[0], outline: false))
        for i in 0 ..< materials.count {
            spanShading[2 * i] = SpanShading(materials[i], outline: false)
            spanShading[2 * i + 1] = SpanShading(materials[i], outline: true)
        }

        triangleMaterials = AlignedBuffer(count: triangleCount, repeating: 0)
        outlineWidths = AlignedBuffer(count: vertexCount, repeating: 0)
        var opaque: [RenderPass] = []
        var outlines: [RenderPass] = []
        var blended: [RenderPass] = []
        var hullRecords = triangleCount
        for surface in surfaces {
            let triangles = surface.indexStart / 3 ..< (surface.indexStart + surface.indexCount) / 3
            guard !triangles.isEmpty else { continue }
            for t in triangles { triangleMaterials[t] = UInt16(surface.material) }
            let material = materialList[surface.material]
            let pass = RenderPass(
                triangles: triangles, material: surface.material,
                culling: material.doubleSided ? .none : .backFaces, isOutline: false)
            if material.alphaMode == .blend {
                blended.append(pass)
                continue
            }
            opaque.append(pass)
            if let mtoon = material.mtoon, mtoon.outlineWidth > 0 {
                outlines.append(
                    RenderPass(
                        triangles: triangles, material: surface.material, culling: .frontFaces, isOutline: true,
                        recordOffset: hullRecords - triangles.lowerBound))
                hullRecords += triangles.count
                for i in surface.indexStart ..< surface.indexStart + surface.indexCount {
                    let v = Int(model.indices[i])
                    outlineWidths[v] = max(outlineWidths[v], mtoon.outlineWidth)
                }
            }
        }
        hasOutlines = !outlines.isEmpty
        recordCount = hullRecords
        opaquePasses = opaque
        outlinePasses = outlines
        blendPasses = blended
    }
}
