import CMallocCounter
import OmoteCore
import OmoteMesh
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The output filters on their own: each weight lane is the One Euro filter of a plain scalar reference, the rotation
/// filter is that filter on the angle when the head turns about one axis, a non-increasing timestamp passes the value
/// through, a reset wipes and restarts, and nothing is allocated per frame. Values only, never times.
@Suite struct OutputSmootherTests {
    /// One Euro as the paper and MediaPipe's one_euro_filter.cc write it, in Double, one value at a time.
    struct ScalarOneEuro {
        var minimumCutoff: Double
        var beta: Double
        var derivativeCutoff: Double
        var last: UInt64?
        var value = 0.0
        var raw = 0.0
        var speed = 0.0

        static func alpha(_ cutoff: Double, _ interval: Double) -> Double {
            let tau = 1 / (2 * Double.pi * cutoff)
            return 1 / (1 + tau / interval)
        }

        mutating func filter(_ x: Double, at nanoseconds: UInt64) -> Double {
            guard let last else {
                self.last = nanoseconds
                value = x
                raw = x
                return x
            }
            guard nanoseconds > last else { return x }
            let interval = Double(nanoseconds - last) * 1e-9
            self.last = nanoseconds
            let rawSpeed = (x - raw) / interval
            raw = x
            speed =
                Self.alpha(derivativeCutoff, interval) * rawSpeed + (1 - Self.alpha(derivativeCutoff, interval)) * speed
            let cutoff = minimumCutoff + beta * abs(speed)
            value = Self.alpha(cutoff, interval) * x + (1 - Self.alpha(cutoff, interval)) * value
            return value
        }
    }

    static func uniform(_ generator: inout SplitMix64) -> Double { Double(generator.next() >> 11) / Double(1 << 53) }

    @Test("every weight lane is the scalar One Euro reference (per-lane settings, irregular and repeated timestamps)")
    func lanesMatchTheScalarReference() {
        var generator = SplitMix64(seed: 25)
        var minimumCutoff = SIMD64<Float>()
        var beta = SIMD64<Float>()
        var derivativeCutoff = SIMD64<Float>()
        var references: [ScalarOneEuro] = []
        for lane in 0 ..< 64 {
            minimumCutoff[lane] = Float(0.2 + 5 * Self.uniform(&generator))
            beta[lane] = Float(3 * Self.uniform(&generator))
            derivativeCutoff[lane] = Float(0.5 + 2 * Self.uniform(&generator))
            references.append(
                ScalarOneEuro(
                    minimumCutoff: Double(minimumCutoff[lane]), beta: Double(beta[lane]),
                    derivativeCutoff: Double(derivativeCutoff[lane])))
        }
        let parameters = WeightsOneEuroFilter.Parameters(
            minimumCutoff: minimumCutoff, beta: beta, derivativeCutoff: derivativeCutoff)
        var filter = WeightsOneEuroFilter()
        var timestamp: UInt64 = 1_000_000
        var worst = 0.0
        var passedThrough = 0
        for frame in 0 ..< 300 {
            var input = SIMD64<Float>()
            for lane in 0 ..< 64 {
                // A slow wave, jumps (blink-like) every 40 frames, and noise.
                let wave = 0.5 + 0.3 * sin(Double(frame) * 0.05 + Double(lane))
                let jump = frame % 40 < 3 ? 0.4 : 0
                input[lane] = Float(wave + jump + 0.02 * (Self.uniform(&generator) - 0.5))
            }
            // Mostly 30 fps, sometimes a late frame, every 50th a repeated stamp and then an earlier one (after which
            // the clock goes on from the later stamp).
            let repeated = frame % 50 == 49
            if !repeated { timestamp += frame % 7 == 0 ? 70_000_000 : 33_333_333 }
            let stamp = frame % 50 == 0 && frame > 0 ? timestamp - 200_000_000 : timestamp
            let output = filter.filter(input, at: stamp, parameters)
            if repeated || (frame % 50 == 0 && frame > 0) {
                #expect(output == input, "frame \(frame): a non-increasing timestamp passes the input through")
                passedThrough += 1
            }
            for lane in 0 ..< 64 {
                let expected = references[lane].filter(Double(input[lane]), at: stamp)
                worst = max(worst, abs(Double(output[lane]) - expected))
            }
        }
        print("One Euro lanes vs scalar reference: worst difference \(worst) over 300 frames × 64 lanes")
        #expect(worst < 2e-5)
        #expect(passedThrough == 11)
    }

