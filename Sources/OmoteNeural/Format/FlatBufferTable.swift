import OmoteCore

/// One FlatBuffers table, read from the public format description: a table starts with a signed offset back to its
/// vtable; the vtable lists each field's offset inside the table (0 = absent, so the default applies). Every read is
/// bounds-checked through `CheckedBytes`.
struct FlatBufferTable {
    let buffer: CheckedBytes
    let position: Int
    private let vtable: Int
    private let vtableSize: Int

    init(_ buffer: CheckedBytes, at position: Int, _ what: @autoclosure () -> String) throws(OmoteError) {
        self.buffer = buffer
        self.position = position
        let back = Int(try buffer.i32(position, "\(what()) table"))
        vtable = position - back
        vtableSize = Int(try buffer.u16(vtable, "\(what()) vtable"))
        guard vtableSize >= 4, vtableSize % 2 == 0 else {
            throw OmoteError.badModel(buffer.file, "\(what()) has a malformed vtable (size \(vtableSize))")
        }
        try buffer.require(vtable, vtableSize, "\(what()) vtable")
    }

    /// The root table: the buffer starts with the offset to it.
    static func root(_ buffer: CheckedBytes, _ what: String) throws(OmoteError) -> FlatBufferTable {
        try FlatBufferTable(buffer, at: Int(try buffer.u32(0, "\(what) root offset")), what)
    }

    /// Absolute position of field `id`, or nil when the field is absent.
    func fieldPosition(_ id: Int) throws(OmoteError) -> Int? {
        let entry = 4 + 2 * id
        guard entry + 2 <= vtableSize else { return nil }
        let relative = Int(try buffer.u16(vtable + entry, "vtable entry \(id)"))
        return relative == 0 ? nil : position + relative
    }

    func u8(_ id: Int, default value: UInt8 = 0) throws(OmoteError) -> UInt8 {
        guard let at = try fieldPosition(id) else { return value }
        return try buffer.u8(at, "field \(id)")
    }

    func i32(_ id: Int, default value: Int32 = 0) throws(OmoteError) -> Int32 {
        guard let at = try fieldPosition(id) else { return value }
        return try buffer.i32(at, "field \(id)")
    }

    func u32(_ id: Int, default value: UInt32 = 0) throws(OmoteError) -> UInt32 {
        guard let at = try fieldPosition(id) else { return value }
        return try buffer.u32(at, "field \(id)")
    }

    func u64(_ id: Int, default value: UInt64 = 0) throws(OmoteError) -> UInt64 {
        guard let at = try fieldPosition(id) else { return value }
        return try buffer.u64(at, "field \(id)")
    }

    /// Follows a uoffset field; nil when absent.
    private func target(_ id: Int) throws(OmoteError) -> Int? {
        guard let at = try fieldPosition(id) else { return nil }
        return at + Int(try buffer.u32(at, "offset field \(id)"))
    }

    func table(_ id: Int, _ what: String) throws(OmoteError) -> FlatBufferTable? {
        guard let at = try target(id) else { return nil }
        return try FlatBufferTable(buffer, at: at, what)
    }

    /// A vector's element count and the position of its first element, checked against `elementSize`.
    func vector(_ id: Int, elementSize: Int, _ what: String) throws(OmoteError) -> (start: Int, count: Int)? {
        guard let at = try target(id) else { return nil }
        let count = Int(try buffer.u32(at, "\(what) length"))
        guard count <= buffer.count / max(elementSize, 1) else {
            throw OmoteError.badModel(buffer.file, "\(what) claims \(count) elements, more than the file holds")
        }
        try buffer.require(at + 4, count * elementSize, what)
        return (at + 4, count)
    }

    func tables(_ id: Int, _ what: String) throws(OmoteError) -> [FlatBufferTable] {
        guard let (start, count) = try vector(id, elementSize: 4, what) else { return [] }
        return try (0 ..< count).map { index throws(OmoteError) in
            let at = start + 4 * index
            return try FlatBufferTable(buffer, at: at + Int(try buffer.u32(at, what)), "\(what)[\(index)]")
        }
    }

    func int32s(_ id: Int, _ what: String) throws(OmoteError) -> [Int32] {
        guard let (start, count) = try vector(id, elementSize: 4, what) else { return [] }
        return try (0 ..< count).map { index throws(OmoteError) in try buffer.i32(start + 4 * index, what) }
    }

    func bytes(_ id: Int, _ what: String) throws(OmoteError) -> UnsafeRawBufferPointer? {
        guard let (start, count) = try vector(id, elementSize: 1, what) else { return nil }
        return UnsafeRawBufferPointer(rebasing: buffer.bytes[start ..< start + count])
    }

    func string(_ id: Int, _ what: String) throws(OmoteError) -> String? {
        try bytes(id, what).map { String(decoding: $0, as: UTF8.self) }
    }
}
