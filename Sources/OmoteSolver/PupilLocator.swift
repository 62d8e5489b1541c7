import OmoteCore

/// Finds the pupil (iris centre) inside one eye's landmark ring with the gradient method of Timm & Barth, "Accurate
/// eye centre localisation by means of gradients" (VISAPP 2011): the centre c maximises the mean of
/// (dᵢ·gᵢ)², dᵢ the unit vector from c to pixel i and gᵢ the unit intensity gradient there, because every edge of a
/// dark disc on a brighter sclera points away from its centre; each candidate is weighted by its darkness.
///
/// The eye is resampled into a fixed grid aligned with the eye-corner axis (so cost is independent of face size and
/// the result is rotation-invariant); all buffers are allocated once. The grids hold eye-region pixels and the samples
/// their gradients: private memory (`AlignedBuffer(privateZeroedCount:)`); only the distance table is ordinary.
final class PupilLocator {
    static let gridWidth = 32
    static let gridHeight = 16
    /// The grid spans 1.2 × the corner-to-corner width horizontally and 0.6 × vertically.
    static let spanX: Float = 1.2
    static let cellsPerEyeWidth = Float(gridWidth) / spanX

    struct Result {
        /// Pupil position relative to the corners' midpoint, in eye widths, along the eye axis (+ = toward the head's
        /// +x, the subject's left) and across it (+ = down).
        var offset: SIMD2<Float>
        var imagePoint: SIMD2<Float>
        /// Lid opening / eye width.
        var aperture: Float
        var found: Bool
    }

    private let intensity: AlignedBuffer<Float>
    private let darkness: AlignedBuffer<Float>
    private let candidate: AlignedBuffer<Bool>
    private let scores: AlignedBuffer<Float>
    // Selected gradient samples (grid coordinates and unit gradients), structure of arrays.
    private let sampleX: AlignedBuffer<Float>
    private let sampleY: AlignedBuffer<Float>
    private let sampleGX: AlignedBuffer<Float>
    private let sampleGY: AlignedBuffer<Float>
    private let sampleColumn: AlignedBuffer<Int32>
    private let sampleRow: AlignedBuffer<Int32>
    private static let cellCount = gridWidth * gridHeight
    /// 1/(dx² + dy²) for the integral offsets between a sample and a candidate cell (0 at the origin): row |dy|
    /// (0…15), column i − x + 32 for candidate column i and sample column x, so eight adjacent candidates are one load.
    private static let tableWidth = 64
    private let inverseSquares: AlignedBuffer<Float>
    private let lids: AlignedBuffer<Float>  // per column: upper lid + 1, lower lid − 1 (grid units)

    init() throws(OmoteError) {
        let n = Self.cellCount
        intensity = try AlignedBuffer(privateZeroedCount: n)
        darkness = try AlignedBuffer(privateZeroedCount: n)
        candidate = try AlignedBuffer(privateCount: n, repeating: false)
        scores = try AlignedBuffer(privateZeroedCount: n)
        sampleX = try AlignedBuffer(privateZeroedCount: n + 8)
        sampleY = try AlignedBuffer(privateZeroedCount: n + 8)
        sampleGX = try AlignedBuffer(privateZeroedCount: n + 8)
        sampleGY = try AlignedBuffer(privateZeroedCount: n + 8)
        sampleColumn = try AlignedBuffer(privateZeroedCount: n + 8)
        sampleRow = try AlignedBuffer(privateZeroedCount: n + 8)
        inverseSquares = AlignedBuffer(zeroedCount: Self.gridHeight * Self.tableWidth)
        lids = try AlignedBuffer(privateZeroedCount: 2 * Self.gridWidth)
        for dy in 0 ..< Self.gridHeight {
            for column in 0 ..< Self.tableWidth {
                let dx = column - 32
                let n2 = dx * dx + dy * dy
                inverseSquares[dy * Self.tableWidth + column] = n2 == 0 ? 0 : 1 / Float(n2)
            }
        }
    }

