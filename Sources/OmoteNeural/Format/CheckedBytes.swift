import OmoteCore

/// Little-endian reads from a byte range where every offset and size is checked first; a failed check is an error
/// naming the file and what was being read, never a crash.
struct CheckedBytes {
    let bytes: UnsafeRawBufferPointer
    let file: String

    var count: Int { bytes.count }

    func require(_ offset: Int, _ size: Int, _ what: @autoclosure () -> String) throws(OmoteError) {
        guard offset >= 0, size >= 0, offset <= bytes.count, size <= bytes.count - offset else {
            throw OmoteError.badModel(
                file,
                "\(what()) at byte \(offset) (+\(size)) lies outside the \(bytes.count)-byte data")
        }
    }

    func u8(_ offset: Int, _ what: @autoclosure () -> String) throws(OmoteError) -> UInt8 {
        try require(offset, 1, what())
        return bytes[offset]
    }

    func u16(_ offset: Int, _ what: @autoclosure () -> String) throws(OmoteError) -> UInt16 {
        try require(offset, 2, what())
        return UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    func u32(_ offset: Int, _ what: @autoclosure () -> String) throws(OmoteError) -> UInt32 {
        try require(offset, 4, what())
        return UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    func i32(_ offset: Int, _ what: @autoclosure () -> String) throws(OmoteError) -> Int32 {
        Int32(bitPattern: try u32(offset, what()))
    }

    func u64(_ offset: Int, _ what: @autoclosure () -> String) throws(OmoteError) -> UInt64 {
        try require(offset, 8, what())
        return UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    /// A checked sub-range, itself a `CheckedBytes` of the same file.
    func slice(_ offset: Int, _ size: Int, _ what: @autoclosure () -> String) throws(OmoteError) -> CheckedBytes {
        try require(offset, size, what())
        return CheckedBytes(bytes: UnsafeRawBufferPointer(rebasing: bytes[offset ..< offset + size]), file: file)
    }
}
