import ArgumentParser
import Foundation
import Omote
import OmoteCore

#if canImport(Glibc)
import Glibc
#endif

/// `omote bench`'s split part (issue 22: the split may cost at most 0.3 ms per frame, drop no extra frame at 30 fps,
/// and draw its first frame within 300 ms): the clips once more at their nominal rate through a forked sensor and
/// this process as its presenter, and again in one process, with the record path's cost per frame.
struct BenchSplit {
    let clipPaths: [String]
    let passes: Int
    let sensor: SensorProcess.Handle
    /// Times the record path on each frame the presenter draws.
    let roundTrip: RecordRoundTrip

    /// Forks the sensor, which replays `clipPaths` `passes` times at their nominal rate, exactly as `omote replay`
    /// starts one. Call while the process is single-threaded and before any guard engages.
    static func start(clipPaths: [String], passes: Int, configuration: PipelineConfiguration) throws -> BenchSplit {
        let played = Self.played(clipPaths, passes: passes)
        let sensor = try SensorProcess.start { ends in
            SensorProcess.replay(
                ends: ends, clipPaths: played, pacing: .nominal(speed: 1), loop: false, configuration: configuration)
        }
        // Made after the fork: the sensor has no use for it. Room for as many frames as the feed's history keeps.
        let roundTrip: RecordRoundTrip
        do { roundTrip = try RecordRoundTrip(capacity: 18_000) } catch {
            SensorCommand.quit.send(to: sensor.commands)
            close(sensor.commands)
            close(sensor.records)
            _ = SensorProcess.wait(sensor.pid)
            throw error
        }
        return BenchSplit(clipPaths: clipPaths, passes: passes, sensor: sensor, roundTrip: roundTrip)
    }

    /// The presenter's guard (`Presenter.engage`), which also keeps the round trip's pipe: its write end is one
    /// more pipe this process may write, and only this process reads it.
    func engageGuard() throws -> PrivacyGuardStatus {
        signal(SIGPIPE, SIG_IGN)
        return try PrivacyGuard.engage(
            cameraDevice: nil, keeping: [sensor.records, roundTrip.readEnd],
            commandChannels: [sensor.commands, roundTrip.writeEnd])
    }

    /// The split run, to the sensor's end.
    func present(avatarPath: String?, engagement: GuardEngagement) -> SplitBenchmark.Run {
        let names = Self.played(clipPaths, passes: passes).map { ($0 as NSString).lastPathComponent }
        return SplitBenchmark.presentSplit(
            sensor: sensor, avatarPath: avatarPath, sourceNames: names, engagement: engagement, roundTrip: roundTrip)
    }

    /// The sensor's playlist: every clip, `passes` times over (a record's source index points into it).
    private static func played(_ clipPaths: [String], passes: Int) -> [String] {
        Array(Array(repeating: clipPaths, count: passes).joined())
    }

    /// The same clips, passes and pacing in this process, with a pipeline of its own (loaded here, for its
    /// start-up).
    func runOneProcess(configuration: PipelineConfiguration, engagement: GuardEngagement) throws -> SplitBenchmark.Run {
        let loadStarted = MonotonicClock.nanoseconds()
        let pipeline = try MeshFacePipeline.load(configuration, progress: { _ in })
        var clips: [ReplaySource] = []
        for _ in 0 ..< passes {
            for path in clipPaths { clips.append(try ReplaySource(clipDirectory: path, pacing: .nominal(speed: 1))) }
        }
        return SplitBenchmark.runOneProcess(
            source: ReplayPlaylist(clips: clips), pipeline: pipeline, engagement: engagement, loadStarted: loadStarted)
    }

}