    /// Wipes the eye pixels, gradients, scores and lids of the last eye located (the face is gone).
    func wipe() {
        intensity.wipe()
        darkness.wipe()
        candidate.wipe()
        scores.wipe()
        sampleX.wipe()
        sampleY.wipe()
        sampleGX.wipe()
        sampleGY.wipe()
        sampleColumn.wipe()
        sampleRow.wipe()
        lids.wipe()
    }

    /// Whether every buffer that holds eye data is live private memory.
    var isPrivate: Bool {
        intensity.isPrivate && darkness.isPrivate && candidate.isPrivate && scores.isPrivate && sampleX.isPrivate
            && sampleY.isPrivate && sampleGX.isPrivate && sampleGY.isPrivate && sampleColumn.isPrivate
            && sampleRow.isPrivate && lids.isPrivate
    }

    /// Whether the eye buffers hold only zeros (after `wipe`).
    var holdsOnlyZeros: Bool {
        intensity.holdsOnlyZeros && darkness.holdsOnlyZeros && candidate.holdsOnlyZeros && scores.holdsOnlyZeros
            && sampleX.holdsOnlyZeros && sampleY.holdsOnlyZeros && sampleGX.holdsOnlyZeros && sampleGY.holdsOnlyZeros
            && sampleColumn.holdsOnlyZeros && sampleRow.holdsOnlyZeros && lids.holdsOnlyZeros
    }

    /// Locked bytes held.
    var privateBytes: Int {
        intensity.privateBytes + darkness.privateBytes + candidate.privateBytes + scores.privateBytes
            + sampleX.privateBytes + sampleY.privateBytes + sampleGX.privateBytes + sampleGY.privateBytes
            + sampleColumn.privateBytes + sampleRow.privateBytes + lids.privateBytes
    }

