import Foundation
import OmoteCapture
import OmoteCore
import OmoteTestSupport
import Testing

/// FNV-1a 64 over packed RGB bytes, row by row.
func fnv1a64(_ image: RGBImage) -> UInt64 {
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    for y in 0 ..< image.height {
        let row = image.pixels + y * image.rowStride
        for x in 0 ..< image.width * 3 {
            hash = (hash ^ UInt64(row[x])) &* 0x0000_0100_0000_01B3
        }
    }
    return hash
}

@Suite struct JPEGDecoderTests {
    struct Reference { let clip: String, file: String, width: Int, height: Int, checksum: UInt64 }

    static func reference(_ file: String) throws -> [Reference] {
        try FixtureFile.tabSeparated(TestPaths.fixtures(of: "OmoteCaptureTests") + "/" + file).dropFirst().map { line in
            let f = line.map(String.init)
            return Reference(
                clip: f[0], file: f[1], width: Int(f[2])!, height: Int(f[3])!, checksum: UInt64(f[4], radix: 16)!)
        }
    }

    @Test(
        "Every SampleFrames JPEG decodes to exactly the RGB bytes MediaPipe is fed (OpenCV's imread, BGR → RGB)"
    )
    func rgbMatchesWhatMediaPipeIsFed() throws {
        let references = try Self.reference("rgb-imread-fnv1a64.tsv")
        #expect(references.count == 336)
        let decoder = try JPEGDecoder()
        var frame = try VideoFrame()
        var mismatches: [String] = []
        for reference in references {
            let path = "\(TestPaths.sampleFrames)/\(reference.clip)/\(reference.file)"
            let data = try #require(FileManager.default.contents(atPath: path))
            try data.withUnsafeBytes { try decoder.decode($0, into: &frame, source: path) }
            #expect(frame.width == reference.width && frame.height == reference.height)
            if frame.withRGBImage(fnv1a64) != reference.checksum { mismatches.append(path) }
        }
        #expect(
            mismatches.isEmpty,
            "RGB differs from OpenCV's imread for \(mismatches.count) frames: \(mismatches.prefix(5))")
    }

    @Test("A truncated JPEG is a clear error, not a crash or a half-grey frame")
    func truncatedJPEG() throws {
        let path = TestPaths.sampleFrames + "/single_face/0000.jpg"
        let data = try #require(FileManager.default.contents(atPath: path))
        let decoder = try JPEGDecoder()
        var frame = try VideoFrame()
        for keep in [data.count / 2, data.count - 200, 700] {
            let truncated = data.prefix(keep)
            let error = #expect(throws: OmoteError.self) {
                try truncated.withUnsafeBytes { try decoder.decode($0, into: &frame, source: "truncated.jpg") }
            }
            #expect(error?.code == .captureFrameCorrupt)
            #expect(error?.description.hasPrefix("cannot decode a frame (truncated.jpg): ") == true)
        }
    }

    @Test("A file that is not a JPEG is rejected with a message naming it")
    func notAJPEG() throws {
        let decoder = try JPEGDecoder()
        var frame = try VideoFrame()
        let manifest = Array("index\ttimestamp_us\tfile\n".utf8)
        let error = #expect(throws: OmoteError.self) {
            try manifest.withUnsafeBytes { try decoder.decode($0, into: &frame, source: "manifest.tsv") }
        }
        #expect(error?.code == .captureFrameCorrupt)
        #expect(
            error?.description.hasPrefix("cannot decode a frame (manifest.tsv): not a JPEG (no SOI marker).") == true)
        let empty = #expect(throws: OmoteError.self) {
            try [UInt8]().withUnsafeBytes { try decoder.decode($0, into: &frame, source: "empty") }
        }
        #expect(empty?.code == .captureFrameCorrupt && empty?.subject == "empty")
    }

    @Test("DCT-scaled decode gives the reduced size")
    func scaledDecode() throws {
        let data = try #require(FileManager.default.contents(atPath: TestPaths.sampleFrames + "/single_face/0000.jpg"))
        let decoder = try JPEGDecoder()
        var frame = try VideoFrame()
        try data.withUnsafeBytes { try decoder.decode($0, into: &frame, scaleDenominator: 2, source: "0000.jpg") }
        #expect(frame.width == 320 && frame.height == 180)
    }
}

