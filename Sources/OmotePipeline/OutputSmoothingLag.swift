import OmoteCapture
import OmoteCore
import OmoteMesh
import OmoteRig

/// What the output filters (`OutputSmoother`) cost in responsiveness on a real clip: the clip through the pipeline with
/// the filters on and off, then how much of the blink's peak survives and how far each group's filtered track lags the
/// unfiltered one (the shift that maximises their cross-correlation, refined between frames by a parabola). Only
/// aggregate numbers come out; the per-frame results stay in private memory and are wiped.
public enum OutputSmoothingLag {
    /// The largest shift looked at, in frames either way.
    static let maximumShift = 6

    public struct Measurement: Sendable, Equatable {
        public var frames = 0
        public var frameIntervalMilliseconds = 0.0
        /// The highest eyeBlink (either eye) over the clip, unfiltered and filtered.
        public var blinkPeakUnfiltered = 0.0
        public var blinkPeakFiltered = 0.0
        /// Per weight group (`OutputSmoothingParameters.Group` order), in frames (positive: the filtered track is
        /// later); nil for a group that does not move on the clip.
        public var groupLagFrames: [Double?] = []
        /// Over yaw, pitch and roll; over x, y and z.
        public var rotationLagFrames: Double?
        public var translationLagFrames: Double?
        public init() {}

        /// The filtered peak over the unfiltered one (1: the blink is kept whole).
        public var blinkPeakRatio: Double { blinkPeakUnfiltered > 0 ? blinkPeakFiltered / blinkPeakUnfiltered : 0 }
    }

    /// Replays the clip at `clipDirectory` (decoded as fast as possible) through `pipeline` twice from a fresh start,
    /// output filters on then off (restored afterwards), no rig. Throws when the clip cannot be read or private memory
    /// is refused.
    public static func measure(clip clipDirectory: String, pipeline: MeshFacePipeline) throws(OmoteError)
        -> Measurement
    {
        let source = try ReplaySource(clipDirectory: clipDirectory)
        let count = source.frameCount
        var frame = try VideoFrame()
        // The results are expression data: private memory, wiped when done.
        let filtered = try RigidPrivateBuffer(repeating: FaceFrameResult(), count: count)
        let unfiltered = try RigidPrivateBuffer(repeating: FaceFrameResult(), count: count)
        let smoothed = pipeline.smoothsOutput
        defer {
            pipeline.smoothsOutput = smoothed
            pipeline.reset()
            frame.wipe()
            filtered.wipe()
            unfiltered.wipe()
        }
        var played = 0
        for (smoothing, results) in [(true, filtered.view), (false, unfiltered.view)] {
            pipeline.smoothsOutput = smoothing
            pipeline.reset()
            source.rewind()
            var result = FaceFrameResult()
            var rig: RigState?
            var index = 0
            while index < count, let delivery = try source.next(into: &frame) {
                pipeline.process(frame, delivery: delivery, into: &result, rig: &rig)
                results[index] = result
                index += 1
            }
            played = index
        }
        var measurement = compare(filtered: filtered.view, unfiltered: unfiltered.view, count: played)
        if count > 1 {
            let span = source.timestampsMicroseconds[count - 1] - source.timestampsMicroseconds[0]
            measurement.frameIntervalMilliseconds = Double(span) / 1000 / Double(count - 1)
        }
        return measurement
    }

    /// The blink peaks and lags between two runs of the same frames (tests and tuning call it on recorded runs).
    package static func compare(
        filtered: MemoryView<FaceFrameResult>, unfiltered: MemoryView<FaceFrameResult>, count: Int
    ) -> Measurement {
        var measurement = Measurement()
        measurement.frames = count
        for index in 0 ..< count {
            for shape in [ARKitBlendshape.eyeBlinkLeft, .eyeBlinkRight] {
                measurement.blinkPeakUnfiltered = max(
                    measurement.blinkPeakUnfiltered, Double(unfiltered[index].weights[shape]))
                measurement.blinkPeakFiltered = max(
                    measurement.blinkPeakFiltered, Double(filtered[index].weights[shape]))
            }
        }
        measurement.groupLagFrames = OutputSmoothingParameters.Group.allCases.map { group in
            let shapes = group.shapes.map(\.rawValue)
            return lagFrames(count: count, tracks: shapes.count) { frame, track, isFiltered in
                Double((isFiltered ? filtered : unfiltered)[frame].weights.values[shapes[track]])
            }
        }
        measurement.rotationLagFrames = lagFrames(count: count, tracks: 3) { frame, track, isFiltered in
            Double((isFiltered ? filtered : unfiltered)[frame].headPose.yawPitchRoll[track])
        }
        measurement.translationLagFrames = lagFrames(count: count, tracks: 3) { frame, track, isFiltered in
            Double((isFiltered ? filtered : unfiltered)[frame].headPose.translation[track])
        }
        return measurement
    }

    /// The shift s (frames) maximising Σ over tracks of the mean product of the filtered track at t + s and the
    /// unfiltered one at t (each less its mean), refined by a parabola through the best shift and its neighbours; nil
    /// when the unfiltered tracks barely move (variance summed over tracks below 1e-6).
    package static func lagFrames(
        count: Int, tracks: Int, _ value: (_ frame: Int, _ track: Int, _ filtered: Bool) -> Double
    ) -> Double? {
        guard count > 2 * maximumShift + 2 else { return nil }
        var variance = 0.0
        var means = [(filtered: Double, unfiltered: Double)]()
        for track in 0 ..< tracks {
            var sums = (0.0, 0.0)
            for frame in 0 ..< count {
                sums.0 += value(frame, track, true)
                sums.1 += value(frame, track, false)
            }
            let mean = (filtered: sums.0 / Double(count), unfiltered: sums.1 / Double(count))
            means.append(mean)
            for frame in 0 ..< count {
                let centred = value(frame, track, false) - mean.unfiltered
                variance += centred * centred / Double(count)
            }
        }
        guard variance >= 1e-6 else { return nil }
        func correlation(_ shift: Int) -> Double {
            var sum = 0.0
            let frames = max(0, -shift) ..< min(count, count - shift)
            for track in 0 ..< tracks {
                for frame in frames {
                    sum +=
                        (value(frame + shift, track, true) - means[track].filtered)
                        * (value(frame, track, false) - means[track].unfiltered)
                }
            }
            return sum / Double(frames.count)
        }
        let shifts = -maximumShift ... maximumShift
        let values = shifts.map(correlation)
        let best = values.indices.max { values[$0] < values[$1] }!
        guard best > 0, best < values.count - 1 else { return Double(shifts.lowerBound + best) }
        let (left, middle, right) = (values[best - 1], values[best], values[best + 1])
        let curvature = left - 2 * middle + right
        let offset = curvature < 0 ? 0.5 * (left - right) / curvature : 0
        return Double(shifts.lowerBound + best) + offset
    }
}
