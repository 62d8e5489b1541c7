import OmoteCapture

#if canImport(Glibc)
import Glibc
#endif

/// One fixed-size record from a processing child to its parent: a kind, 16 numbers and, for a failure only, up to
/// 480 bytes of printable ASCII. Fixed size and a fixed number of records per run bound what a compromised child
/// could smuggle through the only descriptor it may write (see Docs/privacy.md); the parent checks every record.
public struct StatusRecord: Equatable, Sendable {
    public enum Kind: UInt32, Sendable {
        /// The child's guard engaged: values[0] = syscalls allowed, values[1] = descriptors closed.
        case engaged = 1
        /// One clip finished: values = clip index, delivered, corrupt, width, height, p50 × 5 stages, p99 × 5 stages,
        /// the first damage (see `value(of:)`).
        case clip = 2
        /// Processing stopped early; `text` says why.
        case failure = 3
        /// Every clip was processed.
        case done = 4
        /// The camera streams: values = FourCC, width, height, frames per second × 1000.
        case camera = 5
        /// Live progress, at most one every few seconds: values = frames processed, dropped, corrupt, frames per
        /// second × 10, then the p50 of the 5 stages in ns, then the first damage (see `value(of:)`).
        case progress = 6
        /// The camera was disconnected and the launcher waits for it to come back (then a new generation sends
        /// `engaged` and `camera` again): values[0] = N + 1 for /dev/videoN, 0 for another node.
        case waiting = 7
    }

    public static let valueCount = 16
    public static let textCapacity = 480
    /// magic + kind + values + text length + text.
    public static let encodedSize = 4 + 4 + valueCount * 8 + 4 + textCapacity
    static let magic: UInt32 = 0x4F4D_5331  // "OMS1"

    public var kind: Kind
    public var values: [UInt64]
    public var text: String

    public init(_ kind: Kind, values: [UInt64] = [], text: String = "") {
        self.kind = kind
        self.values = Array((values + Array(repeating: 0, count: Self.valueCount)).prefix(Self.valueCount))
        self.text = kind == .failure ? Self.sanitised(text) : ""
    }

    /// Printable ASCII only, at most `textCapacity` bytes.
    static func sanitised(_ text: String) -> String {
        String(
            decoding: text.utf8.map { (0x20 ... 0x7E).contains($0) ? $0 : UInt8(ascii: "?") }.prefix(textCapacity),
            as: UTF8.self)
    }

    public func encoded() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Self.encodedSize)
        func put<T: FixedWidthInteger>(_ value: T) {
            withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
        }
        put(Self.magic)
        put(kind.rawValue)
        for value in values { put(value) }
        let textBytes = Array(text.utf8)
        put(UInt32(textBytes.count))
        bytes += textBytes + Array(repeating: 0, count: Self.textCapacity - textBytes.count)
        return bytes
    }

    /// Decodes and validates one record; nil for anything malformed (see `fault(in:)`).
    public static func decode(_ bytes: [UInt8]) -> StatusRecord? { decodeOrFault(bytes).record }

    /// What is wrong with `bytes` as a record, or nil for a valid one.
    public static func fault(in bytes: [UInt8]) -> String? { decodeOrFault(bytes).fault }

    /// The record, or the first fault: wrong size, magic, kind, text length or characters, or a number outside what
    /// its kind carries (a count beyond 2^40, a stage time over 10 s, a frame side over 16384, a p50 above its p99, a
    /// damage number outside the catalogue, a non-zero unused value).
    static func decodeOrFault(_ bytes: [UInt8]) -> (record: StatusRecord?, fault: String?) {
        guard bytes.count == encodedSize else {
            return (nil, "a record of \(bytes.count) bytes instead of \(encodedSize)")
        }
        func get<T: FixedWidthInteger>(_ offset: Int, _ type: T.Type) -> T {
            bytes[offset ..< offset + MemoryLayout<T>.size].withUnsafeBytes {
                T(littleEndian: $0.loadUnaligned(as: T.self))
            }
        }
        guard get(0, UInt32.self) == magic else { return (nil, "a record with a wrong magic number") }
        let rawKind = get(4, UInt32.self)
        guard let kind = Kind(rawValue: rawKind) else { return (nil, "a record of unknown kind \(rawKind)") }
        let values = (0 ..< valueCount).map { get(8 + $0 * 8, UInt64.self) }
        let textOffset = 8 + valueCount * 8
        let length = Int(get(textOffset, UInt32.self))
        guard length <= textCapacity else { return (nil, "a text longer than \(textCapacity) bytes") }
        guard kind == .failure || length == 0 else { return (nil, "text in a \(kind) record") }
        let text = Array(bytes[textOffset + 4 ..< textOffset + 4 + length])
        guard text.allSatisfy({ (0x20 ... 0x7E).contains($0) }) else {
            return (nil, "a text with a byte that is not printable ASCII")
        }
        if let fault = rangeFault(kind, values) { return (nil, "a record of kind \(kind) with \(fault)") }
        return (StatusRecord(kind, values: values, text: String(decoding: text, as: UTF8.self)), nil)
    }

    /// Nil when every value is one a child of this kind sends; otherwise which is not.
    static func rangeFault(_ kind: Kind, _ values: [UInt64]) -> String? {
        let count: UInt64 = 1 << 40
        let stage: UInt64 = 10_000_000_000
        func unused(from first: Int) -> String? {
            values[first...].firstIndex { $0 != 0 }.map { "value \($0) set (this kind carries \(first))" }
        }
        func damage(_ value: UInt64) -> String? {
            StatusRecord.damage(in: value).valid ? nil : "damage number \(value) outside the catalogue"
        }
        switch kind {
        case .engaged:
            guard (1 ... 1024).contains(values[0]), values[1] <= 1 << 20 else { return "impossible guard counts" }
            return unused(from: 2)
        case .clip:
            guard values[0] < 1 << 20, values[1] <= count, values[2] <= count else { return "impossible counts" }
            guard values[3] <= 16384, values[4] <= 16384 else { return "a frame size of \(values[3])×\(values[4])" }
            for index in 0 ..< 5 {
                guard values[10 + index] <= stage, values[5 + index] <= values[10 + index] else {
                    return "stage \(index) times p50 \(values[5 + index]) ns, p99 \(values[10 + index]) ns"
                }
            }
            return damage(values[15])
        case .failure, .done:
            return unused(from: 0)
        case .camera:
            guard values[0] <= UInt64(UInt32.max), SensorRecord.printable(UInt32(truncatingIfNeeded: values[0])),
                (1 ... 16384).contains(values[1]), (1 ... 16384).contains(values[2]),
                values[3] <= 1_000_000
            else { return "an impossible format" }
            return unused(from: 4)
        case .progress:
            guard values[0] <= count, values[1] <= count, values[2] <= count, values[3] <= 10_000 else {
                return "impossible counts or rate"
            }
            for index in 4 ..< 9 where values[index] > stage { return "a stage time of \(values[index]) ns" }
            return damage(values[9]) ?? unused(from: 10)
        case .waiting:
            guard values[0] <= 1000 else { return "camera node number \(values[0])" }
            return unused(from: 1)
        }
    }
}

