/// A fixed number of plain values in private memory — decoded frames, a rig state's vertices, the tracker's scores:
/// whole pages locked out of swap (`mlock`), excluded from core dumps (`MADV_DONTDUMP`), registered for the exit wipe
/// (`PrivateMemory`) and wiped, unlocked and unmapped when released. "Rigid": its size is fixed when it is made, so
/// nothing maps memory later. One owner (`~Copyable`): a second copy of the contents exists only where its owner
/// writes it. Hot loops take its `view` rather than nesting `withUnsafe…` closures.
public struct RigidPrivateBuffer<Element: BitwiseCopyable>: ~Copyable {
    public let count: Int
    public let baseAddress: UnsafeMutablePointer<Element>
    private let mapping: PrivateMapping

    /// `count` zeroed elements in newly mapped private memory. Throws when the kernel refuses the mapping, or the lock
    /// (a low RLIMIT_MEMLOCK) unless the user allowed swappable memory.
    public init(count: Int) throws(OmoteError) {
        precondition(count >= 0, "a private buffer cannot have a negative count")
        mapping = try PrivateMapping(bytes: count * MemoryLayout<Element>.stride)
        baseAddress = mapping.base.bindMemory(to: Element.self, capacity: Swift.max(count, 1))
        self.count = count
    }

    /// `count` copies of `value` in newly mapped private memory (one, for a single value such as a frame's result).
    public init(repeating value: Element, count: Int = 1) throws(OmoteError) {
        try self.init(count: count)
        baseAddress.update(repeating: value, count: count)
    }

    deinit { mapping.release() }

    /// A window on the elements, valid while this buffer lives.
    @inlinable
    public var view: MemoryView<Element> { MemoryView(baseAddress: baseAddress, count: count) }

    @inlinable
    public subscript(index: Int) -> Element {
        get { view[index] }
        nonmutating set { view[index] = newValue }
    }

    /// The one element of a single-value buffer (`init(repeating:)` with the default count).
    @inlinable
    public var value: Element {
        get { view[0] }
        nonmutating set { view[0] = newValue }
    }

    /// The contents as bytes (the decoder writes pixels through them).
    public var bytes: UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(start: baseAddress, count: count * MemoryLayout<Element>.stride)
    }

    /// Whether `mlock` succeeded (false only when the user allowed swappable memory and the lock was refused).
    public var isLocked: Bool { mapping.isLocked }

    /// Whether the memory is registered private memory (tests).
    package var isPrivate: Bool { PrivateMemory.isLive(mapping.base) }

    /// Overwrites every page of the buffer with zeros (a store the optimiser cannot remove).
    public func wipe() { mapping.wipe() }
}
