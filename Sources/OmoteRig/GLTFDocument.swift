import Foundation
import OmoteCore

/// A parsed glTF 2.0 asset: its JSON tree and its buffers, read under Omote's URI policy, with accessor decoding.
/// One file (over 400 lines) because the URI policy, buffer views and accessors share one set of bounds checks.
struct GLTFDocument {
    let file: String
    /// Where relative URIs (buffers, images) may be read; nil: only embedded data.
    let folder: String?
    let root: JSONCursor
    let buffers: [[UInt8]]

    /// Extensions that may be required without changing the geometry Omote reads (materials, textures, VRM).
    static let ignorableRequiredExtensions: Set<String> = [
        "KHR_materials_unlit", "KHR_texture_transform", "KHR_texture_basisu", "EXT_texture_webp", "EXT_texture_avif",
        "KHR_materials_emissive_strength", "KHR_materials_pbrSpecularGlossiness", "KHR_mesh_quantization",
        "VRM", "VRMC_vrm", "VRMC_materials_mtoon", "VRMC_springBone", "VRMC_node_constraint",
        "VRMC_materials_hdr_emissiveMultiplier",
    ]

    /// Parses `.gltf` JSON or a `.glb` container. `folder` is where relative buffer URIs may be read (nil: none).
    init(data: Data, file: String, folder: String?) throws(OmoteError) {
        self.file = file
        self.folder = folder
        var jsonData = data
        var binChunk: [UInt8]?
        if data.count >= 4, data.prefix(4).elementsEqual("glTF".utf8) {
            (jsonData, binChunk) = try Self.splitGLB(data, file: file)
        } else if data.starts(with: [0xEF, 0xBB, 0xBF]) {
            jsonData = data.dropFirst(3)
        }
        let json = try JSONValue.parse(Data(jsonData), file: file)
        let root = JSONCursor(json, path: "", file: file)
        guard root.isObject else {
            throw OmoteError.rigLoad(.rigMalformedJSON, file: file, jsonPath: "$", "the top level is not a JSON object")
        }
        self.root = root

        let version = try root["asset"]["version"].optionalString()
        guard let version else { throw root["asset"]["version"].error("missing: not a glTF asset") }
        guard version.hasPrefix("2") else {
            throw OmoteError.rigLoad(
                .rigUnsupportedFile, file: file, jsonPath: "asset.version", "glTF \(version) (only 2.x is supported)")
        }
        for (i, ext) in try root["extensionsRequired"].array().enumerated() {
            let name = try ext.string()
            if !Self.ignorableRequiredExtensions.contains(name) {
                throw OmoteError.rigLoad(
                    .rigUnsupportedExtension, file: file, jsonPath: "extensionsRequired[\(i)]",
                    "\(name) is required by the file but not supported")
            }
        }

        var buffers: [[UInt8]] = []
        for (i, buffer) in try root["buffers"].array().enumerated() {
            let byteLength = try buffer["byteLength"].int()
            var bytes: [UInt8]
            if let uri = try buffer["uri"].optionalString() {
                bytes = try Self.readURI(uri, folder: folder, file: file, path: buffer["uri"].path)
            } else if i == 0, let binChunk {
                bytes = binChunk
            } else {
                throw OmoteError.rigLoad(
                    .rigMissingBuffer, file: file, jsonPath: buffer.path,
                    "buffer has no uri and the file has no GLB binary chunk for it")
            }
            guard bytes.count >= byteLength else {
                throw OmoteError.rigLoad(
                    .rigMissingBuffer, file: file, jsonPath: buffer.path,
                    "buffer data holds \(bytes.count) bytes but byteLength is \(byteLength)")
            }
            if bytes.count > byteLength { bytes.removeLast(bytes.count - byteLength) }
            buffers.append(bytes)
        }
        self.buffers = buffers
    }

