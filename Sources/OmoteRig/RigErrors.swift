import OmoteCore

/// Why a rig file could not be loaded, as `OmoteError` codes: the message names the file and the JSON path, says
/// what is wrong there and what to do.
extension OmoteError.Code {
    public static let rigUnreadableFile = Self("rig.unreadableFile")
    public static let rigMalformedJSON = Self("rig.malformedJSON")
    public static let rigMalformedGLB = Self("rig.malformedGLB")
    public static let rigInvalidValue = Self("rig.invalidValue")
    public static let rigAccessorOutOfBounds = Self("rig.accessorOutOfBounds")
    public static let rigMissingBuffer = Self("rig.missingBuffer")
    public static let rigRefusedURI = Self("rig.refusedURI")
    public static let rigUnsupportedExtension = Self("rig.unsupportedExtension")
    public static let rigUnsupportedFile = Self("rig.unsupportedFile")
    public static let rigNoGeometry = Self("rig.noGeometry")
    /// An image in a format Omote does not decode (KTX2/Basis, WebP, AVIF, …).
    public static let rigUnsupportedImage = Self("rig.unsupportedImage")
    /// An image larger than the texture bounds (per side, or all of the model's textures together).
    public static let rigImageTooLarge = Self("rig.imageTooLarge")
    /// An image whose bytes do not decode (damaged or truncated).
    public static let rigCorruptImage = Self("rig.corruptImage")
    /// libpng or libjpeg-turbo could not be loaded (not installed, or too old).
    public static let rigImageDecoderMissing = Self("rig.imageDecoderMissing")
}

extension OmoteError {
    /// A rig load failure: `file` is the file being read (the model, or the buffer file it references), `jsonPath`
    /// where in the glTF JSON (e.g. `accessors[3].count`, empty when not about the JSON), `detail` what is wrong.
    /// The subject reads "avatar.gltf at accessors[3].count"; the reason starts with what kind of failure it is.
    static func rigLoad(_ code: Code, file: String, jsonPath: String = "", _ detail: String) -> OmoteError {
        OmoteError(
            code,
            operation: "load the rig",
            subject: jsonPath.isEmpty ? file : "\(file) at \(jsonPath)",
            reason: "\(rigFailureKind(code)): \(detail)",
            remedy: rigRemedy(code)
        )
    }

    private static func rigFailureKind(_ code: Code) -> String {
        switch code {
        case .rigUnreadableFile: "cannot read file"
        case .rigMalformedJSON: "malformed JSON"
        case .rigMalformedGLB: "malformed GLB container"
        case .rigAccessorOutOfBounds: "accessor out of bounds"
        case .rigMissingBuffer: "missing buffer"
        case .rigRefusedURI: "refused URI"
        case .rigUnsupportedExtension: "unsupported required extension"
        case .rigUnsupportedFile: "unsupported file"
        case .rigNoGeometry: "no triangles"
        case .rigUnsupportedImage: "unsupported image format"
        case .rigImageTooLarge: "image too large"
        case .rigCorruptImage: "damaged image"
        case .rigImageDecoderMissing: "image decoder unavailable"
        default: "invalid glTF value"
        }
    }

    private static func rigRemedy(_ code: Code) -> String {
        switch code {
        case .rigUnreadableFile:
            "Check the path and its permissions."
        case .rigMissingBuffer:
            "Keep the .bin files next to the .gltf, or export a single .glb/.vrm."
        case .rigRefusedURI:
            "Omote only reads data embedded in the file (data: URIs) or files inside the model's own folder; it never "
                + "fetches URLs. Export a self-contained .glb/.vrm."
        case .rigUnsupportedExtension:
            "Export the model without mesh compression (Draco/meshopt) or other required extensions."
        case .rigUnsupportedFile:
            "Use a .gltf, .glb or .vrm file."
        case .rigNoGeometry:
            "The model has no triangle meshes in its scene."
        case .rigUnsupportedImage:
            "Re-export the model with PNG or JPEG textures (in Blender: Image > Save As PNG; in UniVRM/VRoid the "
                + "default export already uses PNG)."
        case .rigImageTooLarge:
            "Downscale the model's textures (2048×2048 is plenty for a face) and re-export it."
        case .rigCorruptImage:
            "The texture is damaged: open it in an image editor, save it again as PNG or JPEG, and re-export the model."
        case .rigImageDecoderMissing:
            "Install the image libraries: sudo apt-get install libpng16-16 libturbojpeg0 (`Scripts/setup.sh` does)."
        default:  // malformed JSON or GLB, invalid values, accessors out of bounds
            "The file is damaged or not valid glTF 2.0: re-export it (e.g. from Blender or UniVRM) and check it with "
                + "the Khronos glTF validator."
        }
    }
}
