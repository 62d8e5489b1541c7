import Foundation
import OmoteTestSupport
import Testing

/// `omote bench`'s split part through the executable, on one short clip: its lines are there and their numbers hang
/// together. Presence and sanity only, never speed (that is what the bench itself is for).
@Suite("omote bench: the split") struct BenchSplitTests {
    /// The numbers after `label` on the first line that starts with it and goes on with numbers (a "-" is nil).
    static func numbers(after label: String, in output: String) -> [Double?]? {
        let rows = output.split(separator: "\n").filter { $0.hasPrefix(label) }.map {
            $0.dropFirst(label.count).split(separator: " ").prefix { !$0.hasPrefix("(") }
        }
        return rows.first { $0.first.map { $0 == "-" || Double($0) != nil } ?? false }?.map { Double($0) }
    }

    @Test(
        "single_face once: every clip frame processed in both runs, records and drawn frames within them, costs and start-up above zero"
    )
    func splitLines() throws {
        let omote = try #require(TestPaths.omoteBinary)
        let result = try ChildProcess.run(
            omote, ["bench", "--repeat", "1", "--clips", "single_face", "--split-passes", "1"])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        let out = result.stdout
        #expect(out.contains("split at the clips' nominal rate (single_face × 1)"), "\(out)")

        // clip frames, processed, records, drawn, dropped; one process has no records.
        let split = try #require(Self.numbers(after: "split ", in: out)?.compactMap { $0 }, "\(out)")
        let one = try #require(Self.numbers(after: "one process ", in: out), "\(out)")
        try #require(split.count == 5 && one.count == 5 && one[2] == nil, "\(out)")
        let (clip, processed, records, drawn, dropped) = (split[0], split[1], split[2], split[3], split[4])
        #expect(clip == 72 && processed == 72, "replay at nominal rate processes every frame")
        // At nominal rate every frame makes a record unless a late frame puts two within the sensor's 1/60 s (the
        // machine's load can do that: a timing, so not asserted exactly).
        #expect(records >= 1 && records <= processed)
        #expect(drawn <= records && dropped == clip - drawn)
        let oneDrawn = try #require(one[3])
        #expect(one[0] == 72 && one[1] == 72 && oneDrawn <= 72 && one[4] == 72 - oneDrawn)

        for label in ["sensor: encode + write", "presenter: read + validate + decode", "sum"] {
            let costs = try #require(Self.numbers(after: label, in: out), "no '\(label)' line in \(out)")
            #expect(costs.count == 2, "\(label): \(costs)")
            guard costs.count == 2, let p50 = costs[0], let p99 = costs[1] else { continue }
            #expect(p50 > 0 && p50 <= p99, "\(label): p50 \(p50) µs, p99 \(p99) µs")
        }
        #expect(out.contains("(budget 300 µs: "), "\(out)")

        // Capture → rig latency of both runs: p50 ≤ p99, over at most the frames each drew.
        #expect(out.contains("capture → rig latency") && out.contains("(from when each frame was due"), "\(out)")
        let latencies = out.split(separator: "\n").filter {
            $0.hasPrefix("split: sensor → record → presenter") || ($0.hasPrefix("one process") && $0.contains("."))
        }
        try #require(latencies.count == 2, "\(out)")
        for (row, drawnFrames) in zip(latencies, [drawn, oneDrawn]) {
            let values = row.split(separator: " ").suffix(3).compactMap { Double($0) }
            try #require(values.count == 3, "\(row)")
            #expect(values[0] >= 0 && values[0] <= values[1] && values[2] >= 1 && values[2] <= drawnFrames, "\(row)")
        }

        // The held-still jitter, each smoothing on and off: the face on every frame, finite non-negative changes from
        // the first frame and settled.
        #expect(out.contains("held-still jitter: single_face's first frame × 120"), "\(out)")
        var settledWeights: [String: Double] = [:]
        for label in ["all smoothing ", "landmarks only ", "output only ", "no smoothing "] {
            let row = try #require(Self.numbers(after: label, in: out), "no '\(label)' line in \(out)")
            #expect(row.count == 7 && row[6] == nil, "\(label): \(row)")
            for value in row.prefix(6) { #expect(value.map { $0.isFinite && $0 >= 0 } == true, "\(label): \(row)") }
            settledWeights[label] = row[3] ?? nil
            let line = out.split(separator: "\n").first { $0.hasPrefix(label) }
            #expect(line?.hasSuffix(" 120/120") == true, "\(label): every frame of the still keeps the face")
        }
        // Settled, the output filters cut the weights' jitter with or without the landmarks' smoothing.
        #expect(settledWeights["all smoothing "]! < settledWeights["landmarks only "]!, "\(settledWeights)")
        #expect(settledWeights["output only "]! < settledWeights["no smoothing "]!, "\(settledWeights)")
        // The output filters' cost on single_face: the blink's peak and a lag per group.
        let blink = try #require(
            out.firstMatch(of: /eyeBlink peak kept (\d\.\d+) \((\d\.\d+) of (\d\.\d+)\)/), "\(out)")
        #expect(try #require(Double(blink.1)) > 0.9)
        let lag = try #require(out.split(separator: "\n").first { $0.hasPrefix("lag (cross-correlation peak): ") })
        for part in ["eyelids", "gaze", "mouth/jaw", "brows/cheeks", "rotation", "shift"] {
            #expect(lag.contains(part + " ") && !lag.contains(part + " still"), "\(lag)")
        }

        let startup = try #require(
            out.firstMatch(
                of:
                    /start-up: split (\d+) ms to the first frame record, (\d+) ms to the first frame drawn \(from forking the sensor\); one process (\d+) ms to the first frame drawn/
            ), "\(out)")
        let record = try #require(Int(startup.1))
        let firstDrawn = try #require(Int(startup.2))
        let oneProcess = try #require(Int(startup.3))
        #expect(record > 0 && firstDrawn >= record && oneProcess > 0)
        // The table before it is still there, complete.
        #expect(out.contains("omote bench: 72 frames (single_face × 1)") && out.contains("peak RSS:"), "\(out)")
    }

    @Test("--no-split --no-jitter prints the table alone")
    func noSplit() throws {
        let omote = try #require(TestPaths.omoteBinary)
        let result = try ChildProcess.run(
            omote, ["bench", "--repeat", "1", "--clips", "single_face", "--no-split", "--no-jitter"])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("peak RSS:"), "\(result.stdout)")
        #expect(!result.stdout.contains("split"), "\(result.stdout)")
        #expect(!result.stdout.contains("jitter"), "\(result.stdout)")
    }
}
