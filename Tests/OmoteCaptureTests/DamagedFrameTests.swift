import CMallocCounter
import Foundation
import OmoteCapture
import OmoteCore
import OmoteTestSupport
import Testing

/// Damage interleaved with good frames: a damaged frame costs only itself. Seeded; `Tools/fuzz-decoder.sh` runs the
/// same tests with more frames and other seeds (OMOTE_FUZZ_FRAMES, OMOTE_FUZZ_SEED).
@Suite struct DamagedFrameTests {
    static let environment = ProcessInfo.processInfo.environment
    static let damagedCount = environment["OMOTE_FUZZ_FRAMES"].flatMap { Int($0) } ?? 240
    static let seed = environment["OMOTE_FUZZ_SEED"].flatMap { UInt64($0) } ?? 0x0A0E_5EED

    /// The good frames: every single_face JPEG.
    static let originals: [[UInt8]] = (0 ..< 72).map {
        Array(
            FileManager.default.contents(
                atPath: String(format: "%@/single_face/%04d.jpg", TestPaths.sampleFrames, $0))!)
    }

    /// What a frame decodes to on a decoder that never saw anything else (nil: it does not decode).
    static func aloneChecksum(_ jpeg: [UInt8]) throws -> UInt64? {
        let decoder = try JPEGDecoder()
        var frame = try VideoFrame()
        do {
            try jpeg.withUnsafeBytes { try decoder.decode($0, into: &frame, source: "alone") }
        } catch {
            return nil
        }
        return checksum(frame)
    }

    static func checksum(_ frame: borrowing VideoFrame) -> UInt64 {
        frame.withRGBImage { fnv1a64($0) }
    }

