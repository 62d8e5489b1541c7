import OmoteCore
import OmoteRig

extension AvatarRenderer {
    /// Per 8×8 tile of the G-buffer, the farthest 1/depth drawn in it (0 while any pixel of it is empty). Built after
    /// the surfaces (which drew only inside `drawn`) and before their outline hulls, which only bring pixels nearer,
    /// so it stays a bound for them.
    func buildTileDepth(_ frame: FrameContext, drawn: DrawnRect) {
        let tilesX = frame.gStride / 8
        frame.tileDepth.fill(with: 0)
        guard !drawn.isEmpty else { return }
        for tileY in drawn.minY >> 3 ... drawn.maxY >> 3 {
            let top = tileY * 8
            let bottom = min(frame.height, top + 8)
            for tileX in drawn.minX >> 3 ... drawn.maxX >> 3 {
                // (Comparisons and blends throughout: the standard `pointwiseMin` and `min()` handle NaN lane by
                // lane, with branches.)
                var farthest = frame.depth.load(SIMD8<Float>.self, at: top * frame.gStride + tileX * 8)
                for row in top + 1 ..< bottom {
                    let depth = frame.depth.load(SIMD8<Float>.self, at: row * frame.gStride + tileX * 8)
                    farthest.replace(with: depth, where: depth .< farthest)
                }
                var four = farthest.lowHalf
                four.replace(with: farthest.highHalf, where: farthest.highHalf .< four)
                var two = four.lowHalf
                two.replace(with: four.highHalf, where: four.highHalf .< two)
                frame.tileDepth[tileY * tilesX + tileX] = two.y < two.x ? two.y : two.x
            }
        }
    }
}

extension FrameContext {
    /// Whether a triangle whose nearest vertex has 1/depth `nearest` fails the depth test on every pixel of its
    /// bounding box (1/depth across a triangle never exceeds its vertices').
    @inline(__always)
    func isBehindTileDepth(_ setup: TriangleSetup, nearest: Float) -> Bool {
        let tilesX = gStride / 8
        for tileY in setup.minY >> 3 ... setup.maxY >> 3 {
            for tileX in setup.minX >> 3 ... setup.maxX >> 3 where nearest > tileDepth[tileY * tilesX + tileX] {
                return false
            }
        }
        return true
    }
}
