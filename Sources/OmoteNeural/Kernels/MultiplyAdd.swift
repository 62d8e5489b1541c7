import CTargetFeatures

extension SIMD8 where Scalar == Float {
    /// `self += a × b`, fused (one rounding) where the build targets hardware FMA (x86-64-v3, arm64); otherwise a
    /// multiply then an add, because LLVM lowers a fused vector multiply-add without the target feature to a library
    /// call per lane (a portable build ran the mesh network at 0.7 s per frame instead of 5 ms).
    @inline(__always)
    mutating func accumulate(_ a: Self, _ b: Self) {
        if Self.targetHasFusedMultiplyAdd {
            addProduct(a, b)
        } else {
            self += a * b
        }
    }

    /// The build's FMA flag behind a function: tested inline, the constant condition makes the compiler warn that
    /// one branch never runs (it is the other build's branch); after inlining it folds away just the same.
    @inline(__always)
    static var targetHasFusedMultiplyAdd: Bool { OMOTE_TARGET_HAS_FMA != 0 }
}
