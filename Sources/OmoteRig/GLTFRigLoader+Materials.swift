import Foundation
import OmoteCore

/// What the loader has made of materials and images so far: each glTF material and image is converted once, on first
/// use by a primitive (so images no material uses are never decoded).
struct GLTFMaterialCollector {
    var slotOfMaterial: [Int: Int] = [:]
    var fallbackSlot: Int?
    /// `RigModel.textures` index of each decoded glTF image (two textures may share an image).
    var slotOfImage: [Int: Int] = [:]
    /// Texels the model's textures may still take.
    var texelBudget = RigTexture.maximumTexelsPerModel
    /// VRM 0.x `extensions.VRM.materialProperties`, by material name.
    var vrm0Properties: [String: JSONCursor] = [:]
}

/// Materials (glTF 2.0 §3.9, KHR_materials_unlit, VRMC_materials_mtoon 1.0, VRM 0.x MToon) and their textures.
extension GLTFRigLoader {
    /// VRM 0.x outline widths are centimetres, VRM 1.0's metres (UniVRM's migration multiplies by 0.01).
    static let vrm0OutlineWidthToMetres: Float = 0.01
    /// A `screenCoordinates` outline width is a fraction of the view's height; Omote frames the face so the head
    /// fills about half the view, so one view height is about two head units. (RigMToon has one width, in head units.)
    static let headUnitsPerViewHeight: Float = 2

    func makeMaterialCollector() throws(OmoteError) -> GLTFMaterialCollector {
        var collector = GLTFMaterialCollector()
        for properties in try root["extensions"]["VRM"]["materialProperties"].array() {
            guard let name = try properties["name"].optionalString() else { continue }
            if collector.vrm0Properties[name] == nil { collector.vrm0Properties[name] = properties }
        }
        return collector
    }

    /// The `RigModel.materials` index for a primitive's material (glTF's default material when it names none),
    /// converting the material and decoding its textures on first use.
    func materialSlot(
        of primitive: JSONCursor, collector: inout GLTFMaterialCollector, builder: inout RigModelBuilder
    ) throws(OmoteError) -> Int {
        guard primitive["material"].exists else {
            if let slot = collector.fallbackSlot { return slot }
            builder.materials.append(.fallback)
            collector.fallbackSlot = builder.materials.count - 1
            return builder.materials.count - 1
        }
        let index = try primitive["material"].index(into: try root["materials"].array().count, of: "materials")
        if let slot = collector.slotOfMaterial[index] { return slot }
        let (material, worldOutline) = try makeMaterial(index, collector: &collector, builder: &builder)
        builder.materials.append(material)
        let slot = builder.materials.count - 1
        if worldOutline { builder.materialsWithWorldOutline.insert(slot) }
        collector.slotOfMaterial[index] = slot
        return slot
    }

    /// The material, and whether its outline width is a length in source units (to be scaled with the model).
    private func makeMaterial(
        _ index: Int, collector: inout GLTFMaterialCollector, builder: inout RigModelBuilder
    ) throws(OmoteError) -> (RigMaterial, worldOutline: Bool) {
        let m = root["materials"][index]
        var material = RigMaterial(name: try m["name"].optionalString() ?? "material\(index)")
        let pbr = m["pbrMetallicRoughness"]
        if let f = try pbr["baseColorFactor"].floats(count: 4) { material.baseColor = SIMD4(f[0], f[1], f[2], f[3]) }
        if pbr["baseColorTexture"].exists {
            material.baseTexture = try textureSlot(
                pbr["baseColorTexture"]["index"], collector: &collector, builder: &builder)
        }
        let alphaMode = try m["alphaMode"].optionalString() ?? "OPAQUE"
        switch alphaMode {
        case "OPAQUE": material.alphaMode = .opaque
        case "MASK": material.alphaMode = .mask(cutoff: Float(try m["alphaCutoff"].number(default: 0.5)))
        case "BLEND": material.alphaMode = .blend
        default: throw m["alphaMode"].error("unknown alphaMode \(alphaMode) (expected OPAQUE, MASK or BLEND)")
        }
        material.doubleSided = try m["doubleSided"].optionalBool() ?? false
        material.unlit = m["extensions"]["KHR_materials_unlit"].exists

        var worldOutline = false
        let mtoon1 = m["extensions"]["VRMC_materials_mtoon"]
        if mtoon1.exists {
            (material.mtoon, worldOutline) = try mtoon(vrm1: mtoon1, collector: &collector, builder: &builder)
        } else if let properties = collector.vrm0Properties[material.name] {
            worldOutline = try applyVRM0(properties, to: &material, collector: &collector, builder: &builder)
        }
        return (material, worldOutline)
    }

