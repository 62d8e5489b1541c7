/// The 2×2 texels around each lane's texture coordinate, wrapped as glTF's REPEAT wraps, and the bilinear weights
/// between them: shared by the span sampler and the cut-out alpha test so both read the same texels.
struct BilinearFootprint {
    var x0: Lanes, x1: Lanes, y0: Lanes, y1: Lanes
    var fx: Lanes, fy: Lanes

    @inline(__always)
    init(u: Lanes, v: Lanes, width: Lanes, height: Lanes) {
        let x = (u - u.rounded(.down)) * width - 0.5
        let y = (v - v.rounded(.down)) * height - 0.5
        x0 = x.rounded(.down)
        y0 = y.rounded(.down)
        fx = x - x0
        fy = y - y0
        x0 = x0.replacing(with: x0 + width, where: x0 .< 0)
        y0 = y0.replacing(with: y0 + height, where: y0 .< 0)
        x1 = x0 + 1
        y1 = y0 + 1
        x1 = x1.replacing(with: x1 - width, where: x1 .>= width)
        y1 = y1.replacing(with: y1 - height, where: y1 .>= height)
    }
}
