import OmoteCore

/// MediaPipe's 478 face-mesh landmarks (468 mesh points, then 5 per iris: right eye 468…472, left eye 473…477), as
/// MediaPipe's `NormalizedLandmark`s: x, y in 0…1 of the frame's width and height, z relative depth on the scale of
/// x (smaller is nearer the camera). Landmarks are expression data, so the points live in private memory (a
/// `RigidPrivateBuffer`: locked out of swap, out of core dumps, wiped when released and at exit), mapped once when the value
/// is made and overwritten in place every frame. One owner (`~Copyable`): a second set of points exists only through
/// an explicit `copy(into:)` into memory its owner already holds, so nothing maps memory behind the caller's back,
/// and a refused mapping is an error when the value is made, never a silently empty or shortened set.
public struct MeshLandmarks: ~Copyable {
    public static let count = 478
    /// Points of the face mesh proper (what the face geometry pipeline's canonical model covers).
    public static let meshCount = 468

    private let storage: RigidPrivateBuffer<SIMD3<Float>>

    /// 478 zero points in newly mapped private memory. Throws when the kernel refuses the locked pages.
    public init() throws(OmoteError) {
        storage = try RigidPrivateBuffer(count: Self.count)
        count = Self.count
    }

    /// Points held: 478 (fewer only after the test-only `removeLast`).
    public private(set) var count: Int

    /// A window on the points, valid while this value lives.
    public var points: MemoryView<SIMD3<Float>> { MemoryView(baseAddress: storage.baseAddress, count: count) }

    public subscript(index: Int) -> SIMD3<Float> {
        get { points[index] }
        nonmutating set { points[index] = newValue }
    }

    public func withUnsafeBufferPointer<R, E: Error>(_ body: (UnsafeBufferPointer<SIMD3<Float>>) throws(E) -> R)
        throws(E) -> R
    {
        try body(UnsafeBufferPointer(points.buffer))
    }

    public mutating func withUnsafeMutableBufferPointer<R, E: Error>(
        _ body: (UnsafeMutableBufferPointer<SIMD3<Float>>) throws(E) -> R
    ) throws(E) -> R {
        try body(points.buffer)
    }

    /// Copies these points into `target`'s own memory (no mapping, no allocation). Throws when the two hold different
    /// numbers of points rather than copying part of them.
    public func copy(into target: inout MeshLandmarks) throws(OmoteError) {
        guard target.count == count else {
            throw OmoteError(
                .meshInputInvalid, operation: "copy face landmarks", subject: "",
                reason: "\(count) points into a set of \(target.count)",
                remedy: "Copy between sets of \(Self.count) points.")
        }
        withUnsafeBufferPointer { source in
            target.withUnsafeMutableBufferPointer { _ = $0.update(fromContentsOf: source) }
        }
    }

    /// A new set with the same points, in its own private memory (tests and fixtures).
    package func copy() throws(OmoteError) -> MeshLandmarks {
        var copy = try MeshLandmarks()
        try self.copy(into: &copy)
        return copy
    }

    /// Whether both hold the same points.
    public func hasSamePoints(as other: borrowing MeshLandmarks) -> Bool {
        withUnsafeBufferPointer { a in other.withUnsafeBufferPointer { b in a.elementsEqual(b) } }
    }

    /// Drops the last point (tests of malformed input).
    package mutating func removeLast() {
        count -= 1
        storage[count] = .zero
    }

    /// Whether the points live in registered private memory.
    package var isPrivate: Bool { storage.isPrivate }

    /// Zeroes the points (the face is gone).
    public mutating func wipe() { storage.wipe() }

    /// Redacted: expression data never reaches a log line.
    public var description: String { "MeshLandmarks(\(count) points, redacted)" }
}
