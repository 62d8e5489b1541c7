/// An activation applied in a kernel's epilogue, so no separate pass over the tensor is needed.
enum Activation: Equatable {
    case none
    case relu
    case relu6
    /// Per-channel slope for negative inputs; the pointer holds one slope per output channel, padded to a multiple of
    /// 16 so vector loads at the channel tail stay in bounds.
    case prelu(UnsafePointer<Float>)

    @inline(__always)
    func apply(_ value: SIMD8<Float>, channel: Int) -> SIMD8<Float> {
        switch self {
        case .none:
            return value
        case .relu:
            return value.replacing(with: 0, where: value .< 0)
        case .relu6:
            return value.replacing(with: 0, where: value .< 0).replacing(with: 6, where: value .> 6)
        case .prelu(let slopes):
            let slope = UnsafeRawPointer(slopes + channel).loadUnaligned(as: SIMD8<Float>.self)
            return value.replacing(with: value * slope, where: value .< 0)
        }
    }

    @inline(__always)
    func apply(_ value: Float, channel: Int) -> Float {
        switch self {
        case .none:
            return value
        case .relu:
            return max(value, 0)
        case .relu6:
            return min(max(value, 0), 6)
        case .prelu(let slopes):
            return value < 0 ? value * slopes[channel] : value
        }
    }
}

/// Vector loads and stores that do not require alignment.
@inline(__always)
func loadVector(_ pointer: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Float>.self)
}

@inline(__always)
func storeVector(_ value: SIMD8<Float>, _ pointer: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: SIMD8<Float>.self)
}

/// Stores the first `lanes` (1…8) lanes.
@inline(__always)
func storeVector(_ value: SIMD8<Float>, _ pointer: UnsafeMutablePointer<Float>, lanes: Int) {
    if lanes == 8 {
        storeVector(value, pointer)
    } else if lanes == 4 {
        // Channel counts of 4 mod 8 (28, 36, 44, …) are common here: one 128-bit store.
        UnsafeMutableRawPointer(pointer).storeBytes(of: value.lowHalf, as: SIMD4<Float>.self)
    } else {
        storePartial(value, pointer, lanes: lanes)
    }
}

/// The channel-tail store, kept out of line: inlined, LLVM merges its lane extracts with the preceding compare-and-
/// blend and scalarises the whole activation for every vector, full ones included.
@inline(never)
func storePartial(_ value: SIMD8<Float>, _ pointer: UnsafeMutablePointer<Float>, lanes: Int) {
    for lane in 0 ..< lanes {
        pointer[lane] = value[lane]
    }
}