    @Test("the rotation filter turning about one axis is the scalar One Euro on the angle; it stays a rotation")
    func rotationMatchesTheScalarReferenceAboutOneAxis() {
        let parameters = OutputSmoothingParameters.tuned.pose
        var reference = ScalarOneEuro(
            minimumCutoff: Double(parameters.rotationMinimumCutoff), beta: Double(parameters.rotationBeta),
            derivativeCutoff: Double(parameters.rotationDerivativeCutoff))
        let axis = SIMD3<Float>(0.36, 0.48, 0.8)
        let base = Rotation3(rotationVector: SIMD3(0.1, -0.2, 0.05))
        var filter = HeadPoseFilter()
        var generator = SplitMix64(seed: 7)
        var worst = 0.0
        var worstOrthogonality: Float = 0
        for frame in 0 ..< 200 {
            let angle =
                0.3 * sin(Double(frame) * 0.08) + (frame / 60 % 2 == 0 ? 0 : 0.2)
                + 0.004 * (Self.uniform(&generator) - 0.5)
            let input = HeadPose(
                rotation: base * Rotation3(rotationVector: axis * Float(angle)), translation: SIMD3(0, 0, 600))
            let stamp = UInt64(frame) * 33_333_333
            let output = filter.filter(input, at: stamp, parameters)
            let expected = reference.filter(angle, at: stamp)
            // The output's angle about the axis, relative to the base.
            let relative = (base.transposed * output.rotation).rotationVector
            worst = max(worst, abs(Double((relative * axis).sum()) - expected))
            let r = output.rotation
            for (a, b) in [(r.c0, r.c0), (r.c1, r.c1), (r.c2, r.c2)] {
                worstOrthogonality = max(worstOrthogonality, abs((a * b).sum() - 1))
            }
            worstOrthogonality = max(worstOrthogonality, abs((r.c0 * r.c1).sum()), abs((r.c1 * r.c2).sum()))
        }
        print(
            "rotation filter vs scalar One Euro on the angle: worst \(worst) rad; orthonormal within \(worstOrthogonality)"
        )
        #expect(worst < 1e-4)
        #expect(worstOrthogonality < 1e-5)
    }

    @Test("a timestamp not after the last passes weights and pose through and leaves the filters as they were")
    func nonIncreasingTimestampsPassThrough() throws {
        let smoother = try OutputSmoother()
        var weights = BlendshapeWeights()
        var pose = HeadPose()
        smoother.smooth(&weights, at: 1_000)
        smoother.smooth(&pose, at: 1_000)
        var moved = BlendshapeWeights()
        moved[.jawOpen] = 0.8
        moved.trackedMask = 0xF
        let turned = HeadPose(rotation: Rotation3(rotationVector: SIMD3(0, 0.3, 0)), translation: SIMD3(5, 0, 590))
        for stamp: UInt64 in [1_000, 999, 0] {
            var w = moved
            var p = turned
            smoother.smooth(&w, at: stamp)
            smoother.smooth(&p, at: stamp)
            #expect(w == moved && p == turned, "at \(stamp)")
        }
        // The state is untouched: the next frame filters from the first one.
        var w = moved
        var p = turned
        smoother.smooth(&w, at: 1_000 + 33_333_333)
        smoother.smooth(&p, at: 1_000 + 33_333_333)
        #expect(w[.jawOpen] > 0 && w[.jawOpen] < 0.8 && w.trackedMask == 0xF)
        #expect(p.translation.x > 0 && p.translation.x < 5)
    }

    @Test("reset wipes the filters (private memory, redacted) and the next frame starts afresh")
    func resetWipes() throws {
        let smoother = try OutputSmoother()
        #expect(smoother.isPrivate)
        #expect(smoother.description == "OutputSmoother(redacted)")
        var weights = BlendshapeWeights()
        weights.values = SIMD64(repeating: 0.25)
        var pose = HeadPose()
        smoother.smooth(&weights, at: 1)
        smoother.smooth(&pose, at: 1)
        #expect(smoother.holdsWeights)
        smoother.reset()
        #expect(!smoother.holdsWeights, "wiped")
        var next = BlendshapeWeights()
        next[.eyeBlinkLeft] = 0.9
        let before = next
        var turned = HeadPose(rotation: Rotation3(rotationVector: SIMD3(0.2, 0, 0)), translation: SIMD3(1, 2, 500))
        let turnedBefore = turned
        smoother.smooth(&next, at: 33_333_334)
        smoother.smooth(&turned, at: 33_333_334)
        #expect(next == before && turned == turnedBefore, "the first frame after a reset is passed as it is")
    }

    @Test("smoothing weights and pose allocates nothing per frame")
    func noAllocations() throws {
        let smoother = try OutputSmoother()
        var weights = BlendshapeWeights()
        var pose = HeadPose()
        var generator = SplitMix64(seed: 3)
        func run(_ frames: Int, from start: Int) {
            for frame in start ..< start + frames {
                weights.values = SIMD64(repeating: Float(Self.uniform(&generator)))
                pose.rotation = Rotation3(rotationVector: SIMD3(0, Float(Self.uniform(&generator)) * 0.1, 0))
                smoother.smooth(&weights, at: UInt64(frame) * 33_333_333)
                smoother.smooth(&pose, at: UInt64(frame) * 33_333_333)
            }
        }
        run(10, from: 0)
        let before = omote_thread_allocation_count()
        let started = MonotonicClock.nanoseconds()
        run(1000, from: 10)
        let elapsed = MonotonicClock.nanoseconds() - started
        let allocations = omote_thread_allocation_count() - before
        #expect(allocations == 0, "\(allocations) allocations in 1000 frames")
        // Printed for the record, never asserted.
        print(
            "output filters: \(Double(elapsed) / 1000 / 1000) µs per frame (52 weights and the pose, with the inputs' set-up)"
        )
    }
}
