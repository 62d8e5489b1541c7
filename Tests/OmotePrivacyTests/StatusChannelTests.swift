import Foundation
import OmoteCapture
import OmotePipeline
import Testing

/// The narrow channel from a processing child: fixed-size records, checked by the parent.
@Suite("Status channel records")
struct StatusChannelTests {
    @Test("records round-trip at a fixed size")
    func roundTrip() {
        let clip = StatusRecord(.clip, values: [0, 72, 0, 640, 360, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
        #expect(clip.encoded().count == StatusRecord.encodedSize)
        #expect(StatusRecord.decode(clip.encoded()) == clip)
        let failure = StatusRecord(.failure, text: "camera unplugged")
        #expect(StatusRecord.decode(failure.encoded()) == failure)
        #expect(StatusRecord(.clip, text: "ignored").text.isEmpty, "only failures carry text")
    }

    @Test("a damaged frame's reason crosses as its catalogue number; a number outside the catalogue is refused")
    func damageCodes() {
        #expect(StatusRecord.damage(in: 0) == (true, nil))
        for damage in FrameDamage.allCases {
            let decoded = StatusRecord.damage(in: StatusRecord.value(of: damage))
            #expect(decoded.valid && decoded.first == damage)
        }
        for bogus in [UInt64(FrameDamage.allCases.count + 1), 255, 256, .max] {
            #expect(StatusRecord.damage(in: bogus).valid == false)
        }
    }

    @Test("text is printable ASCII and bounded")
    func textBounds() {
        let long = StatusRecord(.failure, text: String(repeating: "é\u{1B}", count: 500))
        #expect(long.text.utf8.count == StatusRecord.textCapacity)
        #expect(long.text.utf8.allSatisfy { (0x20 ... 0x7E).contains($0) })
    }

    @Test("malformed records are rejected")
    func malformed() {
        var bytes = StatusRecord(.done).encoded()
        bytes[0] ^= 0xFF
        #expect(StatusRecord.decode(bytes) == nil, "wrong magic")
        bytes = StatusRecord(.done).encoded()
        bytes[4] = 99
        #expect(StatusRecord.decode(bytes) == nil, "unknown kind")
        bytes = StatusRecord(.clip).encoded()
        let textOffset = 8 + StatusRecord.valueCount * 8
        bytes[textOffset] = 3
        bytes[textOffset + 4] = UInt8(ascii: "a")
        #expect(StatusRecord.decode(bytes) == nil, "text in a clip record")
        bytes = StatusRecord(.failure, text: "ok").encoded()
        bytes[textOffset + 4] = 0x1B
        #expect(StatusRecord.decode(bytes) == nil, "a control character")
        #expect(StatusRecord.decode(Array(bytes.prefix(10))) == nil, "short")
    }

    @Test("the reader stops at the record budget and at a malformed or truncated record")
    func readerBudget() throws {
        var ends: [Int32] = [-1, -1]
        try #require(pipe(&ends) == 0)
        let writer = StatusWriter(descriptor: ends[1])
        for _ in 0 ..< 3 { #expect(writer.send(StatusRecord(.done))) }
        close(ends[1])
        var reader = StatusReader(descriptor: ends[0], maximumRecords: 2)
        #expect(reader.next() != nil)
        #expect(reader.next() != nil)
        #expect(reader.next() == nil)
        #expect(reader.violation == "the processing child sent more records than its job allows")
        close(ends[0])

        try #require(pipe(&ends) == 0)
        let garbage = [UInt8](repeating: 0x41, count: StatusRecord.encodedSize + 5)
        _ = garbage.withUnsafeBytes { write(ends[1], $0.baseAddress, $0.count) }
        close(ends[1])
        var badReader = StatusReader(descriptor: ends[0], maximumRecords: 10)
        #expect(badReader.next() == nil)
        #expect(
            badReader.violation == "the processing child sent a malformed record: a record with a wrong magic number")
        close(ends[0])
    }

    @Test("numbers outside what a record's kind carries are refused, each fault named")
    func ranges() {
        let cases: [(StatusRecord, String)] = [
            (StatusRecord(.engaged, values: [0, 0]), "a record of kind engaged with impossible guard counts"),
            (StatusRecord(.done, values: [0, 7]), "a record of kind done with value 1 set (this kind carries 0)"),
            (
                StatusRecord(.clip, values: [0, 72, 0, 640, 360, 900, 0, 0, 0, 0, 800, 0, 0, 0, 0, 0]),
                "a record of kind clip with stage 0 times p50 900 ns, p99 800 ns"
            ),
            (
                StatusRecord(.clip, values: [0, 72, 0, 99999, 360]),
                "a record of kind clip with a frame size of 99999×360"
            ),
            (
                StatusRecord(.progress, values: [10, 0, 0, 300, 0, 0, 0, 0, 0, 250]),
                "a record of kind progress with damage number 250 outside the catalogue"
            ),
            (
                StatusRecord(.progress, values: [10, 0, 0, 300, 11_000_000_000]),
                "a record of kind progress with a stage time of 11000000000 ns"
            ),
            (
                StatusRecord(.camera, values: [0x4750_4A4D, 0, 360, 30000]),
                "a record of kind camera with an impossible format"
            ),
            (StatusRecord(.waiting, values: [5000]), "a record of kind waiting with camera node number 5000"),
            (
                StatusRecord(.camera, values: [0x6331_1B1B, 1280, 720, 30000]),
                "a record of kind camera with an impossible format"
            ),
        ]
        for (record, fault) in cases {
            #expect(StatusRecord.fault(in: record.encoded()) == fault)
            #expect(StatusRecord.decode(record.encoded()) == nil)
        }
        let valid = StatusRecord(.clip, values: [0, 72, 0, 640, 360, 900, 0, 0, 0, 0, 1000, 0, 0, 0, 0, 0])
        #expect(StatusRecord.fault(in: valid.encoded()) == nil)
    }
}
