import OmoteCore
import OmoteRig

/// The pixels a frame drew into the G-buffer, as a bounding rectangle (inclusive; empty when `minX > maxX`). The next
/// frame clears only it, and the tile depth and the shading pass skip what lies outside.
struct DrawnRect {
    var minX = Int.max
    var maxX = -1
    var minY = Int.max
    var maxY = -1

    var isEmpty: Bool { minX > maxX || minY > maxY }

    static func whole(width: Int, height: Int) -> DrawnRect {
        DrawnRect(minX: 0, maxX: width - 1, minY: 0, maxY: height - 1)
    }

    @inline(__always)
    mutating func include(_ setup: TriangleSetup) {
        minX = min(minX, setup.minX)
        maxX = max(maxX, setup.maxX)
        minY = min(minY, setup.minY)
        maxY = max(maxY, setup.maxY)
    }

    mutating func include(_ other: DrawnRect) {
        minX = min(minX, other.minX)
        maxX = max(maxX, other.maxX)
        minY = min(minY, other.minY)
        maxY = max(maxY, other.maxY)
    }
}

extension AvatarRenderer {
    /// Empties the G-buffer where the last frame drew (rows of whole 8-pixel spans).
    func clearGBuffer(_ rect: DrawnRect) {
        guard !rect.isEmpty else { return }
        let start = rect.minX & ~7
        let count = min(gStride, (rect.maxX + 8) & ~7) - start
        let depth = depthStore.view
        let triangles = triangleStore.view
        for row in rect.minY ... rect.maxY {
            (depth.baseAddress + row * gStride + start).update(repeating: 0, count: count)
            (triangles.baseAddress + row * gStride + start).update(repeating: 0, count: count)
        }
    }
}