    /// GLB: 12-byte header, then a JSON chunk and an optional BIN chunk (glTF 2.0 §4.4).
    static func splitGLB(_ data: Data, file: String) throws(OmoteError) -> (Data, [UInt8]?) {
        let bytes = [UInt8](data)
        func u32(_ at: Int) -> UInt32 {
            UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
        }
        func fail(_ detail: String) -> OmoteError { OmoteError.rigLoad(.rigMalformedGLB, file: file, detail) }
        guard bytes.count >= 20 else {
            throw fail("only \(bytes.count) bytes, shorter than a GLB header and chunk header")
        }
        guard u32(4) == 2 else { throw fail("container version \(u32(4)) (only 2 is supported)") }
        let total = Int(u32(8))
        guard total <= bytes.count else { throw fail("header says \(total) bytes but the file has \(bytes.count)") }
        var offset = 12
        var json: Data?
        var bin: [UInt8]?
        var chunk = 0
        while offset + 8 <= total {
            let length = Int(u32(offset))
            let type = u32(offset + 4)
            let start = offset + 8
            guard start + length <= total else {
                throw fail("chunk \(chunk) (\(length) bytes at \(start)) runs past the end")
            }
            if chunk == 0 {
                guard type == 0x4E4F_534A else { throw fail("the first chunk is not JSON") }
                json = Data(bytes[start ..< start + length])
            } else if type == 0x004E_4942, bin == nil {
                bin = Array(bytes[start ..< start + length])
            }
            offset = start + ((length + 3) & ~3)
            chunk += 1
        }
        guard let json else { throw fail("no JSON chunk") }
        return (json, bin)
    }

    // MARK: URIs

    /// Reads a buffer URI: `data:` (base64) embedded data, or a relative path to a file inside `folder`. Everything
    /// else (http:, https:, file:, any other scheme, absolute paths, `..`, symlinks leading out) is refused.
    static func readURI(_ uri: String, folder: String?, file: String, path: String) throws(OmoteError) -> [UInt8] {
        if uri.hasPrefix("data:") {
            guard let comma = uri.firstIndex(of: ",") else {
                throw OmoteError.rigLoad(.rigInvalidValue, file: file, jsonPath: path, "data: URI without a comma")
            }
            let header = uri[uri.index(uri.startIndex, offsetBy: 5) ..< comma]
            guard header.hasSuffix(";base64") else {
                throw OmoteError.rigLoad(
                    .rigInvalidValue, file: file, jsonPath: path, "data: URI is not base64-encoded")
            }
            let payload = String(uri[uri.index(after: comma)...])
            guard let decoded = Data(base64Encoded: payload, options: .ignoreUnknownCharacters) else {
                throw OmoteError.rigLoad(.rigInvalidValue, file: file, jsonPath: path, "data: URI holds invalid base64")
            }
            return [UInt8](decoded)
        }
        let resolved = try resolveRelativeURI(uri, folder: folder, file: file, path: path)
        guard let data = FileManager.default.contents(atPath: resolved) else {
            throw OmoteError.rigLoad(
                .rigMissingBuffer, file: file, jsonPath: path,
                "buffer file \(resolved) does not exist or cannot be read")
        }
        return [UInt8](data)
    }

    static func resolveRelativeURI(_ uri: String, folder: String?, file: String, path: String) throws(OmoteError)
        -> String
    {
        func refuse(_ why: String) -> OmoteError {
            OmoteError.rigLoad(.rigRefusedURI, file: file, jsonPath: path, "\"\(uri.prefix(80))\" \(why)")
        }
        if let colon = uri.firstIndex(of: ":") {
            let scheme = uri[..<colon]
            if let first = scheme.first, first.isLetter,
                scheme.allSatisfy({ $0.isLetter || $0.isNumber || "+-.".contains($0) })
            {
                throw refuse("uses the \(scheme.lowercased()): scheme; only data: URIs and relative files are read")
            }
        }
        guard let decoded = uri.removingPercentEncoding, !decoded.contains("\0") else {
            throw refuse("is not a valid URI")
        }
        let normalised = decoded.replacingOccurrences(of: "\\", with: "/")
        if normalised.hasPrefix("/") || uri.hasPrefix("/") {
            throw refuse("is an absolute path; only files inside the model's folder are read")
        }
        if normalised.split(separator: "/", omittingEmptySubsequences: true).contains("..") {
            throw refuse("leaves the model's folder (..)")
        }
        if normalised.contains(":") { throw refuse("is not a plain relative path") }
        guard let folder else { throw refuse("refers to an external file but the model was given without a folder") }
        let candidate = (folder as NSString).appendingPathComponent(normalised)
        // Symlinks must not lead out of the folder either.
        let realFolder = (folder as NSString).resolvingSymlinksInPath
        let realFile = (candidate as NSString).resolvingSymlinksInPath
        guard realFile.hasPrefix(realFolder.hasSuffix("/") ? realFolder : realFolder + "/") else {
            throw refuse("resolves to \(realFile), outside the model's folder")
        }
        return realFile
    }

