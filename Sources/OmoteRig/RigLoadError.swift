import Foundation

/// Why a rig file could not be loaded: what, where (file and JSON path), and what to do.
public struct RigLoadError: Error, CustomStringConvertible, Equatable {
    public enum Kind: String, Sendable, Equatable {
        case unreadableFile = "cannot read file"
        case malformedJSON = "malformed JSON"
        case malformedGLB = "malformed GLB container"
        case invalidValue = "invalid glTF value"
        case accessorOutOfBounds = "accessor out of bounds"
        case missingBuffer = "missing buffer"
        case refusedURI = "refused URI"
        case unsupportedExtension = "unsupported required extension"
        case unsupportedFile = "unsupported file"
        case noGeometry = "no triangles"
    }

    public let kind: Kind
    /// The file being read (the model, or the buffer file it references).
    public let file: String
    /// Where in the glTF JSON, e.g. `accessors[3].count`; empty when not about the JSON.
    public let jsonPath: String
    public let detail: String

    public init(_ kind: Kind, file: String, jsonPath: String = "", _ detail: String) {
        self.kind = kind
        self.file = file
        self.jsonPath = jsonPath
        self.detail = detail
    }

    public var description: String {
        let location = jsonPath.isEmpty ? file : "\(file) at \(jsonPath)"
        // Details quoted from Foundation often end with their own full stop.
        let sentence = detail.hasSuffix(".") ? detail : detail + "."
        return "Cannot load rig: \(kind.rawValue) in \(location): \(sentence) \(hint)"
    }

    private var hint: String {
        switch kind {
        case .unreadableFile: "Check the path and its permissions."
        case .malformedJSON, .malformedGLB, .invalidValue, .accessorOutOfBounds:
            "The file is damaged or not valid glTF 2.0: re-export it (e.g. from Blender or UniVRM) and check it with the Khronos glTF validator."
        case .missingBuffer: "Keep the .bin files next to the .gltf, or export a single .glb/.vrm."
        case .refusedURI:
            "Omote only reads data embedded in the file (data: URIs) or files inside the model's own folder; it never fetches URLs. Export a self-contained .glb/.vrm."
        case .unsupportedExtension: "Export the model without mesh compression (Draco/meshopt) or other required extensions."
        case .unsupportedFile: "Use a .gltf, .glb or .vrm file."
        case .noGeometry: "The model has no triangle meshes in its scene."
        }
    }
}
