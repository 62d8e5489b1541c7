import CTargetFeatures

extension SIMD8 where Scalar == Float {
    /// `self += a × b`, fused (one rounding) where the build targets hardware FMA (x86-64-v3, arm64); otherwise a
    /// multiply then an add, because LLVM lowers a fused vector multiply-add without the target feature to a library
    /// call per lane (a portable build ran the mesh network at 0.7 s per frame instead of 5 ms).
    @inline(__always)
    mutating func accumulate(_ a: Self, _ b: Self) {
        if OMOTE_TARGET_HAS_FMA != 0 {
            addProduct(a, b)
        } else {
            self += a * b
        }
    }
}
