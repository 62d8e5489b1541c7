import OmoteCore

/// Damaged copies of good JPEG frames, of the kinds a USB webcam, a hub or a damaged clip produce, made from a seed
/// so that every run (and every failure) can be repeated. Used by the suite (a few hundred frames) and by
/// `Tools/fuzz-decoder.sh` (as many as you like, from any seed).
package struct DamagedFrames {
    /// One damaged frame and how it was made (for failure messages).
    package struct Frame {
        package let bytes: [UInt8]
        package let kind: String

        package init(bytes: [UInt8], kind: String) {
            self.bytes = bytes
            self.kind = kind
        }
    }

    /// A JPEG marker segment of the original: where its FF xx starts and, for segments with a length, the length.
    package struct Segment {
        package let offset: Int
        package let marker: UInt8
        package let length: Int?
    }

    private var random: SplitMix64

    package init(seed: UInt64) { random = SplitMix64(seed: seed) }

    /// The marker segments of `jpeg` up to and including its SOS (the header), in order.
    package static func headerSegments(of jpeg: [UInt8]) -> [Segment] {
        var segments: [Segment] = []
        var offset = 2
        while offset + 4 <= jpeg.count, jpeg[offset] == 0xFF {
            let marker = jpeg[offset + 1]
            let length = Int(jpeg[offset + 2]) << 8 | Int(jpeg[offset + 3])
            segments.append(Segment(offset: offset, marker: marker, length: length))
            if marker == 0xDA { break }
            offset += 2 + length
        }
        return segments
    }

    /// Every kind once, in a fixed order, then random kinds until `count` frames: each made from one of `originals`.
    package mutating func make(_ count: Int, from originals: [[UInt8]]) -> [Frame] {
        var frames: [Frame] = []
        frames.reserveCapacity(count)
        var kind = 0
        while frames.count < count {
            let original = originals[Int(random.next(below: UInt64(originals.count)))]
            let which = kind < Self.kindCount ? kind : Int(random.next(below: UInt64(Self.kindCount)))
            kind += 1
            frames.append(damage(original, kind: which))
        }
        return frames
    }

    static let kindCount = 16

    /// One damaged copy of `jpeg` of kind `kind` (0 ..< kindCount).
    package mutating func damage(_ jpeg: [UInt8], kind: Int) -> Frame {
        let segments = Self.headerSegments(of: jpeg)
        let scan = segments.last { $0.marker == 0xDA }
        let scanData = (scan.map { $0.offset + 2 + ($0.length ?? 0) } ?? 2) ..< max(jpeg.count - 2, 3)
        let frame = segments.first { (0xC0 ... 0xC2).contains($0.marker) }
        var bytes = jpeg
        switch kind {
        case 0:
            // Bit flips in the header (markers, tables, frame and scan headers).
            let end = scanData.lowerBound
            for _ in 0 ..< 1 + Int(random.next(below: 4)) {
                let at = 2 + Int(random.next(below: UInt64(max(end - 2, 1))))
                bytes[at] ^= 1 << UInt8(random.next(below: 8))
            }
            return Frame(bytes: bytes, kind: "header bit flips")
        case 1:
            // Bit flips in the entropy-coded data.
            for _ in 0 ..< 1 + Int(random.next(below: 16)) {
                let at = scanData.lowerBound + Int(random.next(below: UInt64(scanData.count)))
                bytes[at] ^= 1 << UInt8(random.next(below: 8))
            }
            return Frame(bytes: bytes, kind: "scan data bit flips")
        case 2:
            // A zero width or height in the frame header.
            guard let frame else { return Frame(bytes: [], kind: "empty (no frame header)") }
            let field = frame.offset + 5 + (random.next(below: 2) == 0 ? 0 : 2)
            bytes[field] = 0
            bytes[field + 1] = 0
            return Frame(bytes: bytes, kind: "zero dimension")
        case 3:
            // Huge dimensions (a header claiming up to 65535 × 65535).
            guard let frame else { return Frame(bytes: [], kind: "empty (no frame header)") }
            for field in [frame.offset + 5, frame.offset + 7] {
                let value = 4096 + Int(random.next(below: 65535 - 4096))
                bytes[field] = UInt8(value >> 8)
                bytes[field + 1] = UInt8(value & 0xFF)
            }
            return Frame(bytes: bytes, kind: "huge dimensions")
        case 4:
            // Cut exactly at a marker boundary (before a segment, or before the scan: "missing SOS").
            let segment = segments[Int(random.next(below: UInt64(segments.count)))]
            return Frame(bytes: Array(jpeg.prefix(segment.offset)), kind: "cut before marker \(hex(segment.marker))")
        case 5:
            // Cut inside a segment or anywhere in the scan data.
            let at = 4 + Int(random.next(below: UInt64(jpeg.count - 6)))
            return Frame(bytes: Array(jpeg.prefix(at)), kind: "truncated at \(at) of \(jpeg.count)")
        case 6:
            // A bogus length on a header segment (0, 1, 2, or far past the end).
            let segment = segments[Int(random.next(below: UInt64(segments.count)))]
            let lengths = [0, 1, 2, 0xFFFF, Int(random.next(below: 0x10000))]
            let length = lengths[Int(random.next(below: UInt64(lengths.count)))]
            bytes[segment.offset + 2] = UInt8(length >> 8)
            bytes[segment.offset + 3] = UInt8(length & 0xFF)
            return Frame(bytes: bytes, kind: "marker \(hex(segment.marker)) length \(length)")
        case 7:
            // A bogus SOS length (the damage that used to poison the decoder for the rest of the session).
            guard let scan else { return Frame(bytes: [], kind: "empty (no scan)") }
            let length = [0, 1, 2, 3, 0xFFFF][Int(random.next(below: 5))]
            bytes[scan.offset + 2] = UInt8(length >> 8)
            bytes[scan.offset + 3] = UInt8(length & 0xFF)
            return Frame(bytes: bytes, kind: "SOS length \(length)")
        case 8:
            // Random garbage.
            let count = Int(random.next(below: 4096))
            return Frame(bytes: (0 ..< count).map { _ in UInt8(truncatingIfNeeded: random.next()) }, kind: "garbage")
        case 9:
            // Garbage behind a valid SOI (and sometimes a valid header).
            let keep = random.next(below: 2) == 0 ? 2 : scanData.lowerBound
            var garbage = Array(jpeg.prefix(keep))
            garbage += (0 ..< Int(random.next(below: 8192))).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            return Frame(bytes: garbage, kind: "garbage after \(keep) good bytes")
        case 10:
            // Empty, or too short for a header.
            return Frame(bytes: Array(jpeg.prefix(Int(random.next(below: 4)))), kind: "empty or tiny")
        case 11:
            // An EOI in the middle of the scan (the rest of the frame lost on the wire).
            let at = scanData.lowerBound + Int(random.next(below: UInt64(scanData.count)))
            return Frame(bytes: Array(jpeg.prefix(at)) + [0xFF, 0xD9], kind: "EOI at \(at)")
        case 12:
            // A run of the scan data zeroed (a USB packet lost and padded).
            let start = scanData.lowerBound + Int(random.next(below: UInt64(scanData.count)))
            let end = min(scanData.upperBound, start + 1 + Int(random.next(below: 3072)))
            for index in start ..< end { bytes[index] = 0 }
            return Frame(bytes: bytes, kind: "scan zeroed \(start)..<\(end)")
        case 13:
            // A table segment removed or duplicated (DQT/DHT), shifting everything after it.
            let tables = segments.filter { $0.marker == 0xDB || $0.marker == 0xC4 }
            guard let table = tables.isEmpty ? nil : tables[Int(random.next(below: UInt64(tables.count)))],
                let length = table.length
            else { return Frame(bytes: [], kind: "empty (no tables)") }
            let range = table.offset ..< table.offset + 2 + length
            if random.next(below: 2) == 0 {
                bytes.removeSubrange(range)
                return Frame(bytes: bytes, kind: "table \(hex(table.marker)) removed")
            }
            bytes.insert(contentsOf: jpeg[range], at: range.lowerBound)
            return Frame(bytes: bytes, kind: "table \(hex(table.marker)) duplicated")
        case 14:
            // The marker byte of a header segment replaced by another marker.
            let segment = segments[Int(random.next(below: UInt64(segments.count)))]
            let replacement = [0xC3, 0xC5, 0xCF, 0xD8, 0xD9, 0xDC, 0xDD, 0x01, 0xFF][Int(random.next(below: 9))]
            bytes[segment.offset + 1] = UInt8(replacement)
            return Frame(bytes: bytes, kind: "marker \(hex(segment.marker)) became \(hex(UInt8(replacement)))")
        default:
            // Two frames glued together, or the second half of one frame (a resynchronising stream).
            if random.next(below: 2) == 0 {
                return Frame(bytes: Array(jpeg.prefix(jpeg.count / 2)) + jpeg, kind: "half a frame, then a frame")
            }
            return Frame(bytes: Array(jpeg.suffix(from: jpeg.count / 2)), kind: "second half of a frame")
        }
    }

    private func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return "FF" + String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 0xF)])
    }
}
