/// The one view of the memory family (`RigidPrivateBuffer`, `UniquePrivateArray`, `AlignedBuffer`): a plain,
/// copyable, non-owning window that hot loops and kernels take instead of nesting `withUnsafe…` closures, and that
/// several can be gathered into one struct value (an owner cannot be copied into it) without a class-property access
/// per element. It is valid only while its owner lives and does not grow. Accesses assert their bounds: checked in
/// debug builds and tests, free in release builds.
@frozen
public struct MemoryView<Element: BitwiseCopyable>: RandomAccessCollection {
    public let baseAddress: UnsafeMutablePointer<Element>
    public let count: Int

    @inlinable
    public init(baseAddress: UnsafeMutablePointer<Element>, count: Int) {
        self.baseAddress = baseAddress
        self.count = count
    }

    @inlinable public var startIndex: Int { 0 }
    @inlinable public var endIndex: Int { count }

    @inlinable @inline(__always)
    public subscript(index: Int) -> Element {
        get {
            assert(index >= 0 && index < count, "MemoryView index \(index) outside 0..<\(count)")
            return baseAddress[index]
        }
        nonmutating set {
            assert(index >= 0 && index < count, "MemoryView index \(index) outside 0..<\(count)")
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

    /// Sets every element to `value`.
    @inlinable
    public func fill(with value: Element) { baseAddress.update(repeating: value, count: count) }

    /// The elements as a buffer pointer (for APIs that take one; valid as long as the view).
    @inlinable
    public var buffer: UnsafeMutableBufferPointer<Element> {
        UnsafeMutableBufferPointer(start: baseAddress, count: count)
    }
}
