import OmoteCore
import Testing

@Suite("FaceLandmarks: a face's 68 points in private memory")
struct FaceLandmarksTests {
    @Test("points live in registered private memory, read and write like an array")
    func privatePoints() throws {
        var landmarks = try FaceLandmarks()
        #expect(landmarks.isPrivate && SecureMemory.isLive(landmarks.baseAddress))
        landmarks[30] = SIMD2(320, 180)
        #expect(landmarks[30] == SIMD2(320, 180))
        let from = try FaceLandmarks(points: (0 ..< 68).map { SIMD2(Float($0), 1) })
        #expect(from[67] == SIMD2(67, 1) && from.isPrivate)
        #expect(from.points.count == 68)
    }

    @Test("a copy shares storage until it is written, then gets its own private storage; values stay independent")
    func copyOnWrite() throws {
        var a = try FaceLandmarks()
        a[0] = SIMD2(1, 2)
        var b = a
        #expect(b.baseAddress == a.baseAddress && a == b)
        b[0] = SIMD2(5, 6)
        #expect(b.baseAddress != a.baseAddress)
        #expect(a[0] == SIMD2(1, 2) && b[0] == SIMD2(5, 6))
        #expect(b.isPrivate && a != b)
        // A unique value is written in place.
        let before = b.baseAddress
        b.withUnsafeMutableBufferPointer { $0[1] = SIMD2(7, 8) }
        #expect(b.baseAddress == before)
    }

    @Test("wipe zeroes the points in place; release unregisters the memory")
    func wipeAndRelease() throws {
        var address: UnsafeMutableRawPointer?
        do {
            var landmarks = try FaceLandmarks()
            landmarks[45] = SIMD2(9, 9)
            landmarks.wipe()
            #expect(landmarks.withUnsafeBufferPointer { $0.allSatisfy { $0 == .zero } })
            address = landmarks.baseAddress
            #expect(SecureMemory.isLive(address!))
        }
        #expect(!SecureMemory.isLive(address!))
    }
}
