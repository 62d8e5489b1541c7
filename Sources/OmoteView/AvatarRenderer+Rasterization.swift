import OmoteCore
import OmoteRig

/// A triangle ready to scan: three planes over screen coordinates giving the barycentric weights of its vertices
/// (all ≥ 0 inside), the plane of 1/depth, and its pixel bounding box clipped to the picture.
struct TriangleSetup {
    /// Each plane is (∂/∂x, ∂/∂y, value at the centre pixel).
    var weightA: SIMD3<Float>
    var weightB: SIMD3<Float>
    var weightC: SIMD3<Float>
    var inverseDepth: SIMD3<Float>
    /// 1 / twice the screen area, pixels².
    var inverseArea: Float
    var minX: Int
    var maxX: Int
    var minY: Int
    var maxY: Int
    var backFacing: Bool

    /// The edge function of a→b, positive on the side of a counter-clockwise (front-facing) triangle's interior.
    /// Evaluated from the endpoints in a fixed order, so the triangle across the edge gets exactly the negated
    /// coefficients and the two never leave a crack between them.
    @inline(__always)
    static func edge(_ ax: Float, _ ay: Float, _ bx: Float, _ by: Float) -> SIMD3<Float> {
        if ax < bx || (ax == bx && ay < by) {
            let a = by - ay
            let b = ax - bx
            return SIMD3(a, b, -(a * ax + b * ay))
        }
        let a = ay - by
        let b = bx - ax
        return -SIMD3(a, b, -(a * bx + b * by))
    }

    /// Nil when the triangle is culled, behind the near plane, degenerate or covers no pixel centre.
    @inline(__always)
    init?(
        _ ia: Int, _ ib: Int, _ ic: Int, x: MemoryView<Float>, y: MemoryView<Float>, w: MemoryView<Float>,
        culling: RenderPass.Culling, _ frame: FrameContext
    ) {
        let wa = w[ia]
        let wb = w[ib]
        let wc = w[ic]
        guard wa > 0, wb > 0, wc > 0 else { return nil }
        let ax = x[ia]
        let ay = y[ia]
        let bx = x[ib]
        let by = y[ib]
        let cx = x[ic]
        let cy = y[ic]
        // Culling first: it is the cheapest test and rejects about half of a closed mesh's triangles.
        var area = (by - ay) * (cx - ax) - (bx - ax) * (cy - ay)
        switch culling {
        case .backFaces: guard area > 0 else { return nil }
        case .frontFaces: guard area < 0 else { return nil }
        case .none: guard area != 0 else { return nil }
        }
        // Pixel bounds next: most triangles of a detailed avatar are small and many fall between pixel centres.
        // (Plain comparisons compile to minss / maxss; the standard min and max branch on NaN.)
        @inline(__always) func least(_ a: Float, _ b: Float) -> Float { b < a ? b : a }
        @inline(__always) func most(_ a: Float, _ b: Float) -> Float { b > a ? b : a }
        let lowX = most(least(least(ax, bx), cx) + frame.originX, -1)
        let highX = least(most(most(ax, bx), cx) + frame.originX, Float(frame.width))
        let lowY = most(least(least(ay, by), cy) + frame.originY, -1)
        let highY = least(most(most(ay, by), cy) + frame.originY, Float(frame.height))
        guard lowX <= highX, lowY <= highY else { return nil }
        minX = max(0, Int(lowX.rounded(.up)))
        maxX = min(frame.width - 1, Int(highX.rounded(.down)))
        minY = max(0, Int(lowY.rounded(.up)))
        maxY = min(frame.height - 1, Int(highY.rounded(.down)))
        guard minX <= maxX, minY <= maxY else { return nil }
        var edgeA = Self.edge(bx, by, cx, cy)
        var edgeB = Self.edge(cx, cy, ax, ay)
        var edgeC = Self.edge(ax, ay, bx, by)
        backFacing = area < 0
        if backFacing {
            // Seen from behind: flip the edges so the interior is again where all three are ≥ 0.
            edgeA = -edgeA
            edgeB = -edgeB
            edgeC = -edgeC
            area = -area
        }
        inverseArea = 1 / area
        guard inverseArea.isFinite else { return nil }
        weightA = edgeA * inverseArea
        weightB = edgeB * inverseArea
        weightC = edgeC * inverseArea
        inverseDepth = weightA * wa + weightB * wb + weightC * wc
    }
}

@inline(__always)
private func evaluate(_ plane: SIMD3<Float>, _ x: SIMD8<Float>, row: Float) -> SIMD8<Float> {
    SIMD8(repeating: row).addingProduct(x, SIMD8(repeating: plane.x))
}

