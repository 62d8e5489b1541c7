/// A growable array of plain values in private memory — the terminal canvas, the rasteriser's pictures, a network
/// arena sized when it is planned: its storage is whole pages locked out of swap, excluded from dumps, registered for
/// the exit wipe and wiped when released (see `RigidPrivateBuffer`), and the used part is wiped again whenever it is
/// emptied for reuse. One owner (`~Copyable`). Growth maps new pages, copies and releases the old ones; it never
/// touches the malloc heap, so steady-state use allocates nothing. A growth the kernel refuses throws and leaves the
/// array as it was: nothing is dropped, nothing crashes.
public struct UniquePrivateArray<Element: BitwiseCopyable>: ~Copyable {
    // Stored and inlinable so per-element appends and subscripts inline into other modules' loops.
    @usableFromInline var elements: UnsafeMutablePointer<Element>?
    @usableFromInline var storedCount = 0
    @usableFromInline var storedCapacity = 0
    private var mapping: PrivateMapping?

    /// An empty array; the first growth maps its memory.
    public init() {}

    /// An empty array with room for `capacity` elements mapped now.
    public init(capacity: Int) throws(OmoteError) { try reserveCapacity(capacity) }

    deinit { mapping?.release() }

    @inlinable public var count: Int { storedCount }
    @inlinable public var capacity: Int { storedCapacity }
    @inlinable public var isEmpty: Bool { storedCount == 0 }

    /// A window on the used elements, valid until the array grows or is released.
    @inlinable
    public var view: MemoryView<Element> {
        MemoryView(
            baseAddress: elements ?? UnsafeMutablePointer(bitPattern: MemoryLayout<Element>.alignment)!,
            count: storedCount)
    }

    @inlinable
    public subscript(index: Int) -> Element {
        get { view[index] }
        nonmutating set { view[index] = newValue }
    }

    /// Makes room for at least `minimum` elements (at least doubling). Throws when the kernel refuses the memory; the
    /// array is then unchanged.
    public mutating func reserveCapacity(_ minimum: Int) throws(OmoteError) {
        guard minimum > storedCapacity else { return }
        let newCapacity = Swift.max(minimum, storedCapacity * 2, 16)
        let bigger = try PrivateMapping(bytes: newCapacity * MemoryLayout<Element>.stride)
        if let elements, storedCount > 0 {
            bigger.base.copyMemory(from: elements, byteCount: storedCount * MemoryLayout<Element>.stride)
        }
        mapping?.release()
        mapping = bigger
        elements = bigger.base.bindMemory(to: Element.self, capacity: newCapacity)
        storedCapacity = newCapacity
    }

    @inlinable
    public mutating func append(_ element: Element) throws(OmoteError) {
        if storedCount == storedCapacity { try reserveCapacity(storedCount + 1) }
        elements.unsafelyUnwrapped[storedCount] = element
        storedCount += 1
    }

    public mutating func append(contentsOf source: UnsafeBufferPointer<Element>) throws(OmoteError) {
        guard let start = source.baseAddress, !source.isEmpty else { return }
        try reserveCapacity(storedCount + source.count)
        (elements.unsafelyUnwrapped + storedCount).update(from: start, count: source.count)
        storedCount += source.count
    }

    /// Makes the array exactly `newCount` copies of `value`; the old contents are wiped first. Throws when the kernel
    /// refuses the memory (the array is then empty, its old contents wiped).
    public mutating func resize(to newCount: Int, repeating value: Element) throws(OmoteError) {
        precondition(newCount >= 0, "a private array cannot have a negative count")
        removeAll()
        try reserveCapacity(newCount)
        guard newCount > 0 else { return }
        elements.unsafelyUnwrapped.update(repeating: value, count: newCount)
        storedCount = newCount
    }

    /// Empties the array for reuse: the used part is wiped, the capacity kept.
    public mutating func removeAll() {
        if let elements, storedCount > 0 { secureZero(elements, storedCount * MemoryLayout<Element>.stride) }
        storedCount = 0
    }

    /// The used elements as bytes (what a terminal write takes).
    public var bytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: elements, count: storedCount * MemoryLayout<Element>.stride)
    }

    /// Whether the memory is locked out of swap (false only with `--allow-swappable-memory` and a refused lock).
    public var isLocked: Bool { mapping?.isLocked ?? true }

    /// Whether the storage is registered private memory (tests).
    package var isPrivate: Bool { mapping.map { PrivateMemory.isLive($0.base) } ?? false }
}
