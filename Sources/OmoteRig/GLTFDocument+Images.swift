import OmoteCore

/// Image bytes (glTF 2.0 §3.8.4): from a buffer view (GLB, VRM) or a URI under the same policy as buffers.
extension GLTFDocument {
    /// The encoded bytes of `images[index]` and its declared MIME type (if any).
    func imageBytes(_ index: Int) throws(OmoteError) -> (bytes: [UInt8], mimeType: String?) {
        let image = root["images"][index]
        let mimeType = try image["mimeType"].optionalString()
        if let uri = try image["uri"].optionalString() {
            return (try Self.readURI(uri, folder: folder, file: file, path: image["uri"].path), mimeType)
        }
        guard image["bufferView"].exists else { throw image.error("image has neither a uri nor a bufferView") }
        let views = try root["bufferViews"].array()
        let viewIndex = try image["bufferView"].index(into: views.count, of: "bufferViews")
        let view = views[viewIndex]
        let bufferIndex = try view["buffer"].index(into: buffers.count, of: "buffers")
        let offset = try view["byteOffset"].int(default: 0)
        let length = try view["byteLength"].int()
        guard offset + length <= buffers[bufferIndex].count else {
            throw OmoteError.rigLoad(
                .rigAccessorOutOfBounds, file: file, jsonPath: view.path,
                "bytes \(offset)..<\(offset + length) exceed buffers[\(bufferIndex)] of \(buffers[bufferIndex].count) bytes"
            )
        }
        return (Array(buffers[bufferIndex][offset ..< offset + length]), mimeType)
    }
}
