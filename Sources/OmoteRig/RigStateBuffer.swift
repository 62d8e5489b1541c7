/// A read-only view of one of a `RigState`'s buffers in private memory: the state's current frame (not a copy), for
/// the painter and tests. It keeps the state, and so the memory, alive while it exists. Copying it out
/// (`Array(state.positions)`) puts expression data in ordinary heap memory: tests may, the per-frame path does not.
public struct RigStateBuffer<Element>: RandomAccessCollection {
    private let owner: RigState
    private let base: UnsafePointer<Element>
    public let count: Int

    init(owner: RigState, base: UnsafePointer<Element>, count: Int) {
        self.owner = owner
        self.base = base
        self.count = count
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    public subscript(position: Int) -> Element {
        precondition(position >= 0 && position < count, "RigStateBuffer index \(position) outside 0..<\(count)")
        // The pointer is the owner's memory: keep the owner alive until the element is read.
        return withExtendedLifetime(owner) { base[position] }
    }

    /// The elements as a buffer pointer, valid only inside `body`.
    public func withUnsafeBufferPointer<R, E: Error>(_ body: (UnsafeBufferPointer<Element>) throws(E) -> R) throws(E)
        -> R
    {
        defer { withExtendedLifetime(owner) {} }
        return try body(UnsafeBufferPointer(start: base, count: count))
    }
}