    /// - Parameters:
    ///   - ring: the eye's six landmarks in dlib order for that eye, mapped so that ring[0] is the corner at the
    ///     head's −x side, ring[3] the corner at +x, ring[1], ring[2] the upper lid (from −x to +x) and ring[5],
    ///     ring[4] the lower lid (from −x to +x).
    func locate(
        in image: LumaImage, ring: (SIMD2<Float>, SIMD2<Float>, SIMD2<Float>, SIMD2<Float>, SIMD2<Float>, SIMD2<Float>)
    ) -> Result {
        let gw = Self.gridWidth
        let gh = Self.gridHeight
        let axisVector = ring.3 - ring.0
        let eyeWidth = (axisVector * axisVector).sum().squareRoot()
        let centre = (ring.0 + ring.3) * 0.5
        var result = Result(offset: .zero, imagePoint: centre, aperture: 0, found: false)
        guard eyeWidth >= 6, eyeWidth.isFinite else { return result }
        let u = axisVector / eyeWidth
        let v = SIMD2<Float>(-u.y, u.x)
        let step = eyeWidth / Self.cellsPerEyeWidth

        // Lids in grid units (x along u, y along v, origin at the centre).
        func local(_ p: SIMD2<Float>) -> SIMD2<Float> {
            let d = p - centre
            return SIMD2((d * u).sum(), (d * v).sum()) / step
        }
        let c0 = local(ring.0)
        let c3 = local(ring.3)
        let up1 = local(ring.1)
        let up2 = local(ring.2)
        let lo1 = local(ring.5)
        let lo2 = local(ring.4)
        let aperture = ((lo1.y - up1.y) + (lo2.y - up2.y)) * 0.5 * step / eyeWidth
        result.aperture = aperture
        func lidY(_ x: Float, _ a: SIMD2<Float>, _ b: SIMD2<Float>, _ c: SIMD2<Float>, _ d: SIMD2<Float>) -> Float {
            if x <= b.x { return a.y + (b.y - a.y) * max(0, min(1, (x - a.x) / max(b.x - a.x, 1e-3))) }
            if x <= c.x { return b.y + (c.y - b.y) * (x - b.x) / max(c.x - b.x, 1e-3) }
            return c.y + (d.y - c.y) * max(0, min(1, (x - c.x) / max(d.x - c.x, 1e-3)))
        }

        // Candidate centres: inside the lid opening, a cell away from the lids (the lids per column, once).
        for i in 0 ..< gw {
            let gx = Float(i) + 0.5 - Float(gw) / 2
            let inside = gx > c0.x + 1 && gx < c3.x - 1
            lids[i] = inside ? lidY(gx, c0, up1, up2, c3) + 1 : .infinity
            lids[gw + i] = inside ? lidY(gx, c0, lo1, lo2, c3) - 1 : -.infinity
        }
        // Resample (bilinear, clamped to the image).
        let maxX = Float(image.width - 1)
        let maxY = Float(image.height - 1)
        let lastX0 = max(image.width - 2, 0)
        let lastY0 = max(image.height - 2, 0)
        let pixels = image.pixels
        let rowStride = image.rowStride
        for j in 0 ..< gh {
            let gy = Float(j) + 0.5 - Float(gh) / 2
            for i in 0 ..< gw {
                let gx = Float(i) + 0.5 - Float(gw) / 2
                let p = centre + (gx * u + gy * v) * step
                let x = min(max(p.x, 0), maxX)
                let y = min(max(p.y, 0), maxY)
                let x0 = min(Int(x), lastX0)
                let y0 = min(Int(y), lastY0)
                let fx = x - Float(x0)
                let fy = y - Float(y0)
                let x1 = min(x0 + 1, image.width - 1)
                let y1 = min(y0 + 1, image.height - 1)
                let row0 = pixels + y0 &* rowStride
                let row1 = pixels + y1 &* rowStride
                let top = Float(row0[x0]) * (1 - fx) + Float(row0[x1]) * fx
                let bottom = Float(row1[x0]) * (1 - fx) + Float(row1[x1]) * fx
                intensity[j * gw + i] = top * (1 - fy) + bottom * fy
                candidate[j * gw + i] = gy > lids[i] && gy < lids[gw + i]
            }
        }
        // Darkness weight: 3×3 box-blurred inverted intensity (only candidates are weighted).
        for j in 0 ..< gh {
            for i in 0 ..< gw where candidate[j * gw + i] {
                var sum: Float = 0
                var n: Float = 0
                for dj in -1 ... 1 where j + dj >= 0 && j + dj < gh {
                    for di in -1 ... 1 where i + di >= 0 && i + di < gw {
                        sum += intensity[(j + dj) * gw + i + di]
                        n += 1
                    }
                }
                darkness[j * gw + i] = 255 - sum / n
            }
        }
        // Gradients (central differences); keep those above mean + 0.3·sd of the magnitude, as unit vectors.
        var count = 0
        var magnitudeSum: Float = 0
        var magnitudeSquares: Float = 0
        var interior: Float = 0
        for j in 1 ..< gh - 1 {
            for i in 1 ..< gw - 1 {
                let gx = (intensity[j * gw + i + 1] - intensity[j * gw + i - 1]) * 0.5
                let gy = (intensity[(j + 1) * gw + i] - intensity[(j - 1) * gw + i]) * 0.5
                let m2 = gx * gx + gy * gy
                magnitudeSum += m2.squareRoot()
                magnitudeSquares += m2
                interior += 1
            }
        }
        let mean = magnitudeSum / interior
        let sd = max(0, magnitudeSquares / interior - mean * mean).squareRoot()
        let threshold = max(mean + 0.3 * sd, 1)
        for j in 1 ..< gh - 1 {
            for i in 1 ..< gw - 1 {
                let gx = (intensity[j * gw + i + 1] - intensity[j * gw + i - 1]) * 0.5
                let gy = (intensity[(j + 1) * gw + i] - intensity[(j - 1) * gw + i]) * 0.5
                let m = (gx * gx + gy * gy).squareRoot()
                guard m > threshold else { continue }
                sampleX[count] = Float(i)
                sampleY[count] = Float(j)
                sampleColumn[count] = Int32(i)
                sampleRow[count] = Int32(j)
                sampleGX[count] = gx / m
                sampleGY[count] = gy / m
                count += 1
            }
        }
        guard count >= 8 else { return result }

        // Objective at every candidate: eight adjacent candidates of a row at a time, accumulated over the samples
        // (no division: sample and candidate sit on the grid, so 1/|d|² comes from the table).
        let tableWidth = Self.tableWidth
        for index in 0 ..< Self.cellCount { scores[index] = 0 }
        let laneOffsets = SIMD8<Float>(0, 1, 2, 3, 4, 5, 6, 7)
        for j in 0 ..< gh {
            var first = gw
            var last = -1
            for i in 0 ..< gw where candidate[j * gw + i] {
                first = min(first, i)
                last = i
            }
            guard last >= 0 else { continue }
            var i0 = first & ~7
            while i0 <= last {
                let cx = laneOffsets + Float(i0)
                // Two accumulators: the sum over samples is a latency-bound chain otherwise.
                var acc0 = SIMD8<Float>.zero
                var acc1 = SIMD8<Float>.zero
                let base = 32 + i0
                @inline(__always) func term(_ k: Int) -> SIMD8<Float> {
                    let dy = sampleY[k] - Float(j)
                    let dx = SIMD8(repeating: sampleX[k]) - cx
                    var dot = dx * sampleGX[k] + SIMD8(repeating: dy * sampleGY[k])
                    dot.replace(with: 0, where: dot .< 0)
                    let dj = Int(sampleRow[k]) - j
                    let column = Int(sampleColumn[k])
                    let row = base + (dj < 0 ? -dj : dj) * tableWidth - column
                    return dot * dot * inverseSquares.load(SIMD8<Float>.self, at: row)
                }
                var k = 0
                while k + 1 < count {
                    acc0 += term(k)
                    acc1 += term(k + 1)
                    k += 2
                }
                if k < count { acc0 += term(k) }
                scores.store(acc0 + acc1, at: j * gw + i0)
                i0 += 8
            }
        }
        var best: Float = -1
        var bestIndex = -1
        for index in 0 ..< Self.cellCount {
            guard candidate[index] else {
                scores[index] = 0
                continue
            }
            let score = scores[index] * darkness[index]
            scores[index] = score
            if score > best {
                best = score
                bestIndex = index
            }
        }
        guard bestIndex >= 0, best > 0 else { return result }
        let bi = bestIndex % gw
        let bj = bestIndex / gw
        // Sub-cell refinement: vertex of the parabola through the best score and its neighbours.
        func refine(_ minus: Float, _ centre: Float, _ plus: Float) -> Float {
            let denominator = minus - 2 * centre + plus
            guard denominator < 0 else { return 0 }
            return max(-0.5, min(0.5, 0.5 * (minus - plus) / denominator))
        }
        let dxRefine =
            bi > 0 && bi < gw - 1 && candidate[bestIndex - 1] && candidate[bestIndex + 1]
            ? refine(scores[bestIndex - 1], best, scores[bestIndex + 1]) : 0
        let dyRefine =
            bj > 0 && bj < gh - 1 && candidate[bestIndex - gw] && candidate[bestIndex + gw]
            ? refine(scores[bestIndex - gw], best, scores[bestIndex + gw]) : 0
        let gx = Float(bi) + 0.5 - Float(gw) / 2 + dxRefine
        let gy = Float(bj) + 0.5 - Float(gh) / 2 + dyRefine
        result.offset = SIMD2(gx, gy) * step / eyeWidth
        result.imagePoint = centre + (gx * u + gy * v) * step
        result.found = true
        return result
    }
}