    // MARK: Accessors

    enum ComponentType: Int {
        case byte = 5120
        case unsignedByte = 5121
        case short = 5122
        case unsignedShort = 5123
        case unsignedInt = 5125
        case float = 5126

        var size: Int {
            switch self {
            case .byte, .unsignedByte: 1
            case .short, .unsignedShort: 2
            case .unsignedInt, .float: 4
            }
        }
    }

    static func componentCount(_ type: String) -> (count: Int, columns: Int)? {
        switch type {
        case "SCALAR": (1, 1)
        case "VEC2": (2, 1)
        case "VEC3": (3, 1)
        case "VEC4": (4, 1)
        case "MAT2": (4, 2)
        case "MAT3": (9, 3)
        case "MAT4": (16, 4)
        default: nil
        }
    }

    /// Where an accessor's (or a sparse part's) elements live and how to decode them.
    private struct Region {
        var buffer: Int
        var start: Int  // byte offset of element 0 in the buffer
        var stride: Int
        var componentOffsets: [Int]
    }

    private struct Accessor {
        var cursor: JSONCursor
        var count: Int
        var components: Int
        var componentType: ComponentType
        var normalized: Bool
        var elementSize: Int
        var componentOffsets: [Int]
        var region: Region?
    }

    private func componentType(_ c: JSONCursor) throws(OmoteError) -> ComponentType {
        let raw = try c.int()
        guard let t = ComponentType(rawValue: raw) else { throw c.error("unknown componentType \(raw)") }
        return t
    }

    private func layout(components: Int, columns: Int, type: ComponentType) -> (size: Int, offsets: [Int]) {
        // Matrix columns start on 4-byte boundaries (matters for 1- and 2-byte components).
        let rows = components / columns
        let columnStride = columns == 1 ? components * type.size : (rows * type.size + 3) & ~3
        var offsets: [Int] = []
        for c in 0 ..< columns { for r in 0 ..< rows { offsets.append(c * columnStride + r * type.size) } }
        return (columns * columnStride, offsets)
    }

    /// Checks that `count` elements fit in the buffer view and returns their region.
    private func region(
        view viewCursor: JSONCursor, byteOffset: Int, count: Int, elementSize: Int,
        componentOffsets: [Int], packed: Bool, owner: JSONCursor
    ) throws(OmoteError) -> Region {
        let views = try root["bufferViews"].array()
        let viewIndex = try viewCursor.index(into: views.count, of: "bufferViews")
        let view = views[viewIndex]
        let bufferIndex = try view["buffer"].index(into: buffers.count, of: "buffers")
        let viewOffset = try view["byteOffset"].int(default: 0)
        let viewLength = try view["byteLength"].int()
        guard viewOffset + viewLength <= buffers[bufferIndex].count else {
            throw OmoteError.rigLoad(
                .rigAccessorOutOfBounds, file: file, jsonPath: view.path,
                "bytes \(viewOffset)..<\(viewOffset + viewLength) exceed buffers[\(bufferIndex)] of \(buffers[bufferIndex].count) bytes"
            )
        }
        var stride = elementSize
        if !packed, let s = try view["byteStride"].optionalInt() {
            guard s >= elementSize, s <= 252 else {
                throw view["byteStride"].error(
                    "byteStride \(s) is smaller than the element size \(elementSize) or above 252")
            }
            stride = s
        }
        if count > 0 {
            let end = byteOffset + stride * (count - 1) + elementSize
            guard end <= viewLength else {
                throw OmoteError.rigLoad(
                    .rigAccessorOutOfBounds, file: file, jsonPath: owner.path,
                    "\(count) elements of \(elementSize) bytes (stride \(stride)) from offset \(byteOffset) need \(end) bytes but bufferViews[\(viewIndex)] has \(viewLength)"
                )
            }
        }
        return Region(
            buffer: bufferIndex, start: viewOffset + byteOffset, stride: stride, componentOffsets: componentOffsets)
    }

