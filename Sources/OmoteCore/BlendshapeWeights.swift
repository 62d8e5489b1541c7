/// The 52 weights (0…1) in `ARKitBlendshape` order, held in one SIMD register-friendly value (no heap storage), plus
/// which shapes are actually tracked. Untracked shapes are 0 and flagged, never invented.
public struct BlendshapeWeights: Sendable, Equatable, BitwiseCopyable {
    public var values: SIMD64<Float> = .zero
    /// Bit i set ⇔ shape with raw value i is scored by the tracker (not merely 0).
    public var trackedMask: UInt64 = 0

    public init() {}

    public subscript(shape: ARKitBlendshape) -> Float {
        get { values[shape.rawValue] }
        set { values[shape.rawValue] = newValue }
    }

    public func isTracked(_ shape: ARKitBlendshape) -> Bool { trackedMask & (1 << UInt64(shape.rawValue)) != 0 }
}

extension BlendshapeWeights: CustomStringConvertible {
    /// Redacted: expression data never reaches a log line.
    public var description: String { "BlendshapeWeights(52 values, redacted)" }
}
