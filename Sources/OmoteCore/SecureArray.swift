/// A growable array of plain values (landmarks, weights, vertices, the terminal canvas) in private memory: each
/// backing store is a `SecureBuffer` — locked out of swap, excluded from dumps, wiped when released — and the used
/// part is wiped again whenever the array is emptied for reuse, so stale expression values do not linger.
///
/// Growth maps a new buffer, copies, and wipes the old one; it never touches the malloc heap, so steady-state use
/// allocates nothing. A growth the kernel refuses (a locked-memory limit) drops the elements that do not fit and is
/// kept in `growthError`, for the owner to report: appending never crashes.
public final class SecureArray<Element: BitwiseCopyable> {
    private var storage: SecureBuffer?
    public private(set) var count = 0
    /// Why the array could not grow, if it could not (the elements past `capacity` were dropped).
    public private(set) var growthError: SecureBufferError?

    /// An empty array; `reserveCapacity` or the first append maps its memory.
    public init() {}

    public var capacity: Int { (storage?.count ?? 0) / MemoryLayout<Element>.stride }

    private var base: UnsafeMutablePointer<Element>? { storage?.baseAddress.assumingMemoryBound(to: Element.self) }

    /// Makes room for at least `minimum` elements. Returns false (and sets `growthError`) when the kernel refuses.
    @discardableResult
    public func reserveCapacity(_ minimum: Int) -> Bool {
        guard minimum > capacity else { return true }
        let newCapacity = Swift.max(minimum, capacity * 2, 16)
        do throws(SecureBufferError) {
            let bigger = try SecureBuffer(count: newCapacity * MemoryLayout<Element>.stride)
            if let old = storage?.baseAddress, count > 0 {
                bigger.baseAddress.copyMemory(from: old, byteCount: count * MemoryLayout<Element>.stride)
            }
            storage = consume bigger  // the old buffer is wiped and unmapped as it is released
            return true
        } catch {
            growthError = error
            return false
        }
    }

    public func append(_ element: Element) {
        guard count < capacity || reserveCapacity(count + 1), let base else { return }
        base[count] = element
        count += 1
    }

    public func append(contentsOf elements: UnsafeBufferPointer<Element>) {
        guard !elements.isEmpty else { return }
        let fitting =
            count + elements.count <= capacity || reserveCapacity(count + elements.count)
            ? elements.count : Swift.max(0, capacity - count)
        guard fitting > 0, let base, let source = elements.baseAddress else { return }
        (base + count).update(from: source, count: fitting)
        count += fitting
    }

    /// Makes the array exactly `newCount` copies of `value` (the old contents are wiped first). Returns false, leaving
    /// the array empty, when the kernel refuses the memory.
    @discardableResult
    public func resize(to newCount: Int, repeating value: Element) -> Bool {
        removeAll()
        guard newCount > 0 else { return true }
        guard reserveCapacity(newCount), let base else { return false }
        base.initialize(repeating: value, count: newCount)
        count = newCount
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
        count = 0
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
    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    public subscript(position: Int) -> Element {
        get {
            precondition(position >= 0 && position < count, "SecureArray index \(position) out of range 0..<\(count)")
            return base![position]
        }
        set {
            precondition(position >= 0 && position < count, "SecureArray index \(position) out of range 0..<\(count)")
            base![position] = newValue
        }
    }
}
