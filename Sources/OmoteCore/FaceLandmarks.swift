/// The 68 facial landmarks of the iBUG 300-W convention (dlib's order: jaw 0–16, brows 17–26, nose 27–35,
/// eyes 36–47, mouth 48–67), in image pixels.
///
/// Expression data, so the points live in private memory (a private `AlignedBuffer`: locked, out of dumps, wiped at
/// exit and when released). Storage is mapped once and overwritten in place every frame. A value type: a copy shares
/// the storage until one side writes, and that write maps new storage — the per-frame path never does it (the
/// tracker swaps values, the pipeline copies points into its own). Such a copy cannot throw: if the kernel refuses its
/// pages, the process stops with the lock error rather than put a face in swappable memory.
public struct FaceLandmarks: Sendable, Equatable {
    public static let count = 68

    /// One face's points in private memory, shared by copies of the value until one writes.
    final class Storage: @unchecked Sendable {
        let points: AlignedBuffer<SIMD2<Float>>

        init() throws(OmoteError) {
            points = try AlignedBuffer(privateCount: FaceLandmarks.count, repeating: .zero)
        }
    }

    private var storage: Storage

    /// 68 points at the origin, in newly mapped private memory. Throws when the kernel refuses the locked pages.
    public init() throws(OmoteError) { storage = try Storage() }

    /// A face from 68 points held elsewhere (tests, fixtures).
    public init(points: [SIMD2<Float>]) throws(OmoteError) {
        precondition(points.count == Self.count, "a face has exactly 68 landmarks")
        storage = try Storage()
        for (index, point) in points.enumerated() { storage.points[index] = point }
    }

    public subscript(index: Int) -> SIMD2<Float> {
        get {
            precondition(index >= 0 && index < Self.count, "landmark \(index) outside 0..<68")
            return storage.points[index]
        }
        set {
            precondition(index >= 0 && index < Self.count, "landmark \(index) outside 0..<68")
            makeUnique()
            storage.points[index] = newValue
        }
    }

    public func withUnsafeBufferPointer<R, E: Error>(_ body: (UnsafeBufferPointer<SIMD2<Float>>) throws(E) -> R)
        throws(E) -> R
    {
        try body(UnsafeBufferPointer(start: storage.points.baseAddress, count: Self.count))
    }

    public mutating func withUnsafeMutableBufferPointer<R, E: Error>(
        _ body: (UnsafeMutableBufferPointer<SIMD2<Float>>) throws(E) -> R
    ) throws(E) -> R {
        makeUnique()
        return try body(UnsafeMutableBufferPointer(start: storage.points.baseAddress, count: Self.count))
    }

    /// Zeroes the points in place. A copy held elsewhere keeps its own points (value semantics): this value then moves
    /// to fresh zeroed storage, and the shared points are wiped when their last holder releases them. (If the kernel
    /// refuses the fresh pages, this value keeps sharing; the points are still private memory.)
    public mutating func wipe() {
        if isKnownUniquelyReferenced(&storage) {
            storage.points.wipe()
        } else if let fresh = try? Storage() {
            storage = fresh
        }
    }

    /// The points as an ordinary array: a heap copy, for tests only.
    package var points: [SIMD2<Float>] { withUnsafeBufferPointer { Array($0) } }

    /// Whether the points live in registered private memory.
    package var isPrivate: Bool { storage.points.isPrivate }

    /// The address of the points (tests check that it is private memory, and what reuse does to it).
    package var baseAddress: UnsafeMutableRawPointer { UnsafeMutableRawPointer(storage.points.baseAddress) }

    public static func == (lhs: FaceLandmarks, rhs: FaceLandmarks) -> Bool {
        lhs.storage === rhs.storage
            || lhs.withUnsafeBufferPointer { a in rhs.withUnsafeBufferPointer { b in a.elementsEqual(b) } }
    }

    private mutating func makeUnique() {
        guard !isKnownUniquelyReferenced(&storage) else { return }
        do throws(OmoteError) {
            let copy = try Storage()
            copy.points.baseAddress.update(from: storage.points.baseAddress, count: Self.count)
            storage = copy
        } catch {
            fatalError("a copy of a face's landmarks needs private memory: \(error)")
        }
    }
}

extension FaceLandmarks: CustomStringConvertible {
    /// Redacted: expression data never reaches a log line.
    public var description: String { "FaceLandmarks(68 points, redacted)" }
}
