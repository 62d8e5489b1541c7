import CPNGShim
import CTurboJPEG
import OmoteCore

/// PNG (libpng) and JPEG (libjpeg-turbo) texture decoding. Both libraries are loaded at run time, not linked, so a
/// process that loads no textured avatar never maps them; one that does must load them before its privacy guard
/// engages (the guard forbids mapping libraries afterwards): call `RigTexture.loadDecoders()` first, or load the model
/// itself before engaging the guard.
extension RigTexture {
    /// The largest width or height of a texture.
    public static let maximumSide = 8192
    /// The most texels all of a model's textures may hold together (64 Mi: 256 MiB of RGBA8).
    public static let maximumTexelsPerModel = 64 << 20

    /// Loads libpng16.so.16 (`.png`) and libturbojpeg.so.0 (`.jpeg`) and resolves the functions the texture decoder
    /// calls, once per process (idempotent, thread-safe). A process that loads avatars after engaging its privacy
    /// guard must call this before engaging it; one that loads its avatar before engaging needs not (each library is
    /// then loaded on first use, only when the avatar has such a texture). Pass only `[.png]` to keep libturbojpeg out
    /// of a process that must not map it (JPEG-textured avatars then fail to load with a clear error).
    public static func loadDecoders(_ formats: Set<RigImageFormat> = [.png, .jpeg]) throws(OmoteError) {
        if formats.contains(.png) { try loadPNG() }
        if formats.contains(.jpeg) { try loadJPEG() }
    }

    /// Whether both decoders are loaded in this process.
    public static var areDecodersLoaded: Bool { omote_png_is_loaded() != 0 && omote_tj_is_loaded() != 0 }

    private static func loadPNG() throws(OmoteError) {
        guard omote_png_is_loaded() == 0 else { return }
        if let failure = loadFailure({ omote_png_load($0, $1) }) { throw decoderMissing(OMOTE_PNG_LIBRARY, failure) }
    }

    private static func loadJPEG() throws(OmoteError) {
        guard omote_tj_is_loaded() == 0 else { return }
        if let failure = loadFailure({ omote_tj_load($0, $1) }) { throw decoderMissing(OMOTE_TJ_LIBRARY, failure) }
    }