    // MARK: VRM 1.0

    private func mtoon(
        vrm1 x: JSONCursor, collector: inout GLTFMaterialCollector, builder: inout RigModelBuilder
    ) throws(OmoteError) -> (RigMToon, worldOutline: Bool) {
        var toon = RigMToon(shadeColor: try rgb(x["shadeColorFactor"]) ?? SIMD3(1, 1, 1))
        if x["shadeMultiplyTexture"].exists {
            toon.shadeTexture = try textureSlot(
                x["shadeMultiplyTexture"]["index"], collector: &collector, builder: &builder)
        }
        toon.shadingShift = Float(try x["shadingShiftFactor"].number(default: 0))
        toon.shadingToony = Float(try x["shadingToonyFactor"].number(default: 0.9))
        let width = Float(try x["outlineWidthFactor"].number(default: 0))
        let mode = try x["outlineWidthMode"].optionalString() ?? "none"
        var worldOutline = false
        switch mode {
        case "none": toon.outlineWidth = 0
        case "worldCoordinates":
            toon.outlineWidth = width  // metres; scaled to head units with the model
            worldOutline = true
        case "screenCoordinates": toon.outlineWidth = width * Self.headUnitsPerViewHeight
        default:
            throw x["outlineWidthMode"].error(
                "unknown outlineWidthMode \(mode) (expected none, worldCoordinates or screenCoordinates)")
        }
        toon.outlineColor = try rgb(x["outlineColorFactor"]) ?? .zero
        toon.outlineLightingMix = Float(try x["outlineLightingMixFactor"].number(default: 1))
        return (toon, worldOutline)
    }

    // MARK: VRM 0.x

    /// Applies a VRM 0.x `materialProperties` entry: MToon's parameters (migrated to VRM 1.0's meaning, as UniVRM
    /// migrates them), or the unlit flag of the VRM/Unlit* shaders. Returns whether the outline width is in metres.
    private func applyVRM0(
        _ p: JSONCursor, to material: inout RigMaterial, collector: inout GLTFMaterialCollector,
        builder: inout RigModelBuilder
    ) throws(OmoteError) -> Bool {
        let shader = try p["shader"].optionalString() ?? ""
        if shader.hasPrefix("VRM/Unlit") {
            material.unlit = true
            return false
        }
        guard shader == "VRM/MToon" else { return false }
        let floats = p["floatProperties"]
        let vectors = p["vectorProperties"]
        let textures = p["textureProperties"]
        func float(_ key: String, _ fallback: Float) throws(OmoteError) -> Float {
            Float(try floats[key].number(default: Double(fallback)))
        }

        // MToon draws with _Color and _MainTex; glTF's factor and texture are a fallback for other viewers.
        if let color = try vector4(vectors["_Color"]) {
            material.baseColor = SIMD4(linearFromSRGB(SIMD3(color.x, color.y, color.z)), color.w)
        }
        if textures["_MainTex"].exists {
            material.baseTexture = try textureSlot(textures["_MainTex"], collector: &collector, builder: &builder)
        }
        switch Int(try float("_BlendMode", 0)) {
        case 1: material.alphaMode = .mask(cutoff: try float("_Cutoff", 0.5))
        case 2, 3: material.alphaMode = .blend
        default: material.alphaMode = .opaque
        }
        if floats["_CullMode"].exists { material.doubleSided = try float("_CullMode", 2) == 0 }

        let shade = try vector4(vectors["_ShadeColor"]) ?? SIMD4(0.97, 0.81, 0.86, 1)
        var toon = RigMToon(shadeColor: linearFromSRGB(SIMD3(shade.x, shade.y, shade.z)))
        if textures["_ShadeTexture"].exists {
            toon.shadeTexture = try textureSlot(textures["_ShadeTexture"], collector: &collector, builder: &builder)
        }
        (toon.shadingShift, toon.shadingToony) = Self.migrateShading(
            shift: try float("_ShadeShift", 0), toony: try float("_ShadeToony", 0.9))
        let width = try float("_OutlineWidth", 0) * Self.vrm0OutlineWidthToMetres
        var worldOutline = false
        switch Int(try float("_OutlineWidthMode", 0)) {
        case 1:
            toon.outlineWidth = width
            worldOutline = true
        case 2: toon.outlineWidth = width * Self.headUnitsPerViewHeight
        default: toon.outlineWidth = 0
        }
        let outline = try vector4(vectors["_OutlineColor"]) ?? SIMD4(0, 0, 0, 1)
        toon.outlineColor = linearFromSRGB(SIMD3(outline.x, outline.y, outline.z))
        // 0.x mixes the lit colour into the outline only in its "mixed lighting" colour mode (1).
        toon.outlineLightingMix = try float("_OutlineColorMode", 0) == 1 ? try float("_OutlineLightingMix", 1) : 0
        material.mtoon = toon
        return worldOutline
    }

