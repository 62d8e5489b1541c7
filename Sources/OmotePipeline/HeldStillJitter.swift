import OmoteCapture
import OmoteCore
import OmoteMesh
import OmoteRig

#if canImport(Glibc)
import Glibc
#endif

/// Issue 23's jitter on a held still: one decoded still fed through the real tracker again and again, each time with
/// fresh seeded grey-level noise (`Noise`), as a camera's sensor noise would vary a face held still. Whatever moves
/// the weights or the pose from one frame to the next is then jitter, not motion. Only aggregate numbers come out; the
/// frames stay in private memory and are wiped.
public enum HeldStillJitter {
    /// What `omote bench` runs: 120 frames (4 s at 30 fps), ±2 grey levels, a fixed seed.
    public static let defaultFrameCount = 120
    public static let defaultAmplitude = 2
    public static let defaultSeed: UInt64 = 23
    /// The frames after which the tracker's start has settled (1 s): the landmark smoother starting from the
    /// detector's box and the refinement's levels move the first frames far more than noise does.
    public static let settlingFrames = 30
    /// The stream time between frames (30 fps): the smoother's filters read it.
    static let frameIntervalNanoseconds: UInt64 = 33_333_333

    /// The RMS frame-to-frame change over one run, over every pair of consecutive frames that both had the face.
    public struct Measurement: Sendable, Equatable {
        public var frames = 0
        public var framesTracked = 0
        /// Consecutive pairs of tracked frames: what the RMS values run over (0: no value).
        public var pairs = 0
        /// Of all 52 weights (0…1) together.
        public var weightRMS = 0.0
        /// Of the angle of R_prevᵀ·R_cur, in degrees.
        public var rotationRMSDegrees = 0.0
        /// Of the length of the translation's change, in millimetres.
        public var translationRMSMillimetres = 0.0
        /// The same over the pairs after `settlingFrames` only (0 pairs: no value): the noise alone.
        public var settledPairs = 0
        public var settledWeightRMS = 0.0
        public var settledRotationRMSDegrees = 0.0
        public var settledTranslationRMSMillimetres = 0.0
        public init() {}
    }

    /// The first frame of the clip at `clipDirectory`, decoded (through replay's own decoder) into private frame
    /// memory: the still to hold. Throws when the clip cannot be read or its first frame is damaged.
    public static func firstFrame(ofClip clipDirectory: String) throws(OmoteError) -> VideoFrame {
        let source = try ReplaySource(clipDirectory: clipDirectory)
        var frame = try VideoFrame()
        guard try source.next(into: &frame) != nil, source.stats.dropped == 0 else {
            throw .replay(clipDirectory, "its first frame (\(source.fileName(at: 0))) does not decode")
        }
        return frame
    }

