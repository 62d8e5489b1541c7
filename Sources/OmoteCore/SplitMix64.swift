/// SplitMix64 (Steele, Lea and Flood 2014): a small, fast, seedable generator, so seeded noise (the bench's held-still
/// jitter) and the tests' damaged frames and random tensors are the same on every machine and a failure reproduces.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A value in 0..<bound (0 when bound is 0); the modulo bias is below bound / 2⁶⁴.
    public mutating func next(below bound: UInt64) -> UInt64 { bound == 0 ? 0 : next() % bound }
}
