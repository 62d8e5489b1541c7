/// A plain, copyable, non-owning window on an `AlignedBuffer`, for evaluation kernels that gather several buffers into
/// one struct value (an owner cannot be copied into it) and must not pay a class-property access per element. It is
/// valid only while its buffer is alive and not reserved anew. Accesses assert their bounds like the buffer's own:
/// checked in debug builds and tests, free in release builds.
@frozen
public struct AlignedView<Element: BitwiseCopyable> {
    public let baseAddress: UnsafeMutablePointer<Element>
    public let count: Int

    @inlinable
    init(baseAddress: UnsafeMutablePointer<Element>, count: Int) {
        self.baseAddress = baseAddress
        self.count = count
    }

    @inlinable @inline(__always)
    public subscript(index: Int) -> Element {
        get {
            assert(index >= 0 && index < count, "AlignedView index \(index) outside 0..<\(count)")
            return baseAddress[index]
        }
        nonmutating set {
            assert(index >= 0 && index < count, "AlignedView index \(index) outside 0..<\(count)")
            baseAddress[index] = newValue
        }
    }

    /// Loads `V.scalarCount` consecutive elements starting at `index` (no alignment required).
    @inlinable @inline(__always)
    public func load<V: SIMD>(_: V.Type = V.self, at index: Int) -> V where V.Scalar == Element {
        assert(index >= 0 && index + V.scalarCount <= count, "SIMD load at \(index) outside 0..<\(count)")
        return UnsafeRawPointer(baseAddress + index).loadUnaligned(as: V.self)
    }

    /// Stores `vector` into `V.scalarCount` consecutive elements starting at `index`.
    @inlinable @inline(__always)
    public func store<V: SIMD>(_ vector: V, at index: Int) where V.Scalar == Element {
        assert(index >= 0 && index + V.scalarCount <= count, "SIMD store at \(index) outside 0..<\(count)")
        UnsafeMutableRawPointer(baseAddress + index).storeBytes(of: vector, as: V.self)
    }
}

extension AlignedBuffer {
    /// A view of the current storage (see `AlignedView` for how long it stays valid).
    @inlinable
    public var view: AlignedView<Element> { AlignedView(baseAddress: baseAddress, count: count) }
}
