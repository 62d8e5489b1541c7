import OmoteCore

/// MediaPipe's landmark smoothing in VIDEO mode (LandmarksSmoothingCalculator with the face landmarker's one-euro
/// settings: min cutoff 0.05, beta 80, derivative cutoff 1; mediapipe/util/filtering/one_euro_filter.cc): every
/// coordinate of every landmark, in pixels (z scaled like x), through its own one-euro filter whose speed is measured
/// relative to the face's size ((box width + box height) / 2 in pixels). A timestamp not after the previous one passes
/// the value through untouched, as in MediaPipe. The first frame always starts the filters: MediaPipe's own filter
/// skips a sample at stream time 0, but its fixture output (Fixtures/mediapipe, first frame at 0 ms) matches only
/// when the first frame counts, so the task's stream time evidently never reaches the filter as 0. Sized at init;
/// no allocation per frame. Not thread-safe.
public final class LandmarkSmoother {
    public var minimumCutoff = 0.05
    public var beta = 80.0
    public var derivativeCutoff = 1.0
    /// The frequency assumed until two timestamps give one (MediaPipe's option default).
    public var initialFrequency = 30.0

    private struct LowPass {
        var initialised = false
        var raw = 0.0
        var stored = 0.0

        mutating func apply(_ value: Double, alpha: Double) -> Double {
            let result = initialised ? alpha * value + (1 - alpha) * stored : value
            initialised = true
            raw = value
            stored = result
            return result
        }
    }

    private struct OneEuro {
        var frequency: Double
        var lastNanoseconds: Int64?
        var value = LowPass()
        var derivative = LowPass()

        mutating func apply(_ x: Double, nanoseconds: Int64, valueScale: Double, _ smoother: LandmarkSmoother)
            -> Double
        {
            if let last = lastNanoseconds {
                guard nanoseconds > last else { return x }
                frequency = 1 / (Double(nanoseconds - last) * 1e-9)
            }
            lastNanoseconds = nanoseconds
            let speed = value.initialised ? (x - value.raw) * valueScale * frequency : 0
            let smoothedSpeed = derivative.apply(speed, alpha: alpha(smoother.derivativeCutoff))
            let cutoff = smoother.minimumCutoff + smoother.beta * abs(smoothedSpeed)
            return value.apply(x, alpha: alpha(cutoff))
        }

        func alpha(_ cutoff: Double) -> Double {
            let te = 1 / frequency
            let tau = 1 / (2 * Double.pi * cutoff)
            return 1 / (1 + tau / te)
        }
    }

    /// One filter per coordinate; each holds the last landmark positions, so private memory.
    private let filters: RigidPrivateBuffer<OneEuro>

    /// Throws when the kernel refuses the filters' private memory (a locked-memory limit).
    public init() throws(OmoteError) {
        // 30: `initialFrequency`'s default (self is not available yet).
        filters = try RigidPrivateBuffer(repeating: OneEuro(frequency: 30), count: MeshLandmarks.count * 3)
    }

    /// Forgets the past (MediaPipe resets when the face is lost).
    public func reset() {
        var index = 0
        while index < filters.count {
            filters[index] = OneEuro(frequency: initialFrequency)
            index += 1
        }
    }

    /// Smooths `landmarks` (normalised) in place; `timestampMicroseconds` is the frame's stream time.
    public func smooth(
        _ landmarks: inout MeshLandmarks, timestampMicroseconds: Int64, frameWidth: Int,
        frameHeight: Int
    ) {
        let width = Float(frameWidth)
        let height = Float(frameHeight)
        var low = SIMD2<Float>(repeating: .infinity)
        var high = SIMD2<Float>(repeating: -.infinity)
        var index = 0
        while index < MeshLandmarks.count {
            let p = SIMD2(landmarks[index].x * width, landmarks[index].y * height)
            low = pointwiseMin(low, p)
            high = pointwiseMax(high, p)
            index += 1
        }
        let objectScale = ((high.x - low.x) + (high.y - low.y)) / 2
        // MediaPipe's min_allowed_object_scale default.
        guard objectScale >= 1e-6 else { return }
        let valueScale = Double(1 / objectScale)
        let nanoseconds = timestampMicroseconds * 1000
        // Each filter is updated where it lives (through the pointer) rather than copied out and back.
        let points = landmarks.points
        let filters = self.filters.baseAddress
        index = 0
        while index < points.count {
            let p = points[index]
            let x = filters[3 * index].apply(
                Double(p.x * width), nanoseconds: nanoseconds, valueScale: valueScale, self)
            let y = filters[3 * index + 1].apply(
                Double(p.y * height), nanoseconds: nanoseconds, valueScale: valueScale, self)
            let z = filters[3 * index + 2].apply(
                Double(p.z * width), nanoseconds: nanoseconds, valueScale: valueScale, self)
            points[index] = SIMD3(Float(x) / width, Float(y) / height, Float(z) / width)
            index += 1
        }
    }
}