    @Test("The two damages that used to cost later frames: a bogus SOS length, and a frame cut before its SOS")
    func knownPoisons() throws {
        let good = Self.originals[0]
        let scan = try #require(DamagedFrames.headerSegments(of: good).last { $0.marker == 0xDA })
        var bogusScanLength = good
        bogusScanLength[scan.offset + 2] = 0
        bogusScanLength[scan.offset + 3] = 1
        let missingScan = Array(good.prefix(scan.offset))
        let decoder = try JPEGDecoder()
        var frame = try VideoFrame()
        for (damaged, expected) in [(bogusScanLength, FrameDamage.bogusMarkerLength), (missingScan, .missingScan)] {
            let error = #expect(throws: OmoteError.self) {
                try damaged.withUnsafeBytes { try decoder.decode($0, into: &frame, source: "damaged.jpg") }
            }
            #expect(error.map(FrameDamage.init) == expected, "\(error?.description ?? "decoded")")
            // Five good frames after it, each exactly as it decodes alone.
            for original in Self.originals.prefix(5) {
                try original.withUnsafeBytes { try decoder.decode($0, into: &frame, source: "good.jpg") }
                #expect(Self.checksum(frame) == (try Self.aloneChecksum(original)))
            }
        }
    }

    @Test(
        "Hundreds of damaged frames of every kind, each followed by a good one: every good frame decodes byte for byte as it would alone"
    )
    func interleavedDamage() throws {
        var generator = DamagedFrames(seed: Self.seed)
        let damaged = generator.make(Self.damagedCount, from: Self.originals)
        let references = try Self.originals.map { try #require(try Self.aloneChecksum($0)) }
        let decoder = try JPEGDecoder()
        var frame = try VideoFrame()
        var refused = 0
        var kinds: Set<String> = []
        for (index, bad) in damaged.enumerated() {
            kinds.insert(String(bad.kind.prefix { $0 != " " }))
            do {
                try bad.bytes.withUnsafeBytes { try decoder.decode($0, into: &frame, source: "damaged \(index)") }
            } catch {
                let code = (error as? OmoteError)?.code
                #expect(code == .captureFrameCorrupt || code == .captureFrameTooLarge, "\(bad.kind): \(error)")
                refused += 1
            }
            let good = index % Self.originals.count
            do {
                try Self.originals[good].withUnsafeBytes {
                    try decoder.decode($0, into: &frame, source: "good \(good)")
                }
                #expect(Self.checksum(frame) == references[good], "good frame after damage \(index): \(bad.kind)")
            } catch {
                Issue.record("good frame \(good) after damage \(index) (\(bad.kind)) failed: \(error)")
            }
        }
        // Most damage is refused; some (bit flips in the scan, a zeroed run) still decodes, as it would alone.
        #expect(refused > damaged.count / 2, "\(refused) of \(damaged.count) refused")
        #expect(kinds.count >= 12, "kinds: \(kinds.sorted())")
    }

    @Test(
        "A replay in which every other frame is damaged: every good frame is delivered, only the damaged are counted, and the first damage is named"
    )
    func replayEveryOtherFrameDamaged() throws {
        var generator = DamagedFrames(seed: Self.seed ^ 0x5EED)
        let damaged = generator.make(max(200, Self.damagedCount), from: Self.originals)
        // The clip opens with the damage that used to poison the decoder.
        let good = Self.originals[0]
        let scan = try #require(DamagedFrames.headerSegments(of: good).last { $0.marker == 0xDA })
        var bogusScanLength = good
        bogusScanLength[scan.offset + 3] = 0xFF
        bogusScanLength[scan.offset + 2] = 0xFF
        var clip: [[UInt8]] = []
        var failAlone = 0
        for (index, bad) in ([DamagedFrames.Frame(bytes: bogusScanLength, kind: "SOS")] + damaged).enumerated() {
            clip.append(bad.bytes)
            if try Self.aloneChecksum(bad.bytes) == nil { failAlone += 1 }
            clip.append(Self.originals[index % Self.originals.count])
        }
        let source = try ReplaySource(name: "interleaved", frames: clip)
        var frame = try VideoFrame()
        var goodDelivered = 0
        var damagedDelivered = 0
        while (try source.next(into: &frame)) != nil {
            guard frame.sequence % 2 == 1 else {
                damagedDelivered += 1
                continue
            }
            goodDelivered += 1
            let index = Int(frame.sequence / 2) % Self.originals.count
            #expect(Self.checksum(frame) == (try Self.aloneChecksum(Self.originals[index])))
        }
        // Every good frame is delivered; every damaged frame not delivered is counted corrupt, and no more.
        #expect(goodDelivered == clip.count / 2)
        #expect(source.stats.corrupt == clip.count / 2 - damagedDelivered)
        #expect(source.stats.delivered == goodDelivered + damagedDelivered)
        // A damaged frame can fail alone yet decode after a good one: JPEG tables persist from frame to frame (a
        // frame that lost its DQT borrows the last one's, as abbreviated JPEG streams do); never the other way round.
        #expect(source.stats.corrupt <= failAlone && source.stats.corrupt > clip.count / 4)
        #expect(source.stats.firstDamage == .bogusMarkerLength)
    }

    @Test(
        "A damaged frame allocates no more than a good one (libjpeg-turbo's per-image pools, nothing of Omote's), and the good frame after it only what a fresh decoder costs"
    )
    func damageAllocatesOnlyAFreshDecoder() throws {
        var frame = try VideoFrame(capacity: 640 * 360, maximumPixelCount: 640 * 360)
        func decode(_ decoder: JPEGDecoder, _ jpeg: [UInt8]) throws -> FrameDamage? {
            try jpeg.withUnsafeBytes { try decoder.decodeFrame($0, into: &frame) }
        }
        // What a fresh decoder and its first frame cost.
        var start = omote_thread_allocation_count()
        _ = try decode(try JPEGDecoder(), Self.originals[0])
        let freshCost = omote_thread_allocation_count() - start
        // A good frame on a warm decoder: libjpeg-turbo mallocs its per-image memory pools, the same count each time.
        let decoder = try JPEGDecoder()
        for original in Self.originals.prefix(3) { _ = try decode(decoder, original) }
        var goodCosts: Set<UInt> = []
        for original in Self.originals {
            start = omote_thread_allocation_count()
            let damage = try decode(decoder, original)
            goodCosts.insert(omote_thread_allocation_count() - start)
            #expect(damage == nil)
        }
        #expect(goodCosts.count == 1, "good frames cost \(goodCosts.sorted()) allocations")
        let goodCost = goodCosts.max() ?? 0
        #expect(goodCost < freshCost)

        var generator = DamagedFrames(seed: Self.seed ^ 0xA110C)
        var refused = 0
        for bad in generator.make(120, from: Self.originals) {
            start = omote_thread_allocation_count()
            let damage = try decode(decoder, bad.bytes)
            let damagedCost = omote_thread_allocation_count() - start
            start = omote_thread_allocation_count()
            let next = try decode(decoder, Self.originals[5])
            let nextCost = omote_thread_allocation_count() - start
            #expect(next == nil)
            #expect(damagedCost <= goodCost, "\(bad.kind): \(damagedCost) allocations")
            #expect(nextCost <= (damage == nil ? goodCost : freshCost), "\(bad.kind): the next frame cost \(nextCost)")
            if damage != nil { refused += 1 }
        }
        #expect(refused > 60)
    }

    @Test("Each kind of damage is named from the fixed catalogue")
    func damageIsClassified() throws {
        let good = Self.originals[3]
        let segments = DamagedFrames.headerSegments(of: good)
        let frameHeader = try #require(segments.first { $0.marker == 0xC0 })
        let scan = try #require(segments.last { $0.marker == 0xDA })
        var zeroWidth = good
        zeroWidth[frameHeader.offset + 7] = 0
        zeroWidth[frameHeader.offset + 8] = 0
        var huge = good
        for field in [frameHeader.offset + 5, frameHeader.offset + 7] {
            huge[field] = 0xFD
            huge[field + 1] = 0xE8
        }
        let cases: [([UInt8], FrameDamage)] = [
            ([], .emptyBuffer),
            ([0xFF, 0xD8], .tooShort),
            (Array(repeating: 0x5A, count: 3000), .notJPEG),
            (Array(good.prefix(scan.offset)), .missingScan),
            (Array(good.prefix(good.count / 2)), .truncated),
            (zeroWidth, .emptyImage),
            (huge, .tooLarge),
        ]
        let decoder = try JPEGDecoder()
        var frame = try VideoFrame(capacity: 640 * 360, maximumPixelCount: 1920 * 1080)
        for (bytes, expected) in cases {
            let error = #expect(throws: OmoteError.self) {
                try bytes.withUnsafeBytes { try decoder.decode($0, into: &frame, source: "case") }
            }
            #expect(error.map(FrameDamage.init) == expected, "\(error?.description ?? "decoded")")
        }
        // Every entry has its own text, and no text is the start of another (sources find the entry by prefix).
        let texts = FrameDamage.allCases.map(\.description)
        #expect(Set(texts).count == texts.count)
        for text in texts { #expect(texts.filter { $0.hasPrefix(text) }.count == 1, "\(text)") }
    }

    @Test("YUYV buffers of the wrong size between good ones: each refused as the wrong size, each good one identical")
    func rawBuffersOfTheWrongSize() throws {
        let (width, height) = (64, 32)
        var random = SplitMix64(seed: Self.seed)
        let good = (0 ..< width * height * 2).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        var reference = try VideoFrame()
        try good.withUnsafeBytes {
            try RawColour.convert(
                $0, layout: .packed422(luma: 0, u: 1, v: 3), width: width, height: height, bytesPerLine: width * 2,
                into: &reference, source: "good")
        }
        let expected = Self.checksum(reference)
        var frame = try VideoFrame()
        for round in 0 ..< 200 {
            let short = Int(random.next(below: UInt64(good.count)))
            let damaged = Array(good.prefix(short))
            let error = #expect(throws: OmoteError.self) {
                try damaged.withUnsafeBytes {
                    try RawColour.convert(
                        $0, layout: .packed422(luma: 0, u: 1, v: 3), width: width, height: height,
                        bytesPerLine: width * 2, into: &frame, source: "short \(round)")
                }
            }
            #expect(error.map(FrameDamage.init) == .wrongRawSize)
            try good.withUnsafeBytes {
                try RawColour.convert(
                    $0, layout: .packed422(luma: 0, u: 1, v: 3), width: width, height: height,
                    bytesPerLine: width * 2, into: &frame, source: "good")
            }
            #expect(Self.checksum(frame) == expected)
        }
    }

    @Test("Through the camera: MJPEG damage and short YUYV buffers interleaved with good frames cost only themselves")
    func cameraInterleavedDamage() throws {
        var generator = DamagedFrames(seed: Self.seed ^ 0xCA3E7A)
        let damaged = generator.make(120, from: FakeV4L2Driver.sampleJPEGs)
        let driver = FakeV4L2Driver(payload: { sequence, _, _ in
            sequence % 2 == 0
                ? damaged[Int(sequence / 2) % damaged.count].bytes
                : FakeV4L2Driver.sampleJPEGs[Int(sequence / 2) % FakeV4L2Driver.sampleJPEGs.count]
        })
        let camera = try V4L2Camera(options: V4L2CameraOptions(), driver: driver)
        var frame = try VideoFrame(capacity: 640 * 360, maximumPixelCount: camera.maximumFramePixels)
        var goodDelivered = 0
        for _ in 0 ..< 2 * damaged.count {
            _ = try #require(try camera.next(into: &frame))
            if frame.sequence % 2 == 1 {
                goodDelivered += 1
                let jpeg = FakeV4L2Driver.sampleJPEGs[Int(frame.sequence / 2) % FakeV4L2Driver.sampleJPEGs.count]
                #expect(Self.checksum(frame) == (try Self.aloneChecksum(jpeg)))
            }
            if frame.sequence + 1 >= UInt64(2 * damaged.count) { break }
        }
        #expect(goodDelivered == damaged.count)
        #expect(camera.stats.corrupt > damaged.count / 2)
        #expect(camera.stats.firstDamage != nil)

        // YUYV: every third buffer short by a random amount.
        var webcam = FakeV4L2Driver.Camera()
        let size = FrameSize(width: 64, height: 32)
        webcam.formats = [.init(pixelFormat: .yuyv, description: "YUYV", sizes: [(size, [30])])]
        var random = SplitMix64(seed: Self.seed)
        let shortBy = (0 ..< 300).map { _ in 1 + Int(random.next(below: UInt64(size.area * 2 - 1))) }
        let yuyvDriver = FakeV4L2Driver(
            nodes: [("/dev/video0", webcam)],
            payload: { sequence, _, _ in
                let full = (0 ..< size.area * 2).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ Int(sequence)) }
                return sequence % 3 == 0 ? Array(full.dropLast(shortBy[Int(sequence) % shortBy.count])) : full
            })
        let yuyvCamera = try V4L2Camera(options: V4L2CameraOptions(), driver: yuyvDriver)
        var yuyvFrame = try VideoFrame()
        var delivered = 0
        while delivered < 200 {
            _ = try #require(try yuyvCamera.next(into: &yuyvFrame))
            #expect(yuyvFrame.sequence % 3 != 0)
            delivered += 1
        }
        #expect(yuyvCamera.stats.corrupt >= 99 && yuyvCamera.stats.firstDamage == .wrongRawSize)
    }
}
