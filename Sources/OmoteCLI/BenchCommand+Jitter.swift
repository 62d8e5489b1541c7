import ArgumentParser
import Foundation
import Omote
import OmoteCore

extension BenchCommand {
    /// The still the jitter part holds: a frame of a sample clip where the face is plainly tracked.
    static let jitterClip = "single_face"

    /// The held-still jitter lines (issue 23): one still with seeded noise through the tracker, smoothing on and off.
    func reportJitter(_ configuration: PipelineConfiguration) throws {
        guard let clip = SampleFrames.resolveClip(Self.jitterClip) else {
            throw ValidationError("no clip '\(Self.jitterClip)' in SampleFrames/ for the held-still jitter")
        }
        let still = try HeldStillJitter.firstFrame(ofClip: clip)
        defer { still.wipe() }
        let pipeline = try MeshFacePipeline.load(configuration, rig: false, progress: { _ in })
        let frames = HeldStillJitter.defaultFrameCount
        let runs = try [true, false].map { (smoothing) throws(OmoteError) in
            try HeldStillJitter.measure(still: still, pipeline: pipeline, frameCount: frames, smoothing: smoothing)
        }
        print("")
        print(
            "held-still jitter: \(Self.jitterClip)'s first frame × \(frames), each with seeded "
                + "±\(HeldStillJitter.defaultAmplitude) grey-level noise per pixel (seed \(HeldStillJitter.defaultSeed))"
        )
        print(
            pad("RMS frame to frame", 20) + pad("weights", 12, right: true) + pad("rotation °", 12, right: true)
                + pad("shift mm", 12, right: true) + pad("tracked", 10, right: true))
        for (label, run) in zip(["smoothing on", "smoothing off"], runs) {
            print(
                pad(label, 20) + pad(String(format: "%.5f", run.weightRMS), 12, right: true)
                    + pad(String(format: "%.4f", run.rotationRMSDegrees), 12, right: true)
                    + pad(String(format: "%.4f", run.translationRMSMillimetres), 12, right: true)
                    + pad("\(run.framesTracked)/\(run.frames)", 10, right: true))
        }
        print(
            "(weights: all 52 (0…1) over every pair of consecutive tracked frames; rotation: angle of R_prevᵀ·R_cur; "
                + "shift: length of the translation's change; smoothing: MediaPipe's one-euro filter on the landmarks)")
    }
}
