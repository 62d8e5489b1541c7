import OmoteCore

/// The central directory of a zip archive whose members are *stored* (method 0), read in place from the mapped file.
/// Written from PKWARE's APPNOTE: end-of-central-directory record → central headers → local headers → data.
/// Zip64, encryption, multi-disk archives and compressed members are refused with a clear error.
struct ZipDirectory {
    struct Member {
        let name: String
        /// The member's bytes inside the archive.
        let data: UnsafeRawBufferPointer
    }

    let members: [Member]

    private static let endSignature: UInt32 = 0x0605_4B50
    private static let centralSignature: UInt32 = 0x0201_4B50
    private static let localSignature: UInt32 = 0x0403_4B50
    private static let endRecordSize = 22
    private static let centralHeaderSize = 46
    private static let localHeaderSize = 30

    init(_ archive: CheckedBytes, verifyChecksums: Bool = true) throws(OmoteError) {
        let file = archive.file
        let endOffset = try Self.findEndRecord(archive)
        let entryCount = Int(try archive.u16(endOffset + 10, "zip entry count"))
        let directorySize = Int(try archive.u32(endOffset + 12, "zip central directory size"))
        let directoryOffset = Int(try archive.u32(endOffset + 16, "zip central directory offset"))
        guard try archive.u16(endOffset + 4, "zip disk number") == 0, entryCount != 0xFFFF,
            directoryOffset != 0xFFFF_FFFF
        else {
            throw OmoteError.badModel(file, "multi-disk or Zip64 archives are not supported")
        }
        // Bytes before the archive proper (a prefix, as in this model) shift every stored offset by the same amount.
        let shift = endOffset - directorySize - directoryOffset
        guard shift >= 0 else {
            throw OmoteError.badModel(
                file,
                "zip central directory (\(directorySize) bytes at \(directoryOffset)) overlaps its end record")
        }
        var members: [Member] = []
        var cursor = directoryOffset + shift
        for index in 0 ..< entryCount {
            guard try archive.u32(cursor, "zip central header \(index)") == Self.centralSignature else {
                throw OmoteError.badModel(file, "zip central header \(index) has a wrong signature")
            }
            let flags = try archive.u16(cursor + 8, "zip flags")
            let method = try archive.u16(cursor + 10, "zip method")
            let crc = try archive.u32(cursor + 16, "zip crc")
            let compressedSize = Int(try archive.u32(cursor + 20, "zip compressed size"))
            let size = Int(try archive.u32(cursor + 24, "zip size"))
            let nameLength = Int(try archive.u16(cursor + 28, "zip name length"))
            let extraLength = Int(try archive.u16(cursor + 30, "zip extra length"))
            let commentLength = Int(try archive.u16(cursor + 32, "zip comment length"))
            let localOffset = Int(try archive.u32(cursor + 42, "zip local header offset")) + shift
            let nameBytes = try archive.slice(cursor + Self.centralHeaderSize, nameLength, "zip member name")
            let name = String(decoding: nameBytes.bytes, as: UTF8.self)
            guard method == 0, compressedSize == size else {
                throw OmoteError.badModel(
                    file,
                    "zip member \(name) is compressed (method \(method)); members must be stored")
            }
            guard flags & 1 == 0 else {
                throw OmoteError.badModel(file, "zip member \(name) is encrypted")
            }
            guard try archive.u32(localOffset, "zip local header of \(name)") == Self.localSignature else {
                throw OmoteError.badModel(file, "zip local header of \(name) has a wrong signature")
            }
            let localNameLength = Int(try archive.u16(localOffset + 26, "zip local name length"))
            let localExtraLength = Int(try archive.u16(localOffset + 28, "zip local extra length"))
            let dataOffset = localOffset + Self.localHeaderSize + localNameLength + localExtraLength
            let data = try archive.slice(dataOffset, size, "zip member \(name) data")
            if verifyChecksums, CRC32.checksum(data.bytes) != crc {
                throw OmoteError.badModel(file, "zip member \(name) fails its CRC-32 check (damaged download)")
            }
            members.append(Member(name: name, data: data.bytes))
            cursor += Self.centralHeaderSize + nameLength + extraLength + commentLength
        }
        self.members = members
    }

    func member(named name: String, file: String) throws(OmoteError) -> UnsafeRawBufferPointer {
        guard let member = members.first(where: { $0.name == name }) else {
            let present = members.map(\.name).joined(separator: ", ")
            throw OmoteError.badModel(file, "the archive has no member \(name) (it has: \(present))")
        }
        return member.data
    }

    /// The end record sits in the last 22 … 22 + 65535 bytes (it may be followed by a comment).
    private static func findEndRecord(_ archive: CheckedBytes) throws(OmoteError) -> Int {
        let last = archive.count - endRecordSize
        guard last >= 0 else {
            throw OmoteError.badModel(archive.file, "\(archive.count) bytes is too short for a zip archive")
        }
        let first = max(0, last - 0xFFFF)
        var offset = last
        while offset >= first {
            if try archive.u32(offset, "zip end record") == endSignature {
                return offset
            }
            offset -= 1
        }
        throw OmoteError.badModel(archive.file, "no zip end-of-central-directory record (not a .task zip)")
    }
}
