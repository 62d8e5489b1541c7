/// A decoded texture image: 8-bit RGBA as stored in the file (base-colour images are sRGB-encoded), row-major, first
/// row at the top (glTF's UV origin: u right, v down). `texels[y * width + x]` packs R in the low byte, then G, B, A
/// (little-endian RGBA bytes read as one `UInt32`).
public struct RigTexture: Sendable {
    public let name: String
    public let width: Int
    public let height: Int
    public let texels: [UInt32]
    /// Whether every texel is opaque (lets a renderer skip alpha work).
    public let isOpaque: Bool

    public init(name: String, width: Int, height: Int, texels: [UInt32]) {
        precondition(width > 0 && height > 0 && texels.count == width * height, "a texel per pixel")
        self.name = name
        self.width = width
        self.height = height
        self.texels = texels
        isOpaque = texels.allSatisfy { $0 >> 24 == 0xFF }
    }
}

/// How a material's alpha is used (glTF `alphaMode`).
public enum RigAlphaMode: Sendable, Equatable {
    case opaque
    /// Cut-out: a fragment whose alpha is below `cutoff` is not drawn.
    case mask(cutoff: Float)
    /// Blended over what is behind it.
    case blend
}

/// VRM MToon's toon shading (VRM 1.0 `VRMC_materials_mtoon`; VRM 0.x `materialProperties` with the MToon shader).
/// Colours are linear RGB.
public struct RigMToon: Sendable, Equatable {
    /// Colour in shadow (multiplied by `shadeTexture` when present).
    public var shadeColor: SIMD3<Float>
    /// Index into `RigModel.textures`.
    public var shadeTexture: Int?
    /// Moves the lit/shade boundary (VRM 1.0 `shadingShiftFactor`, −1…1; 0 puts it at N·L = 0).
    public var shadingShift: Float
    /// Softness of the boundary (VRM 1.0 `shadingToonyFactor`, 0…1; 1 is a hard edge).
    public var shadingToony: Float
    /// Outline width as a fraction of the head's height (model units); 0: no outline. From VRM `worldCoordinates`
    /// widths (metres; 0.x centimetres) scaled with the model; a `screenCoordinates` width (a fraction of the view's
    /// height) is approximated as twice that many head units (the face fills about half the view).
    public var outlineWidth: Float
    public var outlineColor: SIMD3<Float>
    /// How much the lit colour tints the outline (VRM 1.0 `outlineLightingMixFactor`).
    public var outlineLightingMix: Float

    public init(
        shadeColor: SIMD3<Float>, shadeTexture: Int? = nil, shadingShift: Float = 0, shadingToony: Float = 0.9,
        outlineWidth: Float = 0, outlineColor: SIMD3<Float> = .zero, outlineLightingMix: Float = 1
    ) {
        self.shadeColor = shadeColor
        self.shadeTexture = shadeTexture
        self.shadingShift = shadingShift
        self.shadingToony = shadingToony
        self.outlineWidth = outlineWidth
        self.outlineColor = outlineColor
        self.outlineLightingMix = outlineLightingMix
    }
}

/// How a surface is drawn. The base colour factor is already folded into the vertex colours (`RigModel.colors`);
/// a renderer multiplies them by `baseTexture` sampled at the vertex UVs.
public struct RigMaterial: Sendable {
    public var name: String
    /// Linear RGBA base colour factor (for reporting; see above).
    public var baseColor: SIMD4<Float>
    /// Index into `RigModel.textures`.
    public var baseTexture: Int?
    public var alphaMode: RigAlphaMode
    /// Back faces are drawn too (with flipped normals).
    public var doubleSided: Bool
    /// KHR_materials_unlit: the base colour as is, no lighting.
    public var unlit: Bool
    /// Toon shading; nil means Lambert.
    public var mtoon: RigMToon?

    public init(
        name: String, baseColor: SIMD4<Float> = SIMD4(1, 1, 1, 1), baseTexture: Int? = nil,
        alphaMode: RigAlphaMode = .opaque, doubleSided: Bool = false, unlit: Bool = false, mtoon: RigMToon? = nil
    ) {
        self.name = name
        self.baseColor = baseColor
        self.baseTexture = baseTexture
        self.alphaMode = alphaMode
        self.doubleSided = doubleSided
        self.unlit = unlit
        self.mtoon = mtoon
    }

    /// What a primitive without a material gets (glTF's default material: white, opaque, single-sided, lit).
    public static let fallback = RigMaterial(name: "default")
}

/// A run of the triangle list drawn with one material: `RigModel.indices[indexStart ..< indexStart + indexCount]`.
public struct RigSurface: Sendable, Equatable {
    public var indexStart: Int
    public var indexCount: Int
    /// Index into `RigModel.materials`.
    public var material: Int

    public init(indexStart: Int, indexCount: Int, material: Int) {
        self.indexStart = indexStart
        self.indexCount = indexCount
        self.material = material
    }
}
