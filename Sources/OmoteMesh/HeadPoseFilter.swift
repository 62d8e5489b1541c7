import OmoteCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A One Euro filter on the head pose. Translation: one lane per axis (millimetres). Rotation: on the rotation itself
/// rather than on angles or matrix entries — each frame the input is expressed as a rotation vector relative to the
/// last output, the low-pass moves the output that fraction of the way along it (so the result stays a rotation and no
/// axis or Euler wrap is favoured), and the cutoff rises with the length of the smoothed angular velocity (rad/s)
/// between raw inputs. All-zero state restarts the filter. Expression data in `OutputSmoother`'s private memory.
public struct HeadPoseFilter: BitwiseCopyable {
    public struct Parameters: Sendable, Equatable {
        public var translation: OneEuroLanes.Parameters
        /// Hz, per rad/s, Hz.
        public var rotationMinimumCutoff: Float
        public var rotationBeta: Float
        public var rotationDerivativeCutoff: Float

        public init(
            translation: OneEuroLanes.Parameters, rotationMinimumCutoff: Float, rotationBeta: Float,
            rotationDerivativeCutoff: Float
        ) {
            self.translation = translation
            self.rotationMinimumCutoff = rotationMinimumCutoff
            self.rotationBeta = rotationBeta
            self.rotationDerivativeCutoff = rotationDerivativeCutoff
        }
    }

    private var translation = OneEuroLanes()
    private var rotation = Rotation3.identity
    private var rawRotation = Rotation3.identity
    private var angularVelocity = SIMD3<Float>()
    private var lastNanoseconds: UInt64 = 0
    private var initialised = false

    public init() {}

    public mutating func filter(_ pose: HeadPose, at nanoseconds: UInt64, _ parameters: Parameters) -> HeadPose {
        // Lanes 0–2: x, y, z; the rest hold 0.
        let shift = translation.filter(
            SIMD16(lowHalf: SIMD8(lowHalf: SIMD4(pose.translation, 0), highHalf: .zero), highHalf: .zero),
            at: nanoseconds, parameters.translation)
        guard initialised else {
            rotation = pose.rotation
            rawRotation = pose.rotation
            angularVelocity = SIMD3()
            lastNanoseconds = nanoseconds
            initialised = true
            return pose
        }
        guard nanoseconds > lastNanoseconds else { return pose }
        let interval = Float(Double(nanoseconds - lastNanoseconds) * 1e-9)
        lastNanoseconds = nanoseconds
        let turn = Self.rotationVector(from: rawRotation, to: pose.rotation)
        rawRotation = pose.rotation
        // The velocity is low-passed as a vector, like each lane's signed speed: noise that turns back and forth
        // averages out rather than raising the cutoff.
        angularVelocity +=
            Self.alpha(parameters.rotationDerivativeCutoff, interval) * (turn / interval - angularVelocity)
        let speed = (angularVelocity * angularVelocity).sum().squareRoot()
        let cutoff = parameters.rotationMinimumCutoff + parameters.rotationBeta * speed
        let towards = Self.rotationVector(from: rotation, to: pose.rotation)
        rotation = (rotation * Rotation3(rotationVector: Self.alpha(cutoff, interval) * towards)).orthonormalised
        return HeadPose(rotation: rotation, translation: SIMD3(shift[0], shift[1], shift[2]))
    }

    static func alpha(_ cutoff: Float, _ interval: Float) -> Float {
        let x = cutoff * (2 * Float.pi * interval)
        return x / (x + 1)
    }

    /// The rotation vector of Aᵀ·B (in A's frame, so A · exp(v) = B): angle from atan2 of the skew part's half length
    /// and (trace − 1) / 2, accurate for the tiny turns of jitter where acos of the trace is not.
    static func rotationVector(from a: Rotation3, to b: Rotation3) -> SIMD3<Float> {
        // (Aᵀ·B)ᵢⱼ = aᵢ · bⱼ (columns).
        let trace = (a.c0 * b.c0).sum() + (a.c1 * b.c1).sum() + (a.c2 * b.c2).sum()
        let axis = SIMD3(
            (a.c2 * b.c1).sum() - (a.c1 * b.c2).sum(), (a.c0 * b.c2).sum() - (a.c2 * b.c0).sum(),
            (a.c1 * b.c0).sum() - (a.c0 * b.c1).sum())
        let sine = (axis * axis).sum().squareRoot() / 2
        guard sine > 1e-7 else { return axis / 2 }
        return axis * (atan2f(sine, (trace - 1) / 2) / (2 * sine))
    }
}