    /// MToon 0.x shades over N·L from `shift` to lerp(1, shift, toony); 1.0 over −1 + toony … 1 − toony after adding
    /// its shift. 1.0's toony is what remains of that 2-wide range, its shift the 0.x range's centre, negated.
    static func migrateShading(shift: Float, toony: Float) -> (shift: Float, toony: Float) {
        let low = shift
        let high = 1 + (shift - 1) * toony
        let migratedToony = min(max((2 - (high - low)) / 2, 0), 1)
        let migratedShift = min(max(-(high + low) / 2, -1), 1)
        return (migratedShift, migratedToony)
    }

    // MARK: Textures

    /// The `RigModel.textures` index for `textures[i]` named by `indexCursor`, decoding its image on first use.
    private func textureSlot(
        _ indexCursor: JSONCursor, collector: inout GLTFMaterialCollector, builder: inout RigModelBuilder
    ) throws(OmoteError) -> Int {
        let textures = try root["textures"].array()
        let texture = textures[try indexCursor.index(into: textures.count, of: "textures")]
        guard texture["source"].exists else {
            let extensions = try texture["extensions"].keys()
            let what = extensions.isEmpty ? "no source image" : "only \(extensions.joined(separator: ", ")) images"
            throw OmoteError.rigLoad(
                .rigUnsupportedImage, file: file, jsonPath: texture.path,
                "the texture has \(what); only PNG and JPEG textures are decoded")
        }
        let imageIndex = try texture["source"].index(into: try root["images"].array().count, of: "images")
        if let slot = collector.slotOfImage[imageIndex] { return slot }
        let (bytes, mimeType) = try document.imageBytes(imageIndex)
        let image = root["images"][imageIndex]
        var name = try image["name"].optionalString() ?? "image\(imageIndex)"
        if try image["name"].optionalString() == nil, let uri = try image["uri"].optionalString(),
            !uri.hasPrefix("data:")
        {
            name = uri
        }
        let decoded = try RigTexture.decode(
            bytes, mimeType: mimeType, name: name, file: file, image: image.path,
            texelBudget: &collector.texelBudget)
        builder.textures.append(decoded)
        collector.slotOfImage[imageIndex] = builder.textures.count - 1
        return builder.textures.count - 1
    }

    // MARK: Colours

    private func rgb(_ c: JSONCursor) throws(OmoteError) -> SIMD3<Float>? {
        try c.floats(count: 3).map { SIMD3($0[0], $0[1], $0[2]) }
    }

    private func vector4(_ c: JSONCursor) throws(OmoteError) -> SIMD4<Float>? {
        try c.floats(count: 4).map { SIMD4($0[0], $0[1], $0[2], $0[3]) }
    }
}

/// The sRGB transfer function undone (IEC 61966-2-1), per channel.
func linearFromSRGB(_ c: SIMD3<Float>) -> SIMD3<Float> {
    func channel(_ v: Float) -> Float { v <= 0.04045 ? v / 12.92 : powf((v + 0.055) / 1.055, 2.4) }
    return SIMD3(channel(c.x), channel(c.y), channel(c.z))
}
