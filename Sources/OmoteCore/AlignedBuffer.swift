#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Plain owned memory for model data on the hot path (network constants, the rig's rest pose, morph deltas and weight
/// mapping): `count` elements, 64-byte aligned (a cache line, and any SIMD register width), freed exactly once
/// (`~Copyable`). Element and SIMD accesses go through its `MemoryView`, which `assert`s bounds: checked in debug
/// builds and tests, free in release builds. Expression data never lives here: it goes in private memory
/// (`RigidPrivateBuffer`, `UniquePrivateArray`: locked, out of dumps, wiped).
public struct AlignedBuffer<Element: BitwiseCopyable>: ~Copyable {
    public static var alignment: Int { 64 }

    public private(set) var baseAddress: UnsafeMutablePointer<Element>
    public private(set) var count: Int

    /// `count` elements, all set to `value`.
    public init(count: Int, repeating value: Element) {
        precondition(count >= 0, "an AlignedBuffer cannot have a negative count")
        baseAddress = Self.allocate(count)
        self.count = count
        baseAddress.initialize(repeating: value, count: count)
    }

    deinit { baseAddress.deallocate() }

    /// A window on the current storage, valid while the buffer lives and is not reserved anew.
    @inlinable
    public var view: MemoryView<Element> { MemoryView(baseAddress: baseAddress, count: count) }

    @inlinable @inline(__always)
    public subscript(index: Int) -> Element {
        get { view[index] }
        nonmutating set { view[index] = newValue }
    }

    /// Loads `V.scalarCount` consecutive elements starting at `index` (no alignment required).
    @inlinable @inline(__always)
    public func load<V: SIMD>(_: V.Type = V.self, at index: Int) -> V where V.Scalar == Element {
        view.load(at: index)
    }

    /// Stores `vector` into `V.scalarCount` consecutive elements starting at `index`.
    @inlinable @inline(__always)
    public func store<V: SIMD>(_ vector: V, at index: Int) where V.Scalar == Element { view.store(vector, at: index) }

    /// Sets every element to `value`.
    @inlinable
    public func fill(with value: Element) { baseAddress.update(repeating: value, count: count) }

    /// Ensures room for at least `minimumCount` elements; only ever grows, and the contents are not kept when it does.
    /// Call it when sizes are known (load, a new frame size), never per frame in steady state.
    public mutating func reserve(_ minimumCount: Int, filling value: Element) {
        guard minimumCount > count else { return }
        baseAddress.deallocate()
        baseAddress = Self.allocate(minimumCount)
        count = minimumCount
        baseAddress.initialize(repeating: value, count: minimumCount)
    }

    @inlinable
    public var buffer: UnsafeMutableBufferPointer<Element> {
        UnsafeMutableBufferPointer(start: baseAddress, count: count)
    }

    private static func allocate(_ count: Int) -> UnsafeMutablePointer<Element> {
        let bytes = max(1, count) * MemoryLayout<Element>.stride
        return UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: alignment).bindMemory(
            to: Element.self,
            capacity: max(1, count)
        )
    }
}

extension AlignedBuffer where Element: AdditiveArithmetic {
    /// `count` zeroed elements.
    public init(zeroedCount count: Int) { self.init(count: count, repeating: .zero) }

}
