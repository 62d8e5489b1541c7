import Synchronization

/// Hands large per-frame results (the deformed avatar mesh) from the processing thread to the drawing thread without
/// copying and without either side waiting for the other's work: three preallocated slots, and only slot indices
/// change hands under the lock. The writer fills its back slot and publishes it; the reader takes the newest published
/// slot. Neither ever sees a slot the other is using.
public final class TripleBuffer<Slot: AnyObject>: @unchecked Sendable {
    private let slots: [Slot]
    private struct Indices {
        var back = 0
        var ready = 1
        var front = 2
        var fresh = false
    }
    private let indices = Mutex(Indices())
    /// Only the writer thread reads these between publishes.
    private var writerBack = 0
    private var readerFront = 2

    public init<E: Error>(_ make: () throws(E) -> Slot) throws(E) { slots = [try make(), try make(), try make()] }

    /// The writer's slot to fill (only the writer thread may touch it until `publish`).
    public var back: Slot { slots[writerBack] }

    /// Makes the back slot the newest result and gives the writer a free slot.
    public func publish() {
        writerBack = indices.withLock { i in
            swap(&i.back, &i.ready)
            i.fresh = true
            return i.back
        }
    }

    /// The newest published slot (only the reader thread may touch it until the next `acquireNewest`), and whether it
    /// is new since the last call.
    public func acquireNewest() -> (slot: Slot, isNew: Bool) {
        let (front, isNew) = indices.withLock { i -> (Int, Bool) in
            guard i.fresh else { return (i.front, false) }
            swap(&i.front, &i.ready)
            i.fresh = false
            return (i.front, true)
        }
        readerFront = front
        return (slots[front], isNew)
    }
}
