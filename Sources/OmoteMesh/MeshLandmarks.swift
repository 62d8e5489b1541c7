import OmoteCore

/// MediaPipe's 478 face-mesh landmarks (468 mesh points, then 5 per iris: right eye 468…472, left eye 473…477), as
/// MediaPipe's `NormalizedLandmark`s: x, y in 0…1 of the frame's width and height, z relative depth on the scale of
/// x (smaller is nearer the camera). Landmarks are expression data, so the points live in private memory (a
/// `SecureArray`: locked out of swap, out of core dumps, wiped when released and at exit), allocated once and
/// overwritten in place every frame. A value type: a copy gets its own private memory when either side is written.
public struct MeshLandmarks: Equatable {
    public static let count = 478
    /// Points of the face mesh proper (what the face geometry pipeline's canonical model covers).
    public static let meshCount = 468

    private var storage: SecureArray<SIMD3<Float>>

    /// 478 zero points. If the kernel refuses the locked memory, `count` is 0 and `memoryError` says why (the tracker
    /// checks this at load and refuses to run).
    public init() {
        storage = SecureArray()
        storage.resize(to: Self.count, repeating: .zero)
    }

    /// Points held: 478, or 0 when the memory was refused.
    public var count: Int { storage.count }

    /// Why the private memory could not be had, if it could not.
    public var memoryError: OmoteError? { storage.growthError }

    public subscript(index: Int) -> SIMD3<Float> {
        get { storage[index] }
        set {
            makeUnique()
            storage[index] = newValue
        }
    }

    public func withUnsafeBufferPointer<R, E: Error>(_ body: (UnsafeBufferPointer<SIMD3<Float>>) throws(E) -> R)
        throws(E) -> R
    {
        try storage.withUnsafeBufferPointer(body)
    }

    public mutating func withUnsafeMutableBufferPointer<R, E: Error>(
        _ body: (UnsafeMutableBufferPointer<SIMD3<Float>>) throws(E) -> R
    ) throws(E) -> R {
        makeUnique()
        return try storage.withUnsafeMutableBufferPointer(body)
    }

    /// Copies `other`'s points into this value's own memory (no allocation when this one is not shared).
    public mutating func assign(_ other: MeshLandmarks) {
        withUnsafeMutableBufferPointer { target in
            other.withUnsafeBufferPointer { source in _ = target.update(fromContentsOf: source) }
        }
    }

    /// Drops the last point (tests of malformed input).
    package mutating func removeLast() {
        let kept = Array(storage.dropLast())
        storage = SecureArray()
        kept.withUnsafeBufferPointer { storage.append(contentsOf: $0) }
    }

    /// Whether the points live in registered private memory.
    package var isPrivate: Bool {
        storage.withUnsafeBufferPointer { points in
            points.baseAddress.map { SecureMemory.isLive(UnsafeMutableRawPointer(mutating: $0)) } ?? false
        }
    }

    /// Zeroes the points (the face is gone).
    public mutating func wipe() { withUnsafeMutableBufferPointer { $0.update(repeating: .zero) } }

    public static func == (a: MeshLandmarks, b: MeshLandmarks) -> Bool { a.storage.elementsEqual(b.storage) }

    private mutating func makeUnique() {
        guard !isKnownUniquelyReferenced(&storage) else { return }
        let copy = SecureArray<SIMD3<Float>>()
        storage.withUnsafeBufferPointer { copy.append(contentsOf: $0) }
        storage = copy
    }
}

extension MeshLandmarks: CustomStringConvertible {
    /// Redacted: expression data never reaches a log line.
    public var description: String { "MeshLandmarks(478 points, redacted)" }
}
