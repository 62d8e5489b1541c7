import OmoteCore

/// Reads dlib's portable serialization (dlib/serialize.h) from a byte range.
///
/// Integers are a control byte (low 4 bits: how many little-endian magnitude bytes follow, 1…8; bit 7: negative for
/// signed types) then the bytes. Floats are two such integers, a 64-bit mantissa and a 16-bit exponent, meaning
/// `mantissa · 2^exponent` (exponents 32000/32001/32002 mean +∞, −∞, NaN). Containers are a count then the items;
/// matrices are `-rows, -columns` then the elements row by row.
struct DlibReader {
    private let base: UnsafePointer<UInt8>
    private var cursor: UnsafePointer<UInt8>
    private let end: UnsafePointer<UInt8>
    let path: String

    init(_ bytes: UnsafeRawBufferPointer, path: String) {
        let start = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? UnsafePointer(bitPattern: 1)!
        base = start
        cursor = start
        end = start + bytes.count
        self.path = path
    }

    var offset: Int { cursor - base }
    var remaining: Int { end - cursor }

    /// A landmark-model error at `position` (default: the current offset).
    func error(_ code: OmoteError.Code, _ reason: String, at position: Int? = nil) -> OmoteError {
        OmoteError.landmarkModel(code, path: path, offset: position ?? offset, reason: reason)
    }

    /// The magnitude bytes after a control byte, little-endian.
    @inline(__always)
    private mutating func magnitude(byteCount: Int, field: StaticString) throws(OmoteError) -> UInt64 {
        guard byteCount <= remaining else { throw error(.landmarkModelTruncated, "file ends inside \(field)") }
        var value: UInt64 = 0
        var index = byteCount - 1
        while index >= 0 {
            value = value << 8 | UInt64(cursor[index])
            index -= 1
        }
        cursor += byteCount
        return value
    }

    /// An unsigned integer of at most `maxBytes` bytes (dlib's `unsigned long` is 8, `unsigned int` 4).
    @inline(__always)
    mutating func unsigned(maxBytes: Int = 8, _ field: StaticString) throws(OmoteError) -> UInt64 {
        guard cursor < end else { throw error(.landmarkModelTruncated, "file ends before \(field)") }
        let start = offset
        let control = Int(cursor.pointee & 0x8F)
        guard control >= 1, control <= maxBytes else {
            throw error(
                .landmarkModelCorrupt, "invalid integer encoding (control byte \(cursor.pointee)) for \(field)",
                at: start)
        }
        cursor += 1
        return try magnitude(byteCount: control, field: field)
    }

    /// A signed integer of at most `maxBytes` bytes (`int` 4, `long` 8, `int16` 2).
    @inline(__always)
    mutating func signed(maxBytes: Int, _ field: StaticString) throws(OmoteError) -> Int64 {
        guard cursor < end else { throw error(.landmarkModelTruncated, "file ends before \(field)") }
        let start = offset
        let control = cursor.pointee
        let byteCount = Int(control & 0x0F)
        guard byteCount >= 1, byteCount <= maxBytes else {
            throw error(
                .landmarkModelCorrupt, "invalid integer encoding (control byte \(control)) for \(field)", at: start)
        }
        cursor += 1
        let value = try magnitude(byteCount: byteCount, field: field)
        // dlib writes |value| for negatives, so the magnitude of a valid 8-byte value never exceeds Int64.max
        // (Int64.min itself cannot be written: dlib negates it first and overflows).
        guard value <= UInt64(Int64.max) else {
            throw error(.landmarkModelCorrupt, "integer out of range for \(field)", at: start)
        }
        return control & 0x80 != 0 ? -Int64(value) : Int64(value)
    }

    /// A float in dlib's binary format. (dlib's pre-2013 ASCII float format is recognised and refused.)
    @inline(__always)
    mutating func float(_ field: StaticString) throws(OmoteError) -> Float {
        guard cursor < end else { throw error(.landmarkModelTruncated, "file ends before \(field)") }
        guard cursor.pointee & 0x70 == 0 else {
            throw error(.landmarkModelCorrupt, "\(field) is not a binary dlib float (control byte \(cursor.pointee))")
        }
        let mantissa = try signed(maxBytes: 8, field)
        let exponent = try signed(maxBytes: 2, field)
        switch exponent {
        case 32000: return .infinity
        case 32001: return -.infinity
        case 32002: return .nan
        default: break
        }
        guard exponent >= -32768, exponent <= 32767 else {
            throw error(.landmarkModelCorrupt, "float exponent out of range for \(field)")
        }
        // dlib converts with ldexp((float)mantissa, exponent): round the mantissa to float, then scale (exact unless the
        // result leaves the normal range, where scaling rounds once more, as ldexp does).
        let significand = Float(mantissa)
        if exponent >= -126, exponent <= 127 {
            let scaled = significand * Float(bitPattern: UInt32(exponent + 127) << 23)
            if scaled.isNormal || significand == 0 { return scaled }
        }
        return Float(sign: .plus, exponent: Int(exponent), significand: significand)
    }

    /// A container's element count, sanity-checked against the bytes left (every element takes at least
    /// `minimumBytesPerElement`), so a corrupt count cannot trigger a huge allocation.
    mutating func count(_ field: StaticString, minimumBytesPerElement: Int) throws(OmoteError) -> Int {
        let start = offset
        let value = try unsigned(field)
        guard value <= UInt64(remaining / max(1, minimumBytesPerElement)) else {
            throw error(
                .landmarkModelTruncated, "\(field) claims \(value) elements but only \(remaining) bytes remain",
                at: start)
        }
        return Int(value)
    }

    /// A dlib matrix header (`-rows, -columns`; the pre-2013 format wrote them positive). Returns (rows, columns).
    mutating func matrixShape(_ field: StaticString) throws(OmoteError) -> (rows: Int, columns: Int) {
        let start = offset
        var rows = try signed(maxBytes: 8, field)
        var columns = try signed(maxBytes: 8, field)
        if rows < 0 || columns < 0 {
            rows = -rows
            columns = -columns
        }
        guard rows >= 0, columns >= 0, rows.multipliedReportingOverflow(by: columns).overflow == false else {
            throw error(.landmarkModelCorrupt, "\(field) has an impossible size \(rows)×\(columns)", at: start)
        }
        // Every float takes at least 4 bytes (two control bytes, one byte each).
        guard rows * columns <= Int64(remaining / 4) else {
            throw error(
                .landmarkModelTruncated, "\(field) claims \(rows)×\(columns) floats but only \(remaining) bytes remain",
                at: start)
        }
        return (Int(rows), Int(columns))
    }
}
