import ArgumentParser
import Foundation
import Omote

struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay SampleFrames clips through the real pipeline (decode → …) and report timings.",
        discussion: "CLIP is a clip name in SampleFrames/ (single_face, face_noface, no_face) or a folder with manifest.tsv. Without CLIP, every sample clip plays."
    )

    @Argument(help: "Clip name or folder; default: all sample clips.")
    var clip: String?

    @Flag(help: "Play as fast as possible instead of at the clip's nominal frame rate.")
    var fast = false

    @Option(help: "Playback speed factor at nominal rate (2 = twice as fast).")
    var speed: Double = 1

    @Flag(help: "Start over at the end of the clip until interrupted.")
    var loop = false

    func validate() throws {
        guard speed > 0, speed.isFinite else { throw ValidationError("--speed must be a positive number") }
    }

    func run() throws {
        // Lock the process down before the first frame exists; without the full guard, refuse (no flag disables it).
        print(try PrivacyGuard.engage(cameraDevice: nil).summary)
        let clips: [String]
        if let clip {
            guard let path = SampleFrames.resolveClip(clip) else {
                throw ValidationError("no clip '\(clip)': give a SampleFrames clip name (\(SampleFrames.clipNames.joined(separator: ", "))) or a folder containing manifest.tsv")
            }
            clips = [path]
        } else {
            guard let root = SampleFrames.locate() else {
                throw ValidationError("SampleFrames/ not found: run from the repository root or set OMOTE_SAMPLE_FRAMES")
            }
            clips = SampleFrames.clipNames.map { root + "/" + $0 }
        }
        var frame = try LumaFrame()
        for path in clips {
            let source = try ReplaySource(clipDirectory: path, pacing: fast ? .asFastAsPossible : .nominal(speed: speed), loop: loop)
            var decodeTimes: [UInt64] = []
            decodeTimes.reserveCapacity(source.frameCount)
            while let delivery = try source.next(into: &frame) {
                decodeTimes.append(delivery.decodeNanoseconds)
            }
            let summary = TimingSummary(nanoseconds: decodeTimes)
            print("\((path as NSString).lastPathComponent): \(source.stats.delivered) frames \(frame.width)×\(frame.height), \(source.stats.corrupt) corrupt; decode \(summary)")
        }
    }
}

/// p50/p99/mean of a set of stage times, printed in microseconds (timings only: never frame contents).
struct TimingSummary: CustomStringConvertible {
    let p50: Double, p99: Double, mean: Double
    init(nanoseconds: [UInt64]) {
        let sorted = nanoseconds.sorted()
        func quantile(_ q: Double) -> Double {
            guard !sorted.isEmpty else { return 0 }
            return Double(sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * q).rounded()))]) / 1000
        }
        p50 = quantile(0.5)
        p99 = quantile(0.99)
        mean = sorted.isEmpty ? 0 : Double(sorted.reduce(0, +)) / Double(sorted.count) / 1000
    }
    var description: String { String(format: "p50 %.0f µs, p99 %.0f µs, mean %.0f µs", p50, p99, mean) }
}