    /// Runs a shim's loader; nil when it succeeded, otherwise what the dynamic loader said.
    private static func loadFailure(_ load: (UnsafeMutablePointer<CChar>, Int) -> Int32) -> String? {
        var message = [CChar](repeating: 0, count: 512)
        guard load(&message, message.count) != 0 else { return nil }
        return message.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    private static func decoderMissing(_ library: String, _ reason: String) -> OmoteError {
        OmoteError.rigLoad(.rigImageDecoderMissing, file: library, "\(reason)")
    }

    /// Loads a decoder on first use when the guard has not engaged; once it has, a clear error instead of a refused
    /// open or mmap.
    private static func requireDecoder(
        _ isLoaded: Bool, _ load: () throws(OmoteError) -> Void, library: String, file: String, image: String
    ) throws(OmoteError) {
        guard !isLoaded else { return }
        guard !GuardEngagement.isEngagedInThisProcess else {
            throw OmoteError.rigLoad(
                .rigImageDecoderMissing, file: file, jsonPath: image,
                "\(library) was not loaded before the privacy guard engaged (call RigTexture.loadDecoders() first)")
        }
        try load()
    }

    // MARK: Decoding

    /// What an undecodable image probably is, from its MIME type or signature (for the error message).
    static func describeUnsupported(_ bytes: [UInt8], mimeType: String?) -> String {
        if let mimeType, mimeType != "image/png", mimeType != "image/jpeg" { return "MIME type \(mimeType)" }
        if bytes.starts(with: [0xAB, 0x4B, 0x54, 0x58, 0x20, 0x32, 0x30, 0xBB]) { return "a KTX2 (Basis) image" }
        if bytes.count >= 12, bytes.starts(with: Array("RIFF".utf8)), bytes[8 ..< 12].elementsEqual("WEBP".utf8) {
            return "a WebP image"
        }
        if bytes.count >= 12, bytes[4 ..< 8].elementsEqual("ftyp".utf8) { return "an AVIF/HEIF image" }
        if mimeType != nil { return "bytes that are not the \(mimeType!) its mimeType claims" }
        return "an image in an unknown format"
    }

    /// Decodes a PNG or JPEG image into RGBA8. `file` and `image` (e.g. `images[2]`) name it in errors;
    /// `texelBudget` is what the model's textures may still hold, reduced by this one. Width and height are checked
    /// against the bounds from the header, before any texel memory is allocated.
    static func decode(
        _ bytes: [UInt8], mimeType: String?, name: String, file: String, image: String, texelBudget: inout Int
    ) throws(OmoteError) -> RigTexture {
        guard let format = RigImageFormat(signature: bytes) else {
            let what = describeUnsupported(bytes, mimeType: mimeType)
            if mimeType == "image/png" || mimeType == "image/jpeg" {
                throw OmoteError.rigLoad(
                    .rigCorruptImage, file: file, jsonPath: image,
                    "\(bytes.count) bytes without a \(mimeType == "image/png" ? "PNG" : "JPEG") signature")
            }
            throw OmoteError.rigLoad(
                .rigUnsupportedImage, file: file, jsonPath: image,
                "\(what); only PNG and JPEG textures are decoded")
        }
        switch format {
        case .png:
            try requireDecoder(
                omote_png_is_loaded() != 0, loadPNG, library: OMOTE_PNG_LIBRARY, file: file, image: image)
            return try decodePNG(bytes, name: name, file: file, image: image, texelBudget: &texelBudget)
        case .jpeg:
            try requireDecoder(
                omote_tj_is_loaded() != 0, loadJPEG, library: OMOTE_TJ_LIBRARY, file: file, image: image)
            return try decodeJPEG(bytes, name: name, file: file, image: image, texelBudget: &texelBudget)
        }
    }

    /// Refuses sizes beyond the bounds, then charges the texels to the model's budget.
    private static func checkSize(
        width: Int, height: Int, file: String, image: String, texelBudget: inout Int
    ) throws(OmoteError) {
        guard width > 0, height > 0 else {
            throw OmoteError.rigLoad(
                .rigCorruptImage, file: file, jsonPath: image, "the header claims \(width)×\(height)")
        }
        guard width <= maximumSide, height <= maximumSide else {
            throw OmoteError.rigLoad(
                .rigImageTooLarge, file: file, jsonPath: image,
                "\(width)×\(height) exceeds the limit of \(maximumSide) texels per side")
        }
        guard width * height <= texelBudget else {
            throw OmoteError.rigLoad(
                .rigImageTooLarge, file: file, jsonPath: image,
                "\(width)×\(height) takes the model's textures past the limit of \(maximumTexelsPerModel >> 20) Mi "
                    + "texels in all")
        }
        texelBudget -= width * height
    }

    private static func decodePNG(
        _ bytes: [UInt8], name: String, file: String, image: String, texelBudget: inout Int
    ) throws(OmoteError) -> RigTexture {
        var png = png_image()
        func failure() -> OmoteError {
            let reason = withUnsafeBytes(of: png.message) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            return OmoteError.rigLoad(
                .rigCorruptImage, file: file, jsonPath: image,
                "PNG does not decode (libpng: \(reason.isEmpty ? "unknown error" : reason))")
        }
        let begun = bytes.withUnsafeBytes { omote_png_begin(&png, $0.baseAddress, $0.count) }
        guard begun != 0 else {
            omote_png_free(&png)
            throw failure()
        }
        let width = Int(png.width)
        let height = Int(png.height)
        do {
            try checkSize(width: width, height: height, file: file, image: image, texelBudget: &texelBudget)
        } catch {
            omote_png_free(&png)
            throw error
        }
        var texels = [UInt32](repeating: 0, count: width * height)
        // libpng keeps pointers into `bytes` between begin and finish: both run inside one borrow of it.
        let finished = bytes.withUnsafeBytes { _ in
            texels.withUnsafeMutableBytes { omote_png_finish_rgba(&png, $0.baseAddress) }
        }
        guard finished != 0 else { throw failure() }
        return RigTexture(name: name, width: width, height: height, texels: texels)
    }

    private static func decodeJPEG(
        _ bytes: [UInt8], name: String, file: String, image: String, texelBudget: inout Int
    ) throws(OmoteError) -> RigTexture {
        guard let handle = omote_tjInitDecompress() else {
            throw OmoteError.rigLoad(
                .rigImageDecoderMissing, file: file, jsonPath: image, "tjInitDecompress failed (out of memory?)")
        }
        defer { omote_tjDestroy(handle) }
        func failure(_ step: String) -> OmoteError {
            let reason = omote_tjGetErrorStr2(handle).map { String(cString: $0) } ?? "unknown error"
            return OmoteError.rigLoad(
                .rigCorruptImage, file: file, jsonPath: image, "JPEG \(step) fails (libjpeg-turbo: \(reason))")
        }
        var width: Int32 = 0
        var height: Int32 = 0
        var subsampling: Int32 = 0
        var colorspace: Int32 = 0
        let header = bytes.withUnsafeBufferPointer {
            omote_tjDecompressHeader3(
                handle, $0.baseAddress, UInt($0.count), &width, &height, &subsampling, &colorspace)
        }
        guard header == 0 else { throw failure("header") }
        try checkSize(
            width: Int(width), height: Int(height), file: file, image: image, texelBudget: &texelBudget)
        var texels = [UInt32](repeating: 0, count: Int(width) * Int(height))
        // Any warning counts as damage too (a truncated JPEG decodes half grey).
        let decoded = bytes.withUnsafeBufferPointer { source in
            texels.withUnsafeMutableBytes { destination in
                omote_tjDecompress2(
                    handle, source.baseAddress, UInt(source.count),
                    destination.baseAddress!.assumingMemoryBound(to: UInt8.self), width, 0, height,
                    Int32(TJPF_RGBA.rawValue), 0)
            }
        }
        guard decoded == 0 else { throw failure("data") }
        return RigTexture(name: name, width: Int(width), height: Int(height), texels: texels)
    }
}

/// The texture image formats Omote decodes.
public enum RigImageFormat: Sendable, Hashable {
    case png
    case jpeg

    /// Recognises PNG and JPEG by their signature.
    init?(signature bytes: [UInt8]) {
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
            self = .png
        } else if bytes.starts(with: [0xFF, 0xD8, 0xFF]) {
            self = .jpeg
        } else {
            return nil
        }
    }
}