extension BenchCommand {
    /// The split's lines, below bench's table. Returns whether a run failed.
    func reportSplit(
        split: SplitBenchmark.Run, oneProcess: SplitBenchmark.Run, roundTrip: RecordRoundTrip, clipFrames: Int,
        names: [String], passes: Int
    ) -> Bool {
        let budgetMicroseconds = 300.0
        print("")
        print(
            "split at the clips' nominal rate (\(names.joined(separator: ", ")) × \(passes)): sensor process → records → presenter, against one process"
        )
        print(
            pad("", 14) + pad("clip frames", 13, right: true) + pad("processed", 11, right: true)
                + pad("records", 9, right: true) + pad("drawn", 9, right: true) + pad("dropped", 9, right: true))
        for (label, run) in [("split", split), ("one process", oneProcess)] {
            print(
                pad(label, 14) + pad("\(clipFrames)", 13, right: true) + pad("\(run.framesProcessed)", 11, right: true)
                    + pad(run.records.map(String.init) ?? "-", 9, right: true)
                    + pad("\(run.framesDrawn)", 9, right: true)
                    + pad("\(clipFrames - run.framesDrawn)", 9, right: true))
        }
        print(
            "(records: frame records the presenter received, validated and presented; drawn: into memory, with the rig)"
        )
        let extra = oneProcess.framesDrawn - split.framesDrawn
        print(
            extra > 0
                ? "split drops \(extra) frame(s) more than one process" : "split drops no frame more than one process")
        if let records = split.records, records < split.framesProcessed {
            // Where they went: the sensor's rate cap (a refused record would have ended the run with a failure).
            let rate = Int(SensorFeed.maximumFrameRate)
            print(
                "(\(split.framesProcessed - records) processed frame(s) never sent: the sensor sends at most \(rate) "
                    + "frame records a second on average, with a burst of \(Int(SensorFeed.sensorBurst)), and skips "
                    + "frames beyond that)")
        }

        let send = roundTrip.sendNanoseconds
        let receive = roundTrip.receiveNanoseconds
        let both = zip(send, receive).map { $0 + $1 }
        print(pad("split cost per frame", 34) + pad("p50 µs", 10, right: true) + pad("p99 µs", 10, right: true))
        print(pad("sensor: encode + write", 34) + quantiles(send))
        print(pad("presenter: read + validate + decode", 34) + quantiles(receive))
        let p99 = quantile(both, 0.99) / 1000
        print(
            pad("sum", 34) + quantiles(both)
                + String(
                    format: "  (budget %.0f µs: %@)", budgetMicroseconds,
                    p99 <= budgetMicroseconds ? "within at p99" : "OVER at p99"))
        print(
            "(timed on \(both.count) drawn frames through the real record writer, pipe, reader and decoder, in the presenter under its guard\(roundTrip.failures > 0 ? "; \(roundTrip.failures) round trips failed" : ""))"
        )
        reportLatency(split: split, oneProcess: oneProcess)
        print(
            "start-up: split \(milliseconds(split.firstRecordNanoseconds)) to the first frame record, "
                + "\(milliseconds(split.firstDrawnNanoseconds)) to the first frame drawn (from forking the sensor); "
                + "one process \(milliseconds(oneProcess.firstDrawnNanoseconds)) to the first frame drawn (from loading)"
        )
        var failed = false
        for (label, run) in [("split", split), ("one process", oneProcess)] {
            if let failure = run.failure {
                print("\(label) run stopped: \(failure)")
                failed = true
            }
        }
        return failed
    }

    /// Capture → rig latency of both runs (issue 23): from when each frame was due to the rig updated with it.
    private func reportLatency(split: SplitBenchmark.Run, oneProcess: SplitBenchmark.Run) {
        print(
            pad("capture → rig latency", 34) + pad("p50 ms", 10, right: true) + pad("p99 ms", 10, right: true)
                + pad("frames", 9, right: true))
        for (label, run) in [("split: sensor → record → presenter", split), ("one process", oneProcess)] {
            print(
                pad(label, 34) + pad(String(format: "%.1f", quantile(run.latencies, 0.5) / 1e6), 10, right: true)
                    + pad(String(format: "%.1f", quantile(run.latencies, 0.99) / 1e6), 10, right: true)
                    + pad("\(run.latencies.count)", 9, right: true))
        }
        print(
            "(from when each frame was due at the clips' nominal pace, as a camera would deliver it, to the rig "
                + "updated with its result: the presenter's after the sensor's work, its record and the read; over "
                + "the frames drawn)")
    }

    private func milliseconds(_ nanoseconds: UInt64?) -> String {
        nanoseconds.map { String(format: "%.0f ms", Double($0) / 1e6) } ?? "- ms"
    }

    private func quantile(_ values: [UInt64], _ q: Double) -> Double {
        let sorted = values.sorted()
        return sorted.isEmpty ? 0 : Double(sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * q))])
    }

    private func quantiles(_ values: [UInt64]) -> String {
        pad(String(format: "%.1f", quantile(values, 0.5) / 1000), 10, right: true)
            + pad(String(format: "%.1f", quantile(values, 0.99) / 1000), 10, right: true)
    }
}