    /// Feeds `frameCount` noisy copies of `still` through `pipeline` from a fresh start (the detector on the first),
    /// with its tracker's landmark smoothing on or off and its output filters (`OutputSmoother`) on or off (both
    /// restored afterwards), no rig. Throws when private memory for the noisy frame is refused.
    public static func measure(
        still: borrowing VideoFrame, pipeline: MeshFacePipeline, frameCount: Int = defaultFrameCount,
        smoothing: Bool, outputSmoothing: Bool = true, seed: UInt64 = defaultSeed, amplitude: Int = defaultAmplitude
    ) throws(OmoteError) -> Measurement {
        let pixels = still.width * still.height
        var noisy = try VideoFrame(capacity: pixels, maximumPixelCount: max(pixels, 1))
        var noise = Noise(seed: seed, amplitude: amplitude)
        let tracker = pipeline.tracker
        let smoothed = tracker.smoothsLandmarks
        tracker.smoothsLandmarks = smoothing
        let smoothedOutput = pipeline.smoothsOutput
        pipeline.smoothsOutput = outputSmoothing
        pipeline.reset()
        // The results are expression data: private memory, wiped with the frame when done.
        let results = try RigidPrivateBuffer(repeating: FaceFrameResult(), count: 2)
        defer {
            tracker.smoothsLandmarks = smoothed
            pipeline.smoothsOutput = smoothedOutput
            pipeline.reset()
            noisy.wipe()
            results.wipe()
        }
        var sums = SIMD3<Double>.zero
        var settledSums = SIMD3<Double>.zero
        var measurement = Measurement()
        var rig: RigState?
        for index in 0 ..< frameCount {
            try noise.add(to: still, into: &noisy)
            let current = index % 2
            var result = results[1 - current]
            noisy.withRGBImage { image in
                pipeline.process(
                    image, timestampNanoseconds: UInt64(index) * frameIntervalNanoseconds, into: &result, rig: &rig)
            }
            results[current] = result
            let tracked = if case .tracking = result.tracking { true } else { false }
            let previouslyTracked = if case .tracking = results[1 - current].tracking { true } else { false }
            measurement.frames += 1
            guard tracked else { continue }
            measurement.framesTracked += 1
            guard index > 0, previouslyTracked else { continue }
            measurement.pairs += 1
            let changes = squaredChanges(from: results[1 - current], to: result)
            sums += changes
            if index > settlingFrames {
                measurement.settledPairs += 1
                settledSums += changes
            }
        }
        func rootMeans(_ sums: SIMD3<Double>, pairs: Int) -> SIMD3<Double> {
            guard pairs > 0 else { return .zero }
            let scale = SIMD3(1 / Double(ARKitBlendshape.allCases.count), 1, 1) / Double(pairs)
            return (sums * scale).squareRoot()
        }
        let all = rootMeans(sums, pairs: measurement.pairs)
        (measurement.weightRMS, measurement.rotationRMSDegrees, measurement.translationRMSMillimetres) =
            (all.x, all.y, all.z)
        let settled = rootMeans(settledSums, pairs: measurement.settledPairs)
        (
            measurement.settledWeightRMS, measurement.settledRotationRMSDegrees,
            measurement.settledTranslationRMSMillimetres
        ) = (settled.x, settled.y, settled.z)
        return measurement
    }

    /// The squared changes between two frames' results: summed over the 52 weights, of the rotation angle in degrees,
    /// and of the translation in millimetres.
    static func squaredChanges(from previous: FaceFrameResult, to current: FaceFrameResult) -> SIMD3<Double> {
        var weights = 0.0
        for shape in 0 ..< ARKitBlendshape.allCases.count {
            let change = Double(current.weights.values[shape]) - Double(previous.weights.values[shape])
            weights += change * change
        }
        let angle = rotationDegrees(from: previous.headPose.rotation, to: current.headPose.rotation)
        let shift = SIMD3<Double>(current.headPose.translation) - SIMD3<Double>(previous.headPose.translation)
        return SIMD3(weights, angle * angle, (shift * shift).sum())
    }

    /// The angle of Aᵀ·B in degrees: atan2 of its sine (half the skew part's length) and cosine ((trace − 1) / 2),
    /// accurate for the tiny angles jitter makes, where acos of the trace is not.
    package static func rotationDegrees(from a: Rotation3, to b: Rotation3) -> Double {
        let (a0, a1, a2) = (SIMD3<Double>(a.c0), SIMD3<Double>(a.c1), SIMD3<Double>(a.c2))
        let (b0, b1, b2) = (SIMD3<Double>(b.c0), SIMD3<Double>(b.c1), SIMD3<Double>(b.c2))
        // (Aᵀ·B)ᵢⱼ = aᵢ · bⱼ (columns).
        let trace = (a0 * b0).sum() + (a1 * b1).sum() + (a2 * b2).sum()
        let skew = SIMD3(
            (a2 * b1).sum() - (a1 * b2).sum(), (a0 * b2).sum() - (a2 * b0).sum(), (a1 * b0).sum() - (a0 * b1).sum())
        let sine = (skew * skew).sum().squareRoot() / 2
        return atan2(sine, (trace - 1) / 2) * 180 / .pi
    }
}
