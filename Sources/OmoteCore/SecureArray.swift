/// A growable array of plain values (landmarks, weights, vertices, the terminal canvas) in private memory: each
/// backing store is a `SecureBuffer` — locked out of swap, excluded from dumps, wiped when released — and the used
/// part is wiped again whenever the array is emptied for reuse, so stale expression values do not linger.
///
/// Growth maps a new buffer, copies, and wipes the old one; it never touches the malloc heap, so steady-state use
/// allocates nothing. A growth the kernel refuses (a locked-memory limit) drops the elements that do not fit and is
/// kept in `growthError`, for the owner to report: appending never crashes.
public final class SecureArray<Element: BitwiseCopyable> {
    private var storage: SecureBuffer?
    // The element pointer, capacity and count are stored (and inlinable, without exclusivity checks) so that the
    // per-element `append` and subscript of the canvas and rasteriser inline into their loops in other modules.
    @usableFromInline @exclusivity(unchecked) var elements: UnsafeMutablePointer<Element>?
    @usableFromInline @exclusivity(unchecked) var storedCapacity = 0
    @usableFromInline @exclusivity(unchecked) var storedCount = 0
    /// Why the array could not grow, if it could not (the elements past `capacity` were dropped).
    public private(set) var growthError: OmoteError?

    /// An empty array; `reserveCapacity` or the first append maps its memory.
    public init() {}

    @inlinable public var count: Int { storedCount }
    @inlinable public var capacity: Int { storedCapacity }

    private var base: UnsafeMutablePointer<Element>? { elements }

    /// Makes room for at least `minimum` elements. Returns false (and sets `growthError`) when the kernel refuses.
    @discardableResult
    public func reserveCapacity(_ minimum: Int) -> Bool {
        guard minimum > capacity else { return true }
        let newCapacity = Swift.max(minimum, capacity * 2, 16)
        do throws(OmoteError) {
            let bigger = try SecureBuffer(count: newCapacity * MemoryLayout<Element>.stride)
            if let old = storage?.baseAddress, count > 0 {
                bigger.baseAddress.copyMemory(from: old, byteCount: count * MemoryLayout<Element>.stride)
            }
            storage = consume bigger  // the old buffer is wiped and unmapped as it is released
            elements = storage?.baseAddress.assumingMemoryBound(to: Element.self)
            storedCapacity = newCapacity
            return true
        } catch {
            growthError = error
            return false
        }
    }

    @inlinable
    public func append(_ element: Element) {
        if storedCount < storedCapacity, let elements {
            elements[storedCount] = element
            storedCount += 1
        } else {
            appendGrowing(element)
        }
    }

    @usableFromInline
    func appendGrowing(_ element: Element) {
        guard reserveCapacity(storedCount + 1), let elements else { return }
        elements[storedCount] = element
        storedCount += 1
    }

    public func append(contentsOf elements: UnsafeBufferPointer<Element>) {
        guard !elements.isEmpty else { return }
        let fitting =
            count + elements.count <= capacity || reserveCapacity(count + elements.count)
            ? elements.count : Swift.max(0, capacity - count)
        guard fitting > 0, let base, let source = elements.baseAddress else { return }
        (base + count).update(from: source, count: fitting)
        storedCount += fitting
    }

    /// Makes the array exactly `newCount` copies of `value` (the old contents are wiped first). Returns false, leaving
    /// the array empty, when the kernel refuses the memory.
    @discardableResult
    public func resize(to newCount: Int, repeating value: Element) -> Bool {
        removeAll()
        guard newCount > 0 else { return true }
        guard reserveCapacity(newCount), let base else { return false }
        base.initialize(repeating: value, count: newCount)
        storedCount = newCount
        return true
    }

    public func withUnsafeMutableBufferPointer<R, E: Error>(
        _ body: (UnsafeMutableBufferPointer<Element>) throws(E) -> R
    ) throws(E) -> R {
        try body(UnsafeMutableBufferPointer(start: base, count: count))
    }

    /// Empties the array for reuse: the used part is wiped, the capacity kept.
    public func removeAll() {
        if let base, count > 0 { secureZero(base, count * MemoryLayout<Element>.stride) }
        storedCount = 0
    }

    public func withUnsafeBufferPointer<R, E: Error>(_ body: (UnsafeBufferPointer<Element>) throws(E) -> R) throws(E)
        -> R
    {
        try body(UnsafeBufferPointer(start: base.map { UnsafePointer($0) }, count: count))
    }

    public func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try body(
            UnsafeRawBufferPointer(
                start: base.map { UnsafeRawPointer($0) }, count: count * MemoryLayout<Element>.stride))
    }

    /// Whether the memory is locked out of swap (false only with `--allow-swappable-memory` and a refused lock).
    public var isLocked: Bool { storage?.isLocked ?? true }
}

extension SecureArray: RandomAccessCollection {
    @inlinable public var startIndex: Int { 0 }
    @inlinable public var endIndex: Int { storedCount }

    @inlinable
    public subscript(position: Int) -> Element {
        get {
            precondition(position >= 0 && position < storedCount, "SecureArray index \(position) out of range")
            return elements.unsafelyUnwrapped[position]
        }
        set {
            precondition(position >= 0 && position < storedCount, "SecureArray index \(position) out of range")
            elements.unsafelyUnwrapped[position] = newValue
        }
    }
}
