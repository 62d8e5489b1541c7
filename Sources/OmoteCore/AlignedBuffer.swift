#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one way Omote owns raw memory on the hot path: `count` elements, 64-byte aligned (a cache line, and any SIMD
/// register width), freed exactly once (`~Copyable`). Element and SIMD accesses `assert` their bounds: the checks fire
/// in debug builds and tests, and cost nothing in release builds. The accessors are `@inlinable`: other modules'
/// hot loops must get them specialised and inlined (not generic calls per element).
///
/// A *private* buffer (`init(privateCount:repeating:)`) holds expression data — landmarks, the solver's fit, pupil
/// pixels: its pages are locked out of swap, excluded from core dumps, wiped at exit and when released (see
/// `SecureMemory`), and `wipe()` clears it for reuse. Access is the same pointer as for heap memory, so a hot loop is
/// just as fast on either. Model constants stay in ordinary memory (the locked-memory limit is small).
public struct AlignedBuffer<Element: BitwiseCopyable>: ~Copyable {
    public static var alignment: Int { 64 }

    public private(set) var baseAddress: UnsafeMutablePointer<Element>
    public private(set) var count: Int
    /// The locked, registered pages of a private buffer; nil for heap memory.
    private let mapping: PrivateMapping?

    /// `count` elements, all set to `value`.
    public init(count: Int, repeating value: Element) {
        precondition(count >= 0, "an AlignedBuffer cannot have a negative count")
        baseAddress = Self.allocate(count)
        self.count = count
        mapping = nil
        baseAddress.initialize(repeating: value, count: count)
    }

    /// `count` elements, all set to `value`, in private memory (locked, out of dumps, wiped on release and at exit).
    /// Throws when the kernel refuses the pages or their lock (a locked-memory limit; see `MemoryErrors.swift`).
    public init(privateCount count: Int, repeating value: Element) throws(OmoteError) {
        precondition(count >= 0, "an AlignedBuffer cannot have a negative count")
        let pages = try PrivateMapping(bytes: max(1, count) * MemoryLayout<Element>.stride)
        baseAddress = pages.base.bindMemory(to: Element.self, capacity: max(1, count))
        self.count = count
        mapping = pages
        baseAddress.initialize(repeating: value, count: count)
    }

    deinit {
        if let mapping {
            mapping.release()
        } else {
            baseAddress.deallocate()
        }
    }

    /// Whether this is a private buffer that is live in `SecureMemory`'s registry (tests check where data lives).
    package var isPrivate: Bool { mapping.map { SecureMemory.isLive($0.base) } ?? false }

    /// Bytes of locked pages this buffer holds (0 for heap memory), for the locked-memory budget.
    package var privateBytes: Int { mapping?.length ?? 0 }

    /// Whether every byte is zero (for a private buffer: its whole mapping), e.g. after `wipe()`.
    package var holdsOnlyZeros: Bool {
        let bytes = UnsafeRawBufferPointer(
            start: mapping?.base ?? UnsafeMutableRawPointer(baseAddress),
            count: mapping?.length ?? count * MemoryLayout<Element>.stride)
        return bytes.allSatisfy { $0 == 0 }
    }

    /// Overwrites every element with zero bytes (for a private buffer: its whole mapping) in a way the optimiser cannot
    /// remove: stale expression data does not outlive its use. Not for the per-frame path of heap buffers.
    public func wipe() {
        if let mapping {
            mapping.wipe()
        } else {
            secureZero(baseAddress, count * MemoryLayout<Element>.stride)
        }
    }

    // Element and SIMD access go through `view` (AlignedBuffer+View.swift), which holds the one copy of the asserted
    // bounds checks; both are inlinable, so the indirection costs nothing.
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
    /// Call it when sizes are known (load, a new frame size), never per frame in steady state. Heap buffers only: a
    /// private buffer is sized once, when it is made.
    public mutating func reserve(_ minimumCount: Int, filling value: Element) {
        guard minimumCount > count else { return }
        precondition(mapping == nil, "a private AlignedBuffer cannot grow; size it when it is made")
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

    /// `count` zeroed elements in private memory (see `init(privateCount:repeating:)`).
    public init(privateZeroedCount count: Int) throws(OmoteError) {
        try self.init(privateCount: count, repeating: .zero)
    }
}
