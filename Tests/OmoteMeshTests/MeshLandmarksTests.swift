import OmoteCore
import OmoteMesh
import Testing

/// One owner, explicit copies: a second set of points exists only where its owner made room for it, and a copy
/// that cannot be whole is an error, not a shortened set.
@Suite struct MeshLandmarksTests {
    @Test("copy(into:) fills the target's own private memory; the two sets are independent afterwards")
    func copyIsExplicitAndIndependent() throws {
        let original = try MeshLandmarks()
        for index in 0 ..< MeshLandmarks.count { original[index] = SIMD3(Float(index), 1, 2) }
        var target = try MeshLandmarks()
        try original.copy(into: &target)
        #expect(target.hasSamePoints(as: original) && target.isPrivate)
        target[7] = SIMD3(-1, -1, -1)
        #expect(original[7] == SIMD3(7, 1, 2) && !target.hasSamePoints(as: original))
        target.wipe()
        #expect(original[477] == SIMD3(477, 1, 2))
    }

    @Test("a copy between sets of different sizes is refused whole, in either direction, the target untouched")
    func mismatchedCopyIsRefused() throws {
        let full = try MeshLandmarks()
        full[0] = SIMD3(9, 9, 9)
        var short = try MeshLandmarks()
        short.removeLast()
        // 478 points into a set of 477.
        do {
            try full.copy(into: &short)
            Issue.record("478 points were copied into a set of 477")
        } catch {
            #expect(error.code == .meshInputInvalid && error.reason == "478 points into a set of 477")
        }
        #expect(short[0] == .zero)
        // 477 points into a set of 478.
        var target = try MeshLandmarks()
        do {
            try short.copy(into: &target)
            Issue.record("477 points were copied into a set of 478")
        } catch {
            #expect(error.code == .meshInputInvalid && error.reason == "477 points into a set of 478")
        }
        #expect(target[0] == .zero)
    }
}