extension AvatarRenderer {
    /// Rasterises a pass of opaque or cut-out triangles (or an outline hull) into the G-buffer: per covered pixel
    /// nearer than what is there, its depth and record id; and the record of every triangle that covered one.
    /// Returns the bounds of the triangles that covered a pixel.
    @discardableResult
    func rasterizeIntoGBuffer(_ pass: RenderPass, _ frame: FrameContext) -> DrawnRect {
        let x = pass.isOutline ? frame.outlineX : frame.screenX
        let y = pass.isOutline ? frame.outlineY : frame.screenY
        let w = pass.isOutline ? frame.outlineInverseDepth : frame.inverseDepth
        let material = frame.materials[pass.material]
        let isCutOut = material.cutoff >= 0 && !pass.isOutline
        let shading = 2 * pass.material + (pass.isOutline ? 1 : 0)
        let indices = frame.indices
        let spanShading = scene.spanShading.view
        // Lane offsets of an 8-pixel span (a local: a global's lazy initialisation check is not free).
        let spanLanes = SIMD8<Float>(0, 1, 2, 3, 4, 5, 6, 7)
        // The alpha test's texel loads go through a scratch (see `SpanScratch`).
        return withUnsafeTemporaryAllocation(of: Lanes.self, capacity: SpanSlot.count) { buffer in
            var bounds = DrawnRect()
            buffer.initialize(repeating: Lanes())
            let scratch = SpanScratch(
                base: UnsafeMutableRawPointer(buffer.baseAddress!).assumingMemoryBound(to: Float.self))
            for t in pass.triangles {
                let ia = Int(indices[3 * t])
                let ib = Int(indices[3 * t + 1])
                let ic = Int(indices[3 * t + 2])
                guard let setup = TriangleSetup(ia, ib, ic, x: x, y: y, w: w, culling: pass.culling, frame) else {
                    continue
                }
                // A hull triangle is mostly behind the surface it wraps: skip it when no pixel of it can be nearer.
                if pass.isOutline, frame.isBehindTileDepth(setup, nearest: max(w[ia], w[ib], w[ic])) { continue }
                let record = t + pass.recordOffset
                let id = SIMD8<UInt32>(repeating: UInt32(record + 1))
                let density = frame.uvAreas[t] * setup.inverseArea
                let cutOut =
                    isCutOut ? CutOutTest(setup, ia, ib, ic, w: w, density: density, material: material, frame) : nil
                // Lanes covered anywhere in the triangle, reduced once at its end: a per-span `any` (a horizontal
                // reduction feeding a branch) cost more than storing back unchanged lanes.
                var drawnLanes = SIMDMask<SIMD8<Int32>>()
                for row in setup.minY ... setup.maxY {
                    let py = Float(row) - frame.originY
                    let rowA = setup.weightA.y * py + setup.weightA.z
                    let rowB = setup.weightB.y * py + setup.weightB.z
                    let rowC = setup.weightC.y * py + setup.weightC.z
                    let rowZ = setup.inverseDepth.y * py + setup.inverseDepth.z
                    let rowStart = row * frame.gStride
                    var span = setup.minX & ~7
                    while span <= setup.maxX {
                        let px = SIMD8(repeating: Float(span) - frame.originX) + spanLanes
                        let la = evaluate(setup.weightA, px, row: rowA)
                        let lb = evaluate(setup.weightB, px, row: rowB)
                        let lc = evaluate(setup.weightC, px, row: rowC)
                        let inside = (la .>= 0) .& (lb .>= 0) .& (lc .>= 0)
                        let z = evaluate(setup.inverseDepth, px, row: rowZ)
                        let index = rowStart + span
                        let oldDepth = frame.depth.load(SIMD8<Float>.self, at: index)
                        var covered = inside .& (z .> oldDepth)
                        if let cutOut, any(covered) {
                            covered = cutOut.passing(covered, px: px, py: py, z: z, scratch: scratch)
                        }
                        frame.depth.store(oldDepth.replacing(with: z, where: covered), at: index)
                        let oldID = frame.triangles.load(SIMD8<UInt32>.self, at: index)
                        frame.triangles.store(oldID.replacing(with: id, where: covered), at: index)
                        drawnLanes .|= covered
                        span += 8
                    }
                }
                if any(drawnLanes) {
                    bounds.include(setup)
                    frame.records[record + 1] = TriangleRecord(
                        setup, ia, ib, ic, w: w, shading: shading, density: density,
                        flipsNormal: setup.backFacing && !pass.isOutline, spanShading: spanShading, frame)
                }
            }
            return bounds
        }
    }
}
