import ArgumentParser
import Foundation
import Omote
import OmoteCore

extension BenchCommand {
    /// The still the jitter part holds: a frame of a sample clip where the face is plainly tracked.
    static let jitterClip = "single_face"

    /// The held-still jitter lines (issue 23): one still with seeded noise through the tracker with all smoothing, with
    /// MediaPipe's landmark smoothing only (no output filters: before issue 25), with the output filters only and with
    /// none; then what the output filters cost on a real clip (blink peak, lag per group).
    func reportJitter(_ configuration: PipelineConfiguration) throws {
        guard let clip = SampleFrames.resolveClip(Self.jitterClip) else {
            throw ValidationError("no clip '\(Self.jitterClip)' in SampleFrames/ for the held-still jitter")
        }
        let still = try HeldStillJitter.firstFrame(ofClip: clip)
        defer { still.wipe() }
        let pipeline = try MeshFacePipeline.load(configuration, rig: false, progress: { _ in })
        let frames = HeldStillJitter.defaultFrameCount
        let variants = [
            ("all smoothing", true, true), ("landmarks only", true, false), ("output only", false, true),
            ("no smoothing", false, false),
        ]
        let runs = try variants.map { (variant) throws(OmoteError) in
            try HeldStillJitter.measure(
                still: still, pipeline: pipeline, frameCount: frames, smoothing: variant.1, outputSmoothing: variant.2)
        }
        print("")
        print(
            "held-still jitter: \(Self.jitterClip)'s first frame × \(frames), each with seeded "
                + "±\(HeldStillJitter.defaultAmplitude) grey-level noise per pixel (seed \(HeldStillJitter.defaultSeed))"
        )
        let settleSeconds = Double(HeldStillJitter.settlingFrames) / 30
        print(
            pad("", 20) + pad("from the first frame", 33, right: true)
                + pad(String(format: "after %.0f s (settled)", settleSeconds), 33, right: true))
        print(
            pad("RMS frame to frame", 20) + pad("weights", 11, right: true) + pad("rotation °", 11, right: true)
                + pad("shift mm", 11, right: true) + pad("weights", 11, right: true)
                + pad("rotation °", 11, right: true) + pad("shift mm", 11, right: true)
                + pad("tracked", 10, right: true))
        for (variant, run) in zip(variants, runs) {
            let label = variant.0
            print(
                pad(label, 20) + pad(String(format: "%.5f", run.weightRMS), 11, right: true)
                    + pad(String(format: "%.4f", run.rotationRMSDegrees), 11, right: true)
                    + pad(String(format: "%.4f", run.translationRMSMillimetres), 11, right: true)
                    + pad(String(format: "%.5f", run.settledWeightRMS), 11, right: true)
                    + pad(String(format: "%.4f", run.settledRotationRMSDegrees), 11, right: true)
                    + pad(String(format: "%.4f", run.settledTranslationRMSMillimetres), 11, right: true)
                    + pad("\(run.framesTracked)/\(run.frames)", 10, right: true))
        }
        print(
            "(weights: all 52 (0…1) over every pair of consecutive tracked frames; rotation: angle of R_prevᵀ·R_cur; "
                + "shift: length of the translation's change; settled: the pairs after the tracker's start; "
                + "landmarks: MediaPipe's one-euro filter on the landmarks; output: Omote's on the 52 weights and the "
                + "head pose)")
        if pipeline.outputSmoother != nil { try reportSmoothingLag(pipeline, clip: clip) }
    }

    /// The output filters' cost on the jitter clip: the blink's peak kept and each group's lag behind the unfiltered
    /// track.
    private func reportSmoothingLag(_ pipeline: MeshFacePipeline, clip: String) throws {
        let lag = try OutputSmoothingLag.measure(clip: clip, pipeline: pipeline)
        let interval = lag.frameIntervalMilliseconds
        func describe(_ frames: Double?) -> String {
            guard let frames else { return "still" }
            return String(format: "%.2f fr (%.0f ms)", frames, frames * interval)
        }
        print(
            "output smoothing on \(Self.jitterClip) (\(lag.frames) frames, filters on vs off): eyeBlink peak kept "
                + String(
                    format: "%.3f (%.3f of %.3f)", lag.blinkPeakRatio, lag.blinkPeakFiltered, lag.blinkPeakUnfiltered))
        let groups = OutputSmoothingParameters.Group.allCases.map { group in
            "\(group.name) \(describe(lag.groupLagFrames[group.rawValue]))"
        }
        print(
            "lag (cross-correlation peak): " + groups.joined(separator: ", ") + ", rotation "
                + describe(lag.rotationLagFrames) + ", shift " + describe(lag.translationLagFrames))
    }
}