extension StatusRecord {
    /// A source's first damage as a record value: 0 for none, else its catalogue number. A number, never the
    /// decoder's text: what a damaged frame made libjpeg say does not cross the channel.
    public static func value(of damage: FrameDamage?) -> UInt64 { damage.map { UInt64($0.rawValue) } ?? 0 }

    /// The damage a record value names; `valid` is false for a number outside the catalogue.
    public static func damage(in value: UInt64) -> (valid: Bool, first: FrameDamage?) {
        if value == 0 { return (true, nil) }
        guard value <= UInt64(UInt8.max), let damage = FrameDamage(rawValue: UInt8(value)) else { return (false, nil) }
        return (true, damage)
    }
}

extension StatusRecord {
    /// A `waiting` record for the launcher waiting on `device`.
    public static func waiting(for device: String) -> StatusRecord {
        let number = device.hasPrefix("/dev/video") ? UInt64(device.dropFirst("/dev/video".count)) : nil
        return StatusRecord(.waiting, values: [number.map { $0 < 1000 ? $0 + 1 : 0 } ?? 0])
    }

    /// The node a `waiting` record names ("/dev/video2"); nil for another node, and `valid` false for a number no
    /// launcher sends.
    public static func waitingDevice(in values: [UInt64]) -> (valid: Bool, device: String?) {
        guard values[0] > 0 else { return (true, nil) }
        guard values[0] <= 1000 else { return (false, nil) }
        return (true, "/dev/video\(values[0] - 1)")
    }
}

/// The child's end: writes whole records (each smaller than PIPE_BUF, so a write is atomic).
public struct StatusWriter: Sendable {
    public let descriptor: Int32

    package init(descriptor: Int32) { self.descriptor = descriptor }

    @discardableResult
    public func send(_ record: StatusRecord) -> Bool {
        let bytes = record.encoded()
        return bytes.withUnsafeBytes { raw in
            while true {
                let written = write(descriptor, raw.baseAddress, raw.count)
                if written == raw.count { return true }
                if written < 0, errno == EINTR { continue }
                return false
            }
        }
    }
}

/// The parent's end: reads at most `maximumRecords` whole records; anything after, or malformed, ends the reading.
public struct StatusReader {
    public let descriptor: Int32
    public private(set) var remaining: Int
    /// Set when the child sent something that is not a valid record, or too many records.
    public private(set) var violation: String?

    public init(descriptor: Int32, maximumRecords: Int) {
        self.descriptor = descriptor
        remaining = maximumRecords
    }

    /// The next record, or nil at end of stream or after a violation.
    public mutating func next() -> StatusRecord? {
        guard violation == nil else { return nil }
        var bytes = [UInt8](repeating: 0, count: StatusRecord.encodedSize)
        var filled = 0
        while filled < bytes.count {
            let count = bytes.withUnsafeMutableBytes { read(descriptor, $0.baseAddress! + filled, $0.count - filled) }
            if count < 0, errno == EINTR { continue }
            if count <= 0 {
                if filled > 0 { violation = "the processing child sent a truncated record" }
                return nil
            }
            filled += count
        }
        guard remaining > 0 else {
            violation = "the processing child sent more records than its job allows"
            return nil
        }
        remaining -= 1
        let (record, fault) = StatusRecord.decodeOrFault(bytes)
        guard let record else {
            violation = "the processing child sent a malformed record: \(fault ?? "unknown fault")"
            return nil
        }
        return record
    }
}