@Suite struct ReplaySourceTests {
    @Test("Replay yields every frame of a clip in order with increasing timestamps, then ends")
    func replayInOrder() throws {
        for clip in ["single_face", "face_noface", "no_face"] {
            let source = try ReplaySource(clipDirectory: "\(TestPaths.sampleFrames)/\(clip)")
            var frame = try VideoFrame()
            var sequences: [UInt64] = []
            var lastTimestamp: UInt64?
            while let delivery = try source.next(into: &frame) {
                #expect(delivery.droppedSincePrevious == 0)
                if let lastTimestamp { #expect(frame.timestampNanoseconds > lastTimestamp) }
                lastTimestamp = frame.timestampNanoseconds
                sequences.append(frame.sequence)
            }
            #expect(sequences == (0 ..< UInt64(source.frameCount)).map { $0 })
            #expect(source.stats.delivered == source.frameCount && source.stats.corrupt == 0)
        }
    }

    @Test("Looping replay continues past the end with timestamps still increasing")
    func looping() throws {
        let source = try ReplaySource(clipDirectory: TestPaths.sampleFrames + "/single_face", loop: true)
        var frame = try VideoFrame()
        var last: UInt64 = 0
        for index in 0 ..< source.frameCount + 5 {
            _ = try #require(try source.next(into: &frame))
            if index > 0 { #expect(frame.timestampNanoseconds > last) }
            last = frame.timestampNanoseconds
        }
        #expect(frame.sequence == UInt64(source.frameCount + 4))
    }

    @Test("A rewound clip counts the new pass alone in passStats, and every pass in stats (omote replay --loop)")
    func passCounts() throws {
        let source = try ReplaySource(clipDirectory: TestPaths.sampleFrames + "/single_face")
        var frame = try VideoFrame()
        for pass in 1 ... 2 {
            source.rewind()
            while try source.next(into: &frame) != nil {}
            #expect(source.passStats.delivered == source.frameCount && source.passStats.dropped == 0)
            #expect(source.stats.delivered == pass * source.frameCount)
        }
    }

    @Test(
        "At nominal pace a playlist's next clip starts a frame interval after the last clip's last frame (lower bound)")
    func playlistKeepsPace() throws {
        let good = try FixtureFile.bytes(TestPaths.sampleFrames + "/single_face/0000.jpg")
        // 40 ms frames at 4× speed: every frame, the first of the second clip included, is due 10 ms after the last.
        let clips = try (0 ..< 2).map { _ in
            try ReplaySource(
                name: "paced", frames: [good, good], frameIntervalMicroseconds: 40_000, pacing: .nominal(speed: 4))
        }
        let playlist = ReplayPlaylist(clips: clips)
        var frame = try VideoFrame()
        let started = MonotonicClock.nanoseconds()
        var frames = 0
        while try playlist.next(into: &frame) != nil { frames += 1 }
        #expect(frames == 4)
        // The last frame is due 30 ms after the first; sleeping never ends early, so this holds however busy the
        // machine is. (When the second clip started right after the first clip's last frame, it took about 20 ms.)
        #expect(MonotonicClock.nanoseconds() - started >= 30_000_000)
    }

    @Test("A playlist reports each clip's pass when it ends, with that pass's counts, lap after lap")
    func playlistPasses() throws {
        let good = try FixtureFile.bytes(TestPaths.sampleFrames + "/single_face/0000.jpg")
        let first = try ReplaySource(name: "first", frames: [good, [0xFF, 0xD8], good])
        let second = try ReplaySource(name: "second", frames: [good])
        let playlist = ReplayPlaylist(clips: [first, second], loop: true)
        var passes: [(Int, FrameSourceStats)] = []
        playlist.passEnded = { passes.append(($0, $1)) }
        var frame = try VideoFrame()
        for _ in 0 ..< 7 { _ = try #require(try playlist.next(into: &frame)) }
        #expect(passes.map(\.0) == [0, 1, 0, 1])
        #expect(passes.allSatisfy { $0.0 == 1 || ($0.1.delivered == 2 && $0.1.corrupt == 1) })
        #expect(passes.allSatisfy { $0.0 == 0 || ($0.1.delivered == 1 && $0.1.corrupt == 0) })
        #expect(first.stats.delivered == 5 && first.stats.corrupt == 2)
    }

    @Test("A folder without a manifest is refused with a hint")
    func missingManifest() {
        let error = #expect(throws: OmoteError.self) {
            try ReplaySource(clipDirectory: TestPaths.repositoryRoot + "/Sources")
        }
        #expect(error?.code == .replayClipUnreadable)
        #expect(error?.subject == TestPaths.repositoryRoot + "/Sources")
        #expect(error?.description.contains("no readable manifest.tsv") == true)
        #expect(error?.description.contains("SampleFrames/make-samples.sh") == true)
    }
}
