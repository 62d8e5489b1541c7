import OmoteCore

/// Reads protocol buffer wire format (varints, fixed32, length-delimited fields; protobuf.dev "Encoding") from a
/// byte range, every length checked against the bytes that are really there. Enough for MediaPipe's small metadata
/// messages; groups (wire types 3, 4) are refused, unknown fields skipped.
struct ProtobufReader {
    enum WireType: UInt64 {
        case varint = 0
        case fixed64 = 1
        case lengthDelimited = 2
        case fixed32 = 5
    }

    let bytes: UnsafeRawBufferPointer
    /// Names the data in errors ("face_landmarker.task:geometry_pipeline_metadata_landmarks.binarypb").
    let subject: String
    private(set) var offset: Int

    init(bytes: UnsafeRawBufferPointer, subject: String) {
        self.bytes = bytes
        self.subject = subject
        offset = 0
    }

    var isAtEnd: Bool { offset >= bytes.count }

    /// The next field's number and wire type.
    mutating func readTag() throws(OmoteError) -> (field: UInt64, wireType: WireType) {
        let key = try readVarint()
        guard let wireType = WireType(rawValue: key & 7) else {
            throw failure("field \(key >> 3) has wire type \(key & 7), which this reader does not accept")
        }
        guard key >> 3 != 0 else { throw failure("a field has number 0") }
        return (key >> 3, wireType)
    }

    mutating func readVarint() throws(OmoteError) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard offset < bytes.count else { throw failure("a varint runs past the end") }
            let byte = bytes[offset]
            offset += 1
            guard shift < 64 else { throw failure("a varint is longer than 10 bytes") }
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 {
                return value
            }
            shift += 7
        }
    }

    mutating func readFixed32() throws(OmoteError) -> UInt32 {
        guard bytes.count - offset >= 4 else { throw failure("a 4-byte value runs past the end") }
        let value = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
        offset += 4
        return value
    }

    mutating func readFloat() throws(OmoteError) -> Float { Float(bitPattern: try readFixed32()) }

    /// A length-delimited field's bytes, as a reader of their own.
    mutating func readLengthDelimited() throws(OmoteError) -> ProtobufReader {
        let length = try readVarint()
        guard length <= UInt64(bytes.count - offset) else {
            throw failure("a \(length)-byte field at byte \(offset) runs past the \(bytes.count)-byte message")
        }
        let start = offset
        offset += Int(length)
        return ProtobufReader(bytes: UnsafeRawBufferPointer(rebasing: bytes[start ..< offset]), subject: subject)
    }

    mutating func skip(_ wireType: WireType) throws(OmoteError) {
        switch wireType {
        case .varint:
            _ = try readVarint()
        case .fixed64:
            guard bytes.count - offset >= 8 else { throw failure("an 8-byte value runs past the end") }
            offset += 8
        case .lengthDelimited:
            _ = try readLengthDelimited()
        case .fixed32:
            _ = try readFixed32()
        }
    }

    /// Appends a repeated float field's values, packed (one length-delimited run) or not (one fixed32).
    mutating func appendFloats(_ wireType: WireType, to values: inout [Float]) throws(OmoteError) {
        switch wireType {
        case .fixed32:
            values.append(try readFloat())
        case .lengthDelimited:
            var run = try readLengthDelimited()
            guard run.bytes.count % 4 == 0 else {
                throw failure("a packed float field has \(run.bytes.count) bytes, not a multiple of 4")
            }
            while !run.isAtEnd {
                values.append(try run.readFloat())
            }
        default:
            throw failure("a float field has wire type \(wireType.rawValue)")
        }
    }

    func failure(_ reason: String) -> OmoteError { OmoteError.meshModel(subject, reason) }
}