    private func accessor(_ index: Int) throws(OmoteError) -> Accessor {
        let accessors = try root["accessors"].array()
        guard index < accessors.count else {
            throw OmoteError.rigLoad(
                .rigInvalidValue, file: file, jsonPath: "accessors",
                "accessor \(index) does not exist (there are \(accessors.count))")
        }
        let a = accessors[index]
        let count = try a["count"].int()
        let type = try a["type"].string()
        guard let (components, columns) = Self.componentCount(type) else {
            throw a["type"].error("unknown accessor type \(type)")
        }
        let ct = try componentType(a["componentType"])
        let normalized = try a["normalized"].optionalBool() ?? false
        let (elementSize, offsets) = layout(components: components, columns: columns, type: ct)
        var region: Region?
        if a["bufferView"].exists {
            region = try self.region(
                view: a["bufferView"], byteOffset: try a["byteOffset"].int(default: 0), count: count,
                elementSize: elementSize, componentOffsets: offsets, packed: false, owner: a)
        }
        return Accessor(
            cursor: a, count: count, components: components, componentType: ct, normalized: normalized,
            elementSize: elementSize, componentOffsets: offsets, region: region)
    }

    @inline(__always)
    private static func decode(_ bytes: UnsafeRawBufferPointer, _ at: Int, _ type: ComponentType, normalized: Bool)
        -> Float
    {
        switch type {
        case .float: return bytes.loadUnaligned(fromByteOffset: at, as: Float.self)
        case .byte:
            let v = Float(bytes.loadUnaligned(fromByteOffset: at, as: Int8.self))
            return normalized ? max(v / 127, -1) : v
        case .unsignedByte:
            let v = Float(bytes.loadUnaligned(fromByteOffset: at, as: UInt8.self))
            return normalized ? v / 255 : v
        case .short:
            let v = Float(Int16(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: Int16.self)))
            return normalized ? max(v / 32767, -1) : v
        case .unsignedShort:
            let v = Float(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt16.self)))
            return normalized ? v / 65535 : v
        case .unsignedInt:
            let v = Float(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt32.self)))
            return normalized ? v / Float(UInt32.max) : v  // UInt32.max rounds to 2^32 as a Float
        }
    }

    @inline(__always)
    private static func decodeInteger(_ bytes: UnsafeRawBufferPointer, _ at: Int, _ type: ComponentType) -> UInt32 {
        switch type {
        case .unsignedByte: UInt32(bytes.loadUnaligned(fromByteOffset: at, as: UInt8.self))
        case .unsignedShort: UInt32(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt16.self)))
        case .unsignedInt: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt32.self))
        case .byte: UInt32(bitPattern: Int32(bytes.loadUnaligned(fromByteOffset: at, as: Int8.self)))
        case .short:
            UInt32(bitPattern: Int32(Int16(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: Int16.self))))
        case .float: UInt32(max(0, bytes.loadUnaligned(fromByteOffset: at, as: Float.self)))
        }
    }

    /// Decodes an accessor (dense part, then sparse substitutions) into `count × components` floats.
    func readFloats(_ index: Int, allowedTypes: Set<Int>? = nil) throws(OmoteError) -> (
        values: [Float], components: Int, count: Int
    ) {
        let a = try accessor(index)
        if let allowedTypes, !allowedTypes.contains(a.components) {
            throw a.cursor["type"].error(
                "this attribute needs an accessor with \(allowedTypes.sorted()) components, found \(a.components)")
        }
        let out = try read(a) { bytes, at in Self.decode(bytes, at, a.componentType, normalized: a.normalized) }
        return (out, a.components, a.count)
    }

    /// Decodes an integer accessor (indices, joints) into `count × components` values.
    func readIntegers(_ index: Int) throws(OmoteError) -> (values: [UInt32], components: Int, count: Int) {
        let a = try accessor(index)
        guard [.unsignedByte, .unsignedShort, .unsignedInt].contains(a.componentType) else {
            throw a.cursor["componentType"].error(
                "expected an unsigned integer component type, found \(a.componentType.rawValue)")
        }
        let out = try read(a) { bytes, at in Self.decodeInteger(bytes, at, a.componentType) }
        return (out, a.components, a.count)
    }

    /// The accessor's `count × components` values, each decoded by `decode` (bytes, byte offset): the dense part
    /// (zeros without one), then the sparse substitutions.
    @inline(__always)
    private func read<T: Numeric>(_ a: Accessor, _ decode: (UnsafeRawBufferPointer, Int) -> T) throws(OmoteError)
        -> [T]
    {
        var out = [T](repeating: 0, count: a.count * a.components)
        if let r = a.region {
            buffers[r.buffer].withUnsafeBytes { bytes in
                for e in 0 ..< a.count {
                    let base = r.start + e * r.stride
                    for c in 0 ..< a.components {
                        out[e * a.components + c] = decode(bytes, base + r.componentOffsets[c])
                    }
                }
            }
        }
        try applySparse(a) { element, bytes, base, offsets in
            for c in 0 ..< a.components { out[element * a.components + c] = decode(bytes, base + offsets[c]) }
        }
        return out
    }

    /// Sparse accessors: `count` (index, value) pairs replacing elements of the dense part (or of zeros).
    private func applySparse(_ a: Accessor, _ write: (Int, UnsafeRawBufferPointer, Int, [Int]) -> Void)
        throws(OmoteError)
    {
        let sparse = a.cursor["sparse"]
        guard sparse.exists else { return }
        let count = try sparse["count"].int()
        guard count <= a.count else {
            throw sparse["count"].error("sparse count \(count) exceeds the accessor's count \(a.count)")
        }
        guard count > 0 else { return }
        let indices = sparse["indices"]
        let values = sparse["values"]
        let indexType = try componentType(indices["componentType"])
        guard [.unsignedByte, .unsignedShort, .unsignedInt].contains(indexType) else {
            throw indices["componentType"].error("sparse indices must be unsigned integers")
        }
        let indexRegion = try region(
            view: indices["bufferView"], byteOffset: try indices["byteOffset"].int(default: 0), count: count,
            elementSize: indexType.size, componentOffsets: [0], packed: true, owner: indices)
        let valueRegion = try region(
            view: values["bufferView"], byteOffset: try values["byteOffset"].int(default: 0), count: count,
            elementSize: a.elementSize, componentOffsets: a.componentOffsets, packed: true, owner: values)
        var targets = [Int](repeating: 0, count: count)
        // The first index out of range stops the read and is thrown outside (`withUnsafeBytes` throws untyped).
        var outOfRange: (index: Int, entry: Int)?
        buffers[indexRegion.buffer].withUnsafeBytes { bytes in
            for k in 0 ..< count {
                let i = Int(Self.decodeInteger(bytes, indexRegion.start + k * indexRegion.stride, indexType))
                guard i < a.count else {
                    outOfRange = (i, k)
                    return
                }
                targets[k] = i
            }
        }
        if let (i, k) = outOfRange {
            throw OmoteError.rigLoad(
                .rigAccessorOutOfBounds, file: file, jsonPath: indices.path,
                "sparse index \(i) (entry \(k)) is not below the accessor's count \(a.count)")
        }
        buffers[valueRegion.buffer].withUnsafeBytes { bytes in
            for k in 0 ..< count {
                write(targets[k], bytes, valueRegion.start + k * valueRegion.stride, valueRegion.componentOffsets)
            }
        }
    }
}
