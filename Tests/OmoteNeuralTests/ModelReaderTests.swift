import Foundation
import OmoteCore
import OmoteMesh
import Testing

@testable import OmoteNeural

/// The `.task` zip and TFLite FlatBuffer readers: correct on the real model, and on damaged input always an error
/// naming the file, never a crash.
@Suite struct ModelReaderTests {
    static func modelBytes() throws -> [UInt8] {
        let path = FaceLandmarkerNetworks.defaultPath()
        guard FileManager.default.fileExists(atPath: path) else {
            throw FixtureMismatch(what: "model missing at \(path): run Scripts/setup.sh (or set OMOTE_FACE_LANDMARKER)")
        }
        return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// Parses `bytes` as a .task archive the way the engine does.
    static func members(_ bytes: [UInt8], verify: Bool = true) throws -> [String: Int] {
        try bytes.withUnsafeBytes { raw in
            let directory = try ZipDirectory(CheckedBytes(bytes: raw, file: "test.task"), verifyChecksums: verify)
            return Dictionary(uniqueKeysWithValues: directory.members.map { ($0.name, $0.data.count) })
        }
    }

    @Test("the .task archive lists its four stored members with their sizes")
    func taskMembers() throws {
        let members = try Self.members(try Self.modelBytes())
        #expect(
            members == [
                "face_detector.tflite": 229_746, "face_landmarks_detector.tflite": 2_553_590,
                "geometry_pipeline_metadata_landmarks.binarypb": 19_376, "face_blendshapes.tflite": 955_312,
            ])
    }

    @Test("a hand-made stored zip behind a 5-byte prefix is read, and a compressed member is refused by name")
    func handMadeZip() throws {
        let payload = Array("hello".utf8)
        let crc = payload.withUnsafeBytes { CRC32.checksum($0) }
        func le16(_ value: Int) -> [UInt8] { [UInt8(value & 0xFF), UInt8(value >> 8 & 0xFF)] }
        func le32(_ value: UInt32) -> [UInt8] { (0 ..< 4).map { UInt8(value >> (8 * $0) & 0xFF) } }
        func archive(method: Int) -> [UInt8] {
            let name = Array("a.txt".utf8)
            let local =
                le32(0x0403_4B50) + le16(20) + le16(0) + le16(method) + le16(0) + le16(0) + le32(crc)
                + le32(5) + le32(5) + le16(name.count) + le16(0) + name + payload
            let central =
                le32(0x0201_4B50) + le16(20) + le16(20) + le16(0) + le16(method) + le16(0) + le16(0)
                + le32(crc) + le32(5) + le32(5) + le16(name.count) + le16(0) + le16(0) + le16(0) + le16(0) + le32(0)
                + le32(0) + name
            let end =
                le32(0x0605_4B50) + le16(0) + le16(0) + le16(1) + le16(1) + le32(UInt32(central.count))
                + le32(UInt32(local.count)) + le16(0)
            return Array("PREFX".utf8) + local + central + end
        }
        #expect(try Self.members(archive(method: 0)) == ["a.txt": 5])
        #expect {
            _ = try Self.members(archive(method: 8))
        } throws: { error in
            "\(error)".contains("a.txt is compressed") && "\(error)".contains("test.task")
        }
        var damaged = archive(method: 0)
        damaged[5 + 30 + 5] ^= 1
        #expect { _ = try Self.members(damaged) } throws: { ($0 as? OmoteError)?.code == .neuralModelMalformed }
    }

    @Test("a missing model file is an error naming the path and saying to run Scripts/setup.sh")
    func missingModel() {
        #expect {
            _ = try FaceLandmarkerNetworks(path: "/nonexistent/omote/face_landmarker.task")
        } throws: { error in
            let text = "\(error)"
            return (error as? OmoteError)?.code == .neuralModelMissing
                && text.contains("/nonexistent/omote/face_landmarker.task") && text.contains("Scripts/setup.sh")
        }
    }

    @Test("every truncation of the archive's tail and every flipped byte of its directory is an error, not a crash")
    func damagedArchive() throws {
        let bytes = try Self.modelBytes()
        for cut in stride(from: 1, through: 400, by: 1) {
            #expect { _ = try Self.members(Array(bytes.dropLast(cut))) } throws: {
                ($0 as? OmoteError)?.code == .neuralModelMalformed
            }
        }
        for position in bytes.count - 400 ..< bytes.count {
            var damaged = bytes
            damaged[position] ^= 0xFF
            // A flip inside a name or a comment can leave a readable archive; anything else must throw cleanly.
            _ = try? Self.members(damaged, verify: false)
        }
    }

    @Test("flipped bytes across the detector's FlatBuffer give an error or a consistent model, never a crash")
    func damagedFlatBuffer() throws {
        let bytes = try Self.modelBytes()
        let (start, count) = try bytes.withUnsafeBytes { raw in
            let directory = try ZipDirectory(CheckedBytes(bytes: raw, file: "test.task"))
            let member = try directory.member(named: FaceLandmarkerNetworks.detectorMember, file: "test.task")
            return (member.baseAddress! - raw.baseAddress!, member.count)
        }
        var detector = Array(bytes[start ..< start + count])
        var errors = 0
        // The FlatBuffer's tables, vtables and vectors of offsets sit in its first and last few kilobytes; weights
        // (the middle) are plain data. Sample both ends densely and the middle sparsely.
        let positions =
            Array(0 ..< 1_500) + Array(stride(from: 1_500, to: count - 3_000, by: 997))
            + Array(count - 3_000 ..< count)
        for position in positions {
            detector[position] ^= 0xFF
            defer { detector[position] ^= 0xFF }
            do {
                try detector.withUnsafeBytes { raw in
                    let model = try TFLiteModel(raw, file: "detector")
                    for op in model.operators {
                        for tensor in op.inputs + op.outputs where tensor >= 0 {
                            #expect(tensor < model.tensors.count)
                        }
                    }
                }
            } catch let error as OmoteError {
                #expect(error.subject == "detector")
                errors += 1
            }
        }
        print("damaged detector FlatBuffer: \(errors) of \(positions.count) single-byte flips refused")
        #expect(errors > 0)
    }
}
