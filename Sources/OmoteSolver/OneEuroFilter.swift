#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Parameters of a One Euro filter (Casiez, Roussel & Vogel, CHI 2012): a first-order low-pass whose cutoff rises
/// with the signal's speed, so slow drift and jitter are smoothed hard while fast motion passes with little lag.
public struct OneEuroParameters: Sendable, Equatable, BitwiseCopyable {
    /// Cutoff (Hz) at rest: lower = less jitter, more lag on slow motion.
    public var minimumCutoffHz: Float
    /// Cutoff increase per unit of speed (units/s): higher = less lag on fast motion.
    public var beta: Float
    /// Cutoff (Hz) of the speed estimate itself.
    public var derivativeCutoffHz: Float

    public init(minimumCutoffHz: Float, beta: Float, derivativeCutoffHz: Float = 1) {
        self.minimumCutoffHz = minimumCutoffHz
        self.beta = beta
        self.derivativeCutoffHz = derivativeCutoffHz
    }

    /// For blendshape weights (0…1), chosen by measurement (Docs/solver.md, test `oneEuroParametersByMeasurement`):
    /// among the pairs that keep ≥ 85 % of a 100 ms blink's peak, jitter on a still face (0.5 px landmark noise)
    /// within 2 % of the least, with a rest time constant of 160 ms rather than the optimum's 320 ms.
    public static let weights = OneEuroParameters(minimumCutoffHz: 1.0, beta: 3.0)
    /// For head pose (rotation vector in radians, translation in decimetres, so one beta suits both).
    public static let pose = OneEuroParameters(minimumCutoffHz: 1.5, beta: 4.0)
}

/// A One Euro filter over every lane of a SIMD vector at once (all 52 weights in one SIMD64, the pose in one SIMD8).
package struct OneEuroFilter<Vector: SIMD & Sendable & BitwiseCopyable>: Sendable, BitwiseCopyable
where Vector.Scalar == Float {
    package var parameters: OneEuroParameters
    private var previous = Vector()
    private var previousDerivative = Vector()
    private var lastTimestampNanoseconds: UInt64 = 0
    private var primed = false

    package init(parameters: OneEuroParameters) { self.parameters = parameters }

    package mutating func reset() { primed = false }

    /// Whether the filter holds anything of past samples (false when new: its history is all zeros).
    package var holdsHistory: Bool {
        primed || lastTimestampNanoseconds != 0 || previous != Vector() || previousDerivative != Vector()
    }

    /// Filters `value` observed at `timestampNanoseconds` (monotonic). The first sample passes unchanged.
    package mutating func filter(_ value: Vector, timestampNanoseconds: UInt64) -> Vector {
        guard primed, timestampNanoseconds > lastTimestampNanoseconds else {
            if !primed {
                previous = value
                previousDerivative = Vector()
                primed = true
                lastTimestampNanoseconds = timestampNanoseconds
            }
            return primed ? previous : value
        }
        let period = Float(timestampNanoseconds - lastTimestampNanoseconds) * 1e-9
        lastTimestampNanoseconds = timestampNanoseconds
        // The same per-lane arithmetic as the whole-vector expression below, eight lanes at a time: generic SIMD64
        // arithmetic compiles to per-lane code with a 60 KB stack frame (as costly as a solver iteration).
        if Vector.scalarCount % 8 == 0 {
            var value = value
            let derivativeAlpha = Self.alpha(cutoff: SIMD8(repeating: parameters.derivativeCutoffHz), period: period)
            let minimumCutoff = SIMD8<Float>(repeating: parameters.minimumCutoffHz)
            let beta = parameters.beta
            withUnsafeMutableBytes(of: &previous) { previousBytes in
                withUnsafeMutableBytes(of: &previousDerivative) { derivativeBytes in
                    withUnsafeMutableBytes(of: &value) { valueBytes in
                        var offset = 0
                        while offset < Vector.scalarCount * 4 {
                            let x = valueBytes.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
                            var last = previousBytes.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
                            var d = derivativeBytes.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
                            let derivative = (x - last) / SIMD8(repeating: period)
                            d += derivativeAlpha * (derivative - d)
                            var speed = d
                            speed.replace(with: -speed, where: speed .< 0)
                            let cutoff = minimumCutoff + beta * speed
                            last += Self.alpha(cutoff: cutoff, period: period) * (x - last)
                            derivativeBytes.storeBytes(of: d, toByteOffset: offset, as: SIMD8<Float>.self)
                            previousBytes.storeBytes(of: last, toByteOffset: offset, as: SIMD8<Float>.self)
                            offset += 32
                        }
                    }
                }
            }
            return previous
        }
        let derivative = (value - previous) / Vector(repeating: period)
        let derivativeAlpha = Self.alpha(cutoff: Vector(repeating: parameters.derivativeCutoffHz), period: period)
        previousDerivative += derivativeAlpha * (derivative - previousDerivative)
        var speed = previousDerivative
        speed.replace(with: -speed, where: speed .< 0)
        let cutoff = Vector(repeating: parameters.minimumCutoffHz) + parameters.beta * speed
        previous += Self.alpha(cutoff: cutoff, period: period) * (value - previous)
        return previous
    }

    /// Smoothing factor of a first-order low-pass with the given cutoff: period / (period + 1/(2π·cutoff)).
    @inline(__always)
    static func alpha<V: SIMD>(cutoff: V, period: Float) -> V where V.Scalar == Float {
        let tau = 1 / (Float(2 * Double.pi) * cutoff)
        return V(repeating: period) / (V(repeating: period) + tau)
    }
}
