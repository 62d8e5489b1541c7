import Foundation
import OmoteCore

/// KHR_texture_transform on a material's base colour texture: offset, rotation and scale of the UVs (exporters such as
/// UniVRM and the VRM add-on for Blender write it for MToon's texture tiling; VRMC_materials_mtoon applies the base
/// texture's transform to all of the material's textures). Omote keeps one UV set per vertex, so the transform is
/// applied to the primitive's UVs when it is loaded.
struct GLTFTextureTransform: Equatable {
    var offset = SIMD2<Float>(0, 0)
    var rotation: Float = 0
    var scale = SIMD2<Float>(1, 1)

    /// uv' = T(offset) · R(rotation) · S(scale) · uv, the extension's matrix (rotation counter-clockwise in UV space).
    func apply(_ uv: SIMD2<Float>) -> SIMD2<Float> {
        let scaled = uv * scale
        let (s, c) = (sin(rotation), cos(rotation))
        return SIMD2(c * scaled.x + s * scaled.y, -s * scaled.x + c * scaled.y) + offset
    }

    var isIdentity: Bool { self == GLTFTextureTransform() }
}

extension GLTFRigLoader {
    /// The transform of the base colour texture of `primitive`'s material, when it has one that is not the identity.
    func baseTextureTransform(of primitive: JSONCursor) throws(OmoteError) -> GLTFTextureTransform? {
        guard let index = try primitive["material"].optionalInt() else { return nil }
        let info = root["materials"][index]["pbrMetallicRoughness"]["baseColorTexture"]
        let extensionObject = info["extensions"]["KHR_texture_transform"]
        guard extensionObject.exists else { return nil }
        var transform = GLTFTextureTransform()
        if let offset = try extensionObject["offset"].floats(count: 2) {
            transform.offset = SIMD2(offset[0], offset[1])
        }
        if let rotation = try extensionObject["rotation"].optionalNumber() { transform.rotation = Float(rotation) }
        if let scale = try extensionObject["scale"].floats(count: 2) { transform.scale = SIMD2(scale[0], scale[1]) }
        guard transform.offset.x.isFinite, transform.offset.y.isFinite, transform.rotation.isFinite,
            transform.scale.x.isFinite, transform.scale.y.isFinite
        else { throw extensionObject.error("KHR_texture_transform has a value that is not a finite number") }
        return transform.isIdentity ? nil : transform
    }
}
