import Foundation
import OmoteTestSupport
import Testing

/// `omote replay` of a clip in which every other frame is damaged, as a user runs it (stdout not a terminal: the
/// sensor process decodes, the presenter prints the clip line from its summary record).
@Suite struct DamagedReplayTests {
    /// single_face's first `count` frames, each preceded by a damaged copy of one of five kinds that never decode:
    /// a bogus SOS length (the damage that used to poison the decoder), a cut before the SOS, half a frame, garbage,
    /// an empty file. Written to a fresh temporary folder (public sample frames only), removed by the caller.
    static func interleavedClip(count: Int) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("omote-damaged-\(getpid())").path
        try? FileManager.default.removeItem(atPath: folder)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var manifest = "index\ttimestamp_us\tfile\n"
        for index in 0 ..< count {
            let good = try #require(
                FileManager.default.contents(
                    atPath: String(
                        format: "%@/SampleFrames/single_face/%04d.jpg", TestPaths.repositoryRoot, index)))
            var bytes = [UInt8](good)
            var scan = 2
            while bytes[scan + 1] != 0xDA { scan += 2 + (Int(bytes[scan + 2]) << 8 | Int(bytes[scan + 3])) }
            let damaged: [UInt8]
            switch index % 5 {
            case 0:
                bytes[scan + 2] = 0
                bytes[scan + 3] = 1
                damaged = bytes
            case 1: damaged = Array(bytes.prefix(scan))
            case 2: damaged = Array(bytes.prefix(bytes.count / 2))
            case 3: damaged = (0 ..< 3000).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ index) }
            default: damaged = []
            }
            for (offset, data) in [Data(damaged), good].enumerated() {
                let name = String(format: "%04d.jpg", 2 * index + offset)
                try data.write(to: URL(fileURLWithPath: folder + "/" + name))
                manifest += "\(2 * index + offset)\t\((2 * index + offset) * 33_333)\t\(name)\n"
            }
        }
        try manifest.write(toFile: folder + "/manifest.tsv", atomically: true, encoding: .utf8)
        return folder
    }

    @Test(
        "Every other frame damaged: every good frame is tracked, only the damaged are counted, the first damage is named; exit 0"
    )
    func everyOtherFrameDamaged() throws {
        let omote = try #require(TestPaths.omoteBinary)
        let clip = try Self.interleavedClip(count: 30)
        defer { try? FileManager.default.removeItem(atPath: clip) }
        let result = try ChildProcess.run(omote, ["replay", clip, "--fast"])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        let line = result.stdoutLines.first { $0.hasPrefix((clip as NSString).lastPathComponent + ": ") }
        #expect(
            line?.contains(": 30 frames 640×360, 30 corrupt (first: bogus marker length); ") == true,
            "\(result.stdout)\n\(result.stderr)")
        #expect(!result.stderr.contains("stopped"), "\(result.stderr)")
    }
}
