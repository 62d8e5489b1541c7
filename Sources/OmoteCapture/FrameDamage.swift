import OmoteCore

/// Why a frame was skipped, from a fixed catalogue. Sources count damaged frames and keep the first reason for the
/// summary and the status line; a sensor process sends the reason's number, never text that a damaged (or hostile)
/// frame could have shaped, so the catalogue is also the whole vocabulary that crosses the record channel.
public enum FrameDamage: UInt8, CaseIterable, Sendable, CustomStringConvertible {
    /// The driver handed over a buffer with no bytes in it.
    case emptyBuffer = 1
    /// The driver flagged the buffer as damaged (V4L2_BUF_FLAG_ERROR).
    case driverFlagged
    /// Fewer bytes than a JPEG header needs.
    case tooShort
    /// The bytes do not start with a JPEG SOI marker.
    case notJPEG
    /// The header claims a zero width or height.
    case emptyImage
    /// The header claims more pixels than the source's bound (the negotiated size, or the replay bound).
    case tooLarge
    /// A marker segment whose length is impossible.
    case bogusMarkerLength
    /// The stream ends before the image data starts (no SOS marker).
    case missingScan
    /// The data ends early.
    case truncated
    /// A Huffman table is bad or missing.
    case badHuffmanTable
    /// A quantisation table is bad or missing.
    case badQuantisationTable
    /// A marker libjpeg does not know, or one in the wrong place.
    case unexpectedMarker
    /// The frame header (SOF) is malformed or describes an unsupported process.
    case badFrameHeader
    /// Bad sampling factors or components in the frame or scan header.
    case badComponents
    /// The entropy-coded data is corrupt.
    case corruptData
    /// Any other error libjpeg-turbo reports.
    case otherJPEG
    /// An uncompressed camera frame of the wrong size for its format.
    case wrongRawSize
    /// A frame geometry the format cannot have (odd width for 4:2:2, zero size).
    case badGeometry
    /// The camera's format cannot become RGB (no longer produced: opening refuses such a format; the case keeps the
    /// catalogue numbering of the record channel).
    case unconvertible

    public var description: String {
        switch self {
        case .emptyBuffer: "empty buffer"
        case .driverFlagged: "flagged damaged by the driver"
        case .tooShort: "too short to be a JPEG"
        case .notJPEG: "not a JPEG (no SOI marker)"
        case .emptyImage: "header claims an empty image"
        case .tooLarge: "larger than the negotiated size"
        case .bogusMarkerLength: "bogus marker length"
        case .missingScan: "missing SOS marker"
        case .truncated: "truncated JPEG data"
        case .badHuffmanTable: "bad Huffman table"
        case .badQuantisationTable: "bad quantisation table"
        case .unexpectedMarker: "unexpected marker"
        case .badFrameHeader: "bad frame header"
        case .badComponents: "bad components or sampling"
        case .corruptData: "corrupt JPEG data"
        case .otherJPEG: "unreadable JPEG"
        case .wrongRawSize: "raw frame of the wrong size"
        case .badGeometry: "bad frame geometry"
        case .unconvertible: "format cannot be converted"
        }
    }

    /// libjpeg-turbo's wording, matched on stable fragments (case-insensitively, most specific first).
    private static let libJPEGFragments: [(fragment: StaticString, damage: FrameDamage)] = [
        ("bogus marker length", .bogusMarkerLength),
        ("missing sos", .missingScan),
        ("premature end", .truncated),
        ("huffman", .badHuffmanTable),
        ("quantization table", .badQuantisationTable),
        ("dqt", .badQuantisationTable),
        ("not a jpeg", .notJPEG),
        ("empty jpeg image", .emptyImage),
        ("maximum supported image dimension", .tooLarge),
        ("marker", .unexpectedMarker),
        ("sof", .badFrameHeader),
        ("jpeg process", .badFrameHeader),
        ("image too", .badFrameHeader),
        ("data precision", .badFrameHeader),
        ("sampling", .badComponents),
        ("component", .badComponents),
        ("corrupt jpeg data", .corruptData),
        ("invalid jpeg file structure", .corruptData),
    ]

    /// The catalogue entry for a message from libjpeg-turbo (a C string). Allocates nothing.
    static func classifyingLibJPEG(_ message: UnsafePointer<CChar>) -> FrameDamage {
        for entry in libJPEGFragments where entry.fragment.withUTF8Buffer({ contains(message, $0) }) {
            return entry.damage
        }
        return .otherJPEG
    }

    /// Whether the C string `text` contains `fragment` (lower-case ASCII), ignoring the case of `text`.
    private static func contains(_ text: UnsafePointer<CChar>, _ fragment: UnsafeBufferPointer<UInt8>) -> Bool {
        var start = text
        while start.pointee != 0 {
            var matched = 0
            while matched < fragment.count {
                let byte = UInt8(bitPattern: start[matched])
                let lower = (0x41 ... 0x5A).contains(byte) ? byte | 0x20 : byte
                if byte == 0 || lower != fragment[matched] { break }
                matched += 1
            }
            if matched == fragment.count { return true }
            start += 1
        }
        return false
    }

    /// The catalogue entry a source records for a frame that failed with `error`.
    public init(_ error: OmoteError) {
        if error.code == .captureFrameTooLarge {
            self = .tooLarge
        } else if let damage = error.frameDamage {
            self = damage
        } else {
            self = .otherJPEG
        }
    }
}

extension OmoteError {
    /// The damage a frame error carries: the catalogue entry stands first in its reason (see `frameCorrupt`).
    var frameDamage: FrameDamage? {
        guard code == .captureFrameCorrupt else { return nil }
        return FrameDamage.allCases.first { reason.hasPrefix($0.description) }
    }
}
