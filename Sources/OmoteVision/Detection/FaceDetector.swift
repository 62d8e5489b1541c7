import OmoteCore


/// Multi-scale sliding-window face detection with an OpenCV cascade, reproducing OpenCV 4's
/// `CascadeClassifier::detectMultiScale(gray, scaleFactor, minNeighbors, 0, minSize, maxSize)` box for box
/// (see Docs/detection.md for the algorithm and how exactness was checked).
///
/// Every buffer (pyramid level, integral images, resize tables, candidates, grouping scratch) belongs to the detector
/// and only grows, so steady-state detection allocates nothing. Not thread-safe: one detector per thread.
public final class FaceDetector: FaceFinding {
    public struct Parameters: Sendable, Equatable {
        /// Pyramid step (OpenCV's scaleFactor), > 1.
        public var scaleFactor: Double
        /// A face needs more than this many overlapping raw detections (OpenCV's minNeighbors; 0 = no grouping).
        public var minNeighbors: Int
        /// Smallest window side in pixels (0: the cascade's own window).
        public var minSize: Int
        /// Largest window side in pixels (nil: the image).
        public var maxSize: Int?
        /// groupRectangles' similarity tolerance (OpenCV uses 0.2).
        public var groupingEpsilon: Double

        public init(scaleFactor: Double = 1.1, minNeighbors: Int = 3, minSize: Int = 0, maxSize: Int? = nil,
                    groupingEpsilon: Double = 0.2) {
            self.scaleFactor = scaleFactor
            self.minNeighbors = minNeighbors
            self.minSize = minSize
            self.maxSize = maxSize
            self.groupingEpsilon = groupingEpsilon
        }
    }

    public let cascade: CascadeClassifier
    public let parameters: Parameters
    /// Per-call limits on the window side (a size-limited search), on top of `parameters`.
    private var sideLimits: (min: Int, max: Int?) = (0, nil)

    // The cascade flattened for the inner loops (node order = load order).
    private let stageCount: Int
    private var stageThresholds = ScratchBuffer<Double>()
    private var stageNodeCounts = ScratchBuffer<Int32>()  // stumps: nodes (= trees) per stage
    private var stageTreeStarts = ScratchBuffer<Int32>()
    private var stageTreeCounts = ScratchBuffer<Int32>()
    private var treeFirstNode = ScratchBuffer<Int32>()
    private var treeFirstLeaf = ScratchBuffer<Int32>()
    private var nodeThresholds = ScratchBuffer<Float>()
    private var nodeLeft = ScratchBuffer<Int32>()
    private var nodeRight = ScratchBuffer<Int32>()
    private var stumpLeft = ScratchBuffer<Double>()  // stumps: leaf values
    private var stumpRight = ScratchBuffer<Double>()
    private var leaves = ScratchBuffer<Double>()
    private var subsets = ScratchBuffer<Int32>()  // LBP: 8 words per node
    private var haarWeights = ScratchBuffer<SIMD4<Float>>()
    private var lbpLeft = ScratchBuffer<UInt8>()
    private var leafLeft = ScratchBuffer<Float>()
    private var leafRight = ScratchBuffer<Float>()
    private let isStump: Bool
    private let isHaar: Bool

    // Offsets of each node's feature into the integral planes; depend on the plane stride (compiled per size).
    private var nodeOffsets = ScratchBuffer<Int32>()  // Haar: 12 per node, LBP: 16 per node
    private var normOffsets = SIMD4<Int>.zero
    // The same for step-2 levels of stump cascades, whose planes are stored de-interleaved: each row holds its even
    // columns, then (from `half`) its odd ones, so eight windows x = 2m … 2m+14 read eight consecutive values.
    private var splitOffsets = ScratchBuffer<Int32>()
    private var splitNorm = SIMD4<Int>.zero
    private var rowScratch = ScratchBuffer<Int32>()
    private var compiledStride = -1
    private var compiledTiltedOffset = -1

    // Per-call scratch.
    private var scales: [Float] = []
    private var pixels = ScratchBuffer<UInt8>()
    private var sums = ScratchBuffer<Int32>()  // sum plane, then the tilted plane when the cascade has tilted features
    private var squares = ScratchBuffer<UInt32>()  // squared sums, modulo 2³² like OpenCV's CV_32S
    private var tiltRows = ScratchBuffer<Int32>()
    private var resizer = LinearResize()
    private var reservedSize = (width: 0, height: 0)
    private var candidates: [SIMD4<Int32>] = []
    private var grouped: [SIMD4<Int32>] = []
    private var grouping = RectangleGrouping()

    public init(cascade: CascadeClassifier, parameters: Parameters = .init()) throws(CascadeError) {
        guard parameters.scaleFactor > 1, parameters.scaleFactor.isFinite, parameters.minNeighbors >= 0,
              parameters.minSize >= 0, parameters.groupingEpsilon >= 0,
              parameters.maxSize.map({ $0 >= parameters.minSize }) ?? true else {
            throw CascadeError(.invalidParameters, path: cascade.path, reason: "invalid detector parameters \(parameters)")
        }
        self.cascade = cascade
        self.parameters = parameters
        isHaar = cascade.featureType == .haar
        isStump = cascade.maxNodesPerTree == 1
        stageCount = cascade.stages.count

        stageThresholds.reserve(stageCount)
        stageNodeCounts.reserve(stageCount)
        stageTreeStarts.reserve(stageCount)
        stageTreeCounts.reserve(stageCount)
        for (i, stage) in cascade.stages.enumerated() {
            stageThresholds.pointer[i] = Double(stage.threshold)
            stageTreeStarts.pointer[i] = Int32(stage.firstTree)
            stageTreeCounts.pointer[i] = Int32(stage.treeCount)
            stageNodeCounts.pointer[i] = Int32(stage.treeCount)
        }
        let trees = cascade.trees
        treeFirstNode.reserve(trees.count)
        treeFirstLeaf.reserve(trees.count)
        for (i, tree) in trees.enumerated() {
            treeFirstNode.pointer[i] = Int32(tree.firstNode)
            treeFirstLeaf.pointer[i] = Int32(tree.firstLeaf)
        }
        let nodes = cascade.nodes
        nodeThresholds.reserve(nodes.count)
        nodeLeft.reserve(nodes.count)
        nodeRight.reserve(nodes.count)
        haarWeights.reserve(nodes.count)
        for (i, node) in nodes.enumerated() {
            nodeThresholds.pointer[i] = node.threshold
            nodeLeft.pointer[i] = Int32(node.left)
            nodeRight.pointer[i] = Int32(node.right)
            haarWeights.pointer[i] = isHaar ? cascade.haarFeatures[node.feature].weights : .zero
        }
        leaves.reserve(cascade.leaves.count)
        for (i, leaf) in cascade.leaves.enumerated() { leaves.pointer[i] = Double(leaf) }
        if isStump {
            stumpLeft.reserve(trees.count)
            stumpRight.reserve(trees.count)
            leafLeft.reserve(trees.count)
            leafRight.reserve(trees.count)
            for (i, tree) in trees.enumerated() {
                leafLeft.pointer[i] = cascade.leaves[tree.firstLeaf]
                leafRight.pointer[i] = cascade.leaves[tree.firstLeaf + 1]
                stumpLeft.pointer[i] = Double(cascade.leaves[tree.firstLeaf])
                stumpRight.pointer[i] = Double(cascade.leaves[tree.firstLeaf + 1])
            }
        }
        subsets.reserve(max(1, cascade.subsets.count))
        for (i, word) in cascade.subsets.enumerated() { subsets.pointer[i] = word }
        lbpLeft.reserve(isHaar ? 1 : nodes.count * 256)
        if !isHaar {
            for n in 0 ..< nodes.count {
                for c in 0 ..< 256 {
                    lbpLeft.pointer[n * 256 + c] = cascade.subsets[n * 8 + c >> 5] & (1 << Int32(c & 31)) != 0 ? 1 : 0
                }
            }
        }
        nodeOffsets.reserve(nodes.count * (isHaar ? 12 : 16))
    }

    /// The faces in `image` (or in `region` of it), as OpenCV's detectMultiScale would report them.
    public func detect(_ image: LumaImage, within region: FaceRect? = nil) -> [FaceRect] {
        var faces: [FaceRect] = []
        findFaces(in: image, within: region, into: &faces)
        return faces
    }

    public func findFaces(in image: LumaImage, within region: FaceRect?, sides: ClosedRange<Float>,
                          into faces: inout [FaceRect]) {
        let low = sides.lowerBound.isFinite ? max(0, Int(sides.lowerBound.rounded(.down))) : 0
        let high = sides.upperBound.isFinite && sides.upperBound < 1e6 ? Int(sides.upperBound.rounded(.up)) : nil
        sideLimits = (low, high)
        defer { sideLimits = (0, nil) }
        findFaces(in: image, within: region, into: &faces)
    }

    public func findFaces(in image: LumaImage, within region: FaceRect?, into faces: inout [FaceRect]) {
        faces.removeAll(keepingCapacity: true)
        reserveBuffers(width: image.width, height: image.height)
        var view = image
        var originX = 0, originY = 0
        if let region {
            guard region.x.isFinite, region.y.isFinite, region.width.isFinite, region.height.isFinite else { return }
            // Clamped in float first: any finite region converts safely.
            let w = Float(image.width), h = Float(image.height)
            let left = Int(max(0, min(w, region.x.rounded(.down))))
            let top = Int(max(0, min(h, region.y.rounded(.down))))
            let right = max(left, Int(max(0, min(w, (region.x + region.width).rounded(.up)))))
            let bottom = max(top, Int(max(0, min(h, (region.y + region.height).rounded(.up)))))
            guard right > left, bottom > top else { return }
            view = LumaImage(pixels: image.pixels + top * image.rowStride + left, width: right - left,
                             height: bottom - top, rowStride: image.rowStride)
            originX = left
            originY = top
        }
        detectBoxes(view)
        for box in grouped {
            faces.append(FaceRect(x: Float(Int(box.x) + originX), y: Float(Int(box.y) + originY),
                                  width: Float(box.z), height: Float(box.w)))
        }
    }

    /// Sizes every per-image buffer for the whole image once, so searches of smaller regions (the tracker's) reuse
    /// them instead of growing them one larger region at a time.
    private func reserveBuffers(width: Int, height: Int) {
        guard width > reservedSize.width || height > reservedSize.height else { return }
        reservedSize = (max(width, reservedSize.width), max(height, reservedSize.height))
        let planeSize = (reservedSize.width + 1) * (reservedSize.height + 1)
        sums.reserve((cascade.hasTiltedFeatures ? 2 * planeSize : planeSize) + 64)
        if isHaar { squares.reserve(planeSize + 64) }
        pixels.reserve(reservedSize.width * reservedSize.height)
        resizer.reserve(width: reservedSize.width, height: reservedSize.height)
        candidates.reserveCapacity(4096)
        grouped.reserveCapacity(256)
        grouping.reserve(4096)
    }

    // MARK: - The OpenCV algorithm

    /// Fills `grouped` with the detections in `image` (integer boxes).
    private func detectBoxes(_ image: LumaImage) {
        candidates.removeAll(keepingCapacity: true)
        grouped.removeAll(keepingCapacity: true)
        let windowW = cascade.windowWidth, windowH = cascade.windowHeight
        guard image.width >= windowW, image.height >= windowH else { return }
        computeScales(width: image.width, height: image.height)
        guard !scales.isEmpty else { return }

        // One plane stride for every level (the largest level is at most the image), as OpenCV's shared sbuf.
        let stride = image.width + 1
        let planeSize = stride * (image.height + 1)
        let tiltedOffset = cascade.hasTiltedFeatures ? planeSize : 0
        // + padding: the 8-window loads of the last positions of a row read up to 16 values past the window.
        sums.reserve((cascade.hasTiltedFeatures ? 2 * planeSize : planeSize) + 64)
        if isHaar { squares.reserve(planeSize + 64) }
        pixels.reserve(image.width * image.height)
        if stride != compiledStride || tiltedOffset != compiledTiltedOffset {
            compileOffsets(stride: stride, tiltedOffset: tiltedOffset)
        }

        for scale in scales {
            let levelW = Int((Float(image.width) / scale).rounded(.toNearestOrEven))
            let levelH = Int((Float(image.height) / scale).rounded(.toNearestOrEven))
            let source: UnsafePointer<UInt8>, sourceStride: Int
            if levelW == image.width && levelH == image.height {
                source = image.pixels
                sourceStride = image.rowStride
            } else {
                resizer.resize(image, width: levelW, height: levelH, into: pixels.pointer)
                source = UnsafePointer(pixels.pointer)
                sourceStride = levelW
            }
            let split = isStump && scale < 2
            integrate(source, rowStride: sourceStride, width: levelW, height: levelH, stride: stride,
                      tiltedOffset: tiltedOffset, split: split)
            scan(levelW: levelW, levelH: levelH, scale: scale, stride: stride, split: split)
        }
        grouping.group(candidates, threshold: parameters.minNeighbors, eps: parameters.groupingEpsilon, into: &grouped)
        // OpenCV 4 reports the grouped boxes clipped to the image (seen with non-square windows, whose averaged box
        // can reach past the bottom edge; minNeighbors 0 shows the raw windows clipped the same way).
        let imageSize = SIMD2<Int32>(Int32(image.width), Int32(image.height))
        for i in grouped.indices {
            let box = grouped[i]
            let topLeft = pointwiseMax(SIMD2(box.x, box.y), .zero)
            let bottomRight = pointwiseMin(SIMD2(box.x, box.y) &+ SIMD2(box.z, box.w), imageSize)
            let size = pointwiseMax(bottomRight &- topLeft, .zero)
            grouped[i] = SIMD4(topLeft.x, topLeft.y, size.x, size.y)
        }
    }

    /// OpenCV's scale list: factors 1, f, f², … (double) while the rounded window fits the image, stored as float;
    /// then the ones whose float-rounded window lies within [minSize, maxSize] (stopping at the first too large).
    private func computeScales(width: Int, height: Int) {
        scales.removeAll(keepingCapacity: true)
        let windowW = cascade.windowWidth, windowH = cascade.windowHeight
        var factor = 1.0
        while true {
            let w = Int((Double(windowW) * factor).rounded(.toNearestOrEven))
            let h = Int((Double(windowH) * factor).rounded(.toNearestOrEven))
            if w > width || h > height { break }
            scales.append(Float(factor))
            factor *= parameters.scaleFactor
        }
        var maxW = parameters.maxSize.flatMap { $0 > 0 ? $0 : nil } ?? width
        var maxH = parameters.maxSize.flatMap { $0 > 0 ? $0 : nil } ?? height
        if let limit = sideLimits.max {
            maxW = min(maxW, limit)
            maxH = min(maxH, limit)
        }
        let minSide = max(parameters.minSize, sideLimits.min)
        var kept = 0
        for index in scales.indices {
            let s = scales[index]
            let w = Int((Float(windowW) * s).rounded(.toNearestOrEven))
            let h = Int((Float(windowH) * s).rounded(.toNearestOrEven))
            if w > maxW || h > maxH { break }
            if w < minSide || h < minSide { continue }
            scales[kept] = s
            kept += 1
        }
        scales.removeLast(scales.count - kept)
    }

    /// Feature offsets for a plane stride (OpenCV's CV_SUM_OFS / CV_TILTED_OFS), for the plain and the
    /// de-interleaved plane layouts.
    private func compileOffsets(stride: Int, tiltedOffset: Int) {
        compiledStride = stride
        compiledTiltedOffset = tiltedOffset
        splitOffsets.reserve(cascade.nodes.count * (isHaar ? 12 : 16))
        let half = (stride + 1) / 2
        normOffsets = compile(stride: stride, tiltedOffset: tiltedOffset, into: nodeOffsets.pointer) { $0 }
        splitNorm = compile(stride: stride, tiltedOffset: tiltedOffset, into: splitOffsets.pointer) {
            $0 & 1 == 0 ? $0 / 2 : Int32(half) + ($0 - 1) / 2
        }
    }

    /// Offsets of every node's integral points relative to the window origin, with `column` mapping a column offset
    /// (≥ 0) to its place in the row; returns the normrect's offsets.
    private func compile(stride: Int, tiltedOffset: Int, into out: UnsafeMutablePointer<Int32>,
                         column: (Int32) -> Int32) -> SIMD4<Int> {
        let s = Int32(stride)
        @inline(__always) func at(_ x: Int32, _ y: Int32) -> Int32 { column(x) + s * y }
        for (n, node) in cascade.nodes.enumerated() {
            if isHaar {
                let feature = cascade.haarFeatures[node.feature]
                for r in 0 ..< 3 {
                    let rect = feature.rects[r], x = rect.x, y = rect.y, w = rect.z, h = rect.w
                    let o = out + n * 12 + r * 4
                    if feature.tilted {
                        let t = Int32(tiltedOffset)
                        o[0] = t + at(x, y)
                        o[1] = t + at(x - h, y + h)
                        o[2] = t + at(x + w, y + w)
                        o[3] = t + at(x + w - h, y + w + h)
                    } else {
                        o[0] = at(x, y)
                        o[1] = at(x + w, y)
                        o[2] = at(x, y + h)
                        o[3] = at(x + w, y + h)
                    }
                }
            } else {
                let rect = cascade.lbpFeatures[node.feature]
                let o = out + n * 16
                for j in 0 ..< 4 {
                    for i in 0 ..< 4 {
                        o[j * 4 + i] = at(rect.x + Int32(i) * rect.z, rect.y + Int32(j) * rect.w)
                    }
                }
            }
        }
        // normrect = (1, 1, w − 2, h − 2)
        let w = Int32(cascade.windowWidth), h = Int32(cascade.windowHeight)
        return SIMD4(Int(at(1, 1)), Int(at(w - 1, 1)), Int(at(1, h - 1)), Int(at(w - 1, h - 1)))
    }

    /// Sum (and for Haar the squared-sum and tilted) integral images of one level, (w+1)×(h+1) at `stride`.
    private func integrate(_ source: UnsafePointer<UInt8>, rowStride: Int, width: Int, height: Int, stride: Int,
                           tiltedOffset: Int, split: Bool) {
        integratePlanes(source, rowStride: rowStride, width: width, height: height, stride: stride,
                        tiltedOffset: tiltedOffset)
        guard split else { return }
        deinterleave(sums.pointer, width: width, height: height, stride: stride)
        if isHaar {
            squares.pointer.withMemoryRebound(to: Int32.self, capacity: stride * (height + 1)) {
                deinterleave($0, width: width, height: height, stride: stride)
            }
        }
        if cascade.hasTiltedFeatures {
            deinterleave(sums.pointer + tiltedOffset, width: width, height: height, stride: stride)
        }
    }

    /// Rows 0…height of a plane: columns 0…width rearranged as even columns at 0…, odd ones from (stride + 1) / 2.
    private func deinterleave(_ plane: UnsafeMutablePointer<Int32>, width: Int, height: Int, stride: Int) {
        rowScratch.reserve(stride)
        let scratch = rowScratch.pointer
        let half = (stride + 1) / 2
        for y in 0 ... height {
            let row = plane + y * stride
            scratch.update(from: row, count: width + 1)
            var c = 0
            while c + 1 <= width {
                row[c / 2] = scratch[c]
                row[half + c / 2] = scratch[c + 1]
                c += 2
            }
            if c == width { row[c / 2] = scratch[c] }
        }
    }

    private func integratePlanes(_ source: UnsafePointer<UInt8>, rowStride: Int, width: Int, height: Int, stride: Int,
                                 tiltedOffset: Int) {
        let sum = sums.pointer
        for x in 0 ... width { sum[x] = 0 }
        for y in 0 ..< height {
            let src = source + y * rowStride
            let above = sum + y * stride, row = above + stride
            row[0] = 0
            var acc: Int32 = 0
            for x in 0 ..< width {
                acc &+= Int32(src[x])
                row[x + 1] = above[x + 1] &+ acc
            }
        }
        guard isHaar else { return }
        let sq = squares.pointer
        for x in 0 ... width { sq[x] = 0 }
        for y in 0 ..< height {
            let src = source + y * rowStride
            let above = sq + y * stride, row = above + stride
            row[0] = 0
            var acc: UInt32 = 0
            for x in 0 ..< width {
                let v = UInt32(src[x])
                acc &+= v &* v
                row[x + 1] = above[x + 1] &+ acc
            }
        }
        if cascade.hasTiltedFeatures {
            integrateTilted(source, rowStride: rowStride, width: width, height: height, stride: stride,
                            tilted: sum + tiltedOffset)
        }
    }

    /// The 45° integral T(X, Y) = Σ image(x, y) over y < Y, |x − X + 1| ≤ Y − 1 − y (pixels outside the image are 0),
    /// as the difference of two running diagonal sums of row prefix sums R_y(x) = Σ_{x' < x} image(x', y):
    /// F(X, Y) = F(X + 1, Y − 1) + R_{Y−1}(min(X, w)) and G(X, Y) = G(X − 1, Y − 1) + R_{Y−1}(max(X − 1, 0)),
    /// with F(w + 1, Y) = the sum of rows < Y and G(−1, Y) = 0; T = F − G.
    private func integrateTilted(_ source: UnsafePointer<UInt8>, rowStride: Int, width: Int, height: Int, stride: Int,
                                 tilted: UnsafeMutablePointer<Int32>) {
        let n = width + 1
        tiltRows.reserve(5 * n)
        let prefix = tiltRows.pointer
        var fPrevious = prefix + n, fCurrent = prefix + 2 * n, gPrevious = prefix + 3 * n, gCurrent = prefix + 4 * n
        for x in 0 ..< n { fPrevious[x] = 0; gPrevious[x] = 0; tilted[x] = 0 }
        var rowsTotal: Int32 = 0  // sum of rows < Y − 1
        for y in 1 ... max(1, height) where height > 0 {
            let src = source + (y - 1) * rowStride
            prefix[0] = 0
            for x in 0 ..< width { prefix[x + 1] = prefix[x] &+ Int32(src[x]) }
            for x in 0 ..< n {
                let fNext = x + 1 <= width ? fPrevious[x + 1] : rowsTotal
                fCurrent[x] = fNext &+ prefix[x]
                let gBefore = x >= 1 ? gPrevious[x - 1] : 0
                gCurrent[x] = gBefore &+ prefix[max(x - 1, 0)]
                tilted[y * stride + x] = fCurrent[x] &- gCurrent[x]
            }
            rowsTotal &+= prefix[width]
            swap(&fPrevious, &fCurrent)
            swap(&gPrevious, &gCurrent)
        }
    }

    /// Slides the window over one level: step 2 below scale 2 (1 from 2 up); after a stage-0 rejection the next
    /// position is skipped too. Accepted windows become candidates in image pixels.
    private func scan(levelW: Int, levelH: Int, scale: Float, stride: Int, split: Bool) {
        let windowW = cascade.windowWidth, windowH = cascade.windowHeight
        let workW = max(levelW + 1 - windowW, 0), workH = max(levelH + 1 - windowH, 0)
        let step = scale >= 2 ? 1 : 2
        let boxW = Int32((Float(windowW) * scale).rounded(.toNearestOrEven))
        let boxH = Int32((Float(windowH) * scale).rounded(.toNearestOrEven))
        let kernel = CascadeKernel(
            sums: UnsafePointer(sums.pointer), squares: UnsafePointer(squares.pointer), norm: split ? splitNorm : normOffsets,
            area: Double((windowW - 2) * (windowH - 2)), stageCount: stageCount,
            stageThresholds: UnsafePointer(stageThresholds.pointer), stageNodeCounts: UnsafePointer(stageNodeCounts.pointer),
            stageTreeStarts: UnsafePointer(stageTreeStarts.pointer), stageTreeCounts: UnsafePointer(stageTreeCounts.pointer),
            treeFirstNode: UnsafePointer(treeFirstNode.pointer), treeFirstLeaf: UnsafePointer(treeFirstLeaf.pointer),
            nodeThresholds: UnsafePointer(nodeThresholds.pointer), nodeLeft: UnsafePointer(nodeLeft.pointer),
            nodeRight: UnsafePointer(nodeRight.pointer), stumpLeft: UnsafePointer(stumpLeft.pointer),
            stumpRight: UnsafePointer(stumpRight.pointer), leaves: UnsafePointer(leaves.pointer),
            subsets: UnsafePointer(subsets.pointer), weights: UnsafePointer(haarWeights.pointer),
            offsets: UnsafePointer(split ? splitOffsets.pointer : nodeOffsets.pointer), lbpLeft: UnsafePointer(lbpLeft.pointer),
            leafLeft: UnsafePointer(leafLeft.pointer), leafRight: UnsafePointer(leafRight.pointer))
        let haar = isHaar, stump = isStump
        if stump {
            // Stump cascades: eight windows per step (CascadeKernel+SIMD), same results as the scalar walk below.
            var y = 0
            while y < workH {
                let top = Int32((Float(y) * scale).rounded(.toNearestOrEven))
                let box = SIMD4<Int32>(0, top, boxW, boxH)
                if split {
                    // x = 2m: window m of the de-interleaved row; eight consecutive m per load.
                    kernel.scanRow(rowBase: y * stride, workW: (workW + 1) / 2, haar: haar, UnitStep.self, xScale: 2,
                                   scale: scale, box: box, into: &candidates)
                } else {
                    kernel.scanRow(rowBase: y * stride, workW: workW, haar: haar, UnitStep.self, xScale: 1,
                                   scale: scale, box: box, into: &candidates)
                }
                y += step
            }
            return
        }
        var y = 0
        while y < workH {
            var x = 0
            while x < workW {
                let base = y * stride + x
                let result: Int
                switch (haar, stump) {
                case (true, true): result = kernel.haarStumps(at: base)
                case (true, false): result = kernel.haarTrees(at: base)
                case (false, true): result = kernel.lbpStumps(at: base)
                case (false, false): result = kernel.lbpTrees(at: base)
                }
                if result > 0 {
                    candidates.append(SIMD4(Int32((Float(x) * scale).rounded(.toNearestOrEven)),
                                            Int32((Float(y) * scale).rounded(.toNearestOrEven)), boxW, boxH))
                }
                x += result == 0 ? 2 * step : step
            }
            y += step
        }
    }
}

/// The cascade evaluated at one window: raw pointers into the detector's flattened cascade and the current level's
/// integral planes (a plain value, so the inner loops pay no class-property access checks).
struct CascadeKernel {
    let sums: UnsafePointer<Int32>
    let squares: UnsafePointer<UInt32>
    let norm: SIMD4<Int>
    let area: Double
    let stageCount: Int
    let stageThresholds: UnsafePointer<Double>
    let stageNodeCounts: UnsafePointer<Int32>
    let stageTreeStarts: UnsafePointer<Int32>
    let stageTreeCounts: UnsafePointer<Int32>
    let treeFirstNode: UnsafePointer<Int32>
    let treeFirstLeaf: UnsafePointer<Int32>
    let nodeThresholds: UnsafePointer<Float>
    let nodeLeft: UnsafePointer<Int32>
    let nodeRight: UnsafePointer<Int32>
    let stumpLeft: UnsafePointer<Double>
    let stumpRight: UnsafePointer<Double>
    let leaves: UnsafePointer<Double>
    let subsets: UnsafePointer<Int32>
    let weights: UnsafePointer<SIMD4<Float>>
    let offsets: UnsafePointer<Int32>
    /// LBP: 256 bytes per node, 1 where the category goes left (the subset bits unpacked).
    let lbpLeft: UnsafePointer<UInt8>
    /// Stumps: the two leaves as stored (float).
    let leafLeft: UnsafePointer<Float>
    let leafRight: UnsafePointer<Float>

    /// OpenCV's HaarEvaluator::setWindow: 1/σ·area normalisation, nil for a flat window (result −1).
    @inline(__always)
    func haarNormalisation(_ p: UnsafePointer<Int32>, _ q: UnsafePointer<UInt32>) -> Float? {
        let valueSum = p[norm[0]] &- p[norm[1]] &- p[norm[2]] &+ p[norm[3]]
        let valueSquares = q[norm[0]] &- q[norm[1]] &- q[norm[2]] &+ q[norm[3]]
        var nf = area * Double(valueSquares) - Double(valueSum) * Double(valueSum)
        guard nf > 0 else { return nil }
        nf = nf.squareRoot()
        let inverse = Float(1.0 / nf)
        guard area * Double(inverse) < 1e-1 else { return nil }
        return inverse
    }

    /// Σ w·rect (float, in OpenCV's order) times the normalisation.
    @inline(__always)
    func haarValue(_ node: Int, _ p: UnsafePointer<Int32>, _ inverse: Float) -> Float {
        let o = offsets + node * 12
        let r0 = p[Int(o[0])] &- p[Int(o[1])] &- p[Int(o[2])] &+ p[Int(o[3])]
        let r1 = p[Int(o[4])] &- p[Int(o[5])] &- p[Int(o[6])] &+ p[Int(o[7])]
        let r2 = p[Int(o[8])] &- p[Int(o[9])] &- p[Int(o[10])] &+ p[Int(o[11])]
        let w = weights[node]
        var v = w.x * Float(r0) + w.y * Float(r1)
        v = v + w.z * Float(r2)  // rect 2 of a 2-rect feature is empty: adds 0, as OpenCV's skipped term
        return v * inverse
    }

    /// The stump stages from `firstStage` on, each node's branch chosen by `goesLeft(node)`: the first stage that
    /// rejects the window, or `stageCount` for a face. Shared by the scalar and the eight-window paths.
    @inline(__always)
    func walkStumps(from firstStage: Int, _ goesLeft: (Int) -> Bool) -> Int {
        var node = Int(stageTreeStarts[firstStage])
        for stage in firstStage ..< stageCount {
            let end = node + Int(stageNodeCounts[stage])
            var sum = 0.0
            while node < end {
                sum += goesLeft(node) ? stumpLeft[node] : stumpRight[node]
                node += 1
            }
            if sum < stageThresholds[stage] { return stage }
        }
        return stageCount
    }

    /// 1: a face; 0: rejected by stage 0; −k: rejected by stage k; −1 also for a flat window.
    @inline(__always)
    func haarStumps(at base: Int) -> Int {
        let p = sums + base
        guard let inverse = haarNormalisation(p, squares + base) else { return -1 }
        let stage = walkStumps(from: 0) { haarValue($0, p, inverse) < nodeThresholds[$0] }
        return stage == stageCount ? 1 : -stage
    }

    @inline(__always)
    func haarTrees(at base: Int) -> Int {
        let p = sums + base
        guard let inverse = haarNormalisation(p, squares + base) else { return -1 }
        for stage in 0 ..< stageCount {
            let first = Int(stageTreeStarts[stage]), count = Int(stageTreeCounts[stage])
            var sum = 0.0
            for tree in first ..< first + count {
                let root = Int(treeFirstNode[tree])
                var index = 0
                repeat {
                    let node = root + index
                    index = Int(haarValue(node, p, inverse) < nodeThresholds[node] ? nodeLeft[node] : nodeRight[node])
                } while index > 0
                sum += leaves[Int(treeFirstLeaf[tree]) - index]
            }
            if sum < stageThresholds[stage] { return -stage }
        }
        return 1
    }

    /// The LBP category test of one node: the 8 outer blocks of the 3×3 grid against the centre (≥ sets the bit,
    /// clockwise from the top-left block = bit 7), then the category's bit in the node's 256-bit subset.
    @inline(__always)
    func lbpGoesLeft(_ node: Int, _ p: UnsafePointer<Int32>) -> Bool {
        let o = offsets + node * 16
        @inline(__always) func at(_ i: Int) -> Int32 { p[Int(o[i])] }
        let v0 = at(0), v1 = at(1), v2 = at(2), v3 = at(3), v4 = at(4), v5 = at(5), v6 = at(6), v7 = at(7)
        let v8 = at(8), v9 = at(9), v10 = at(10), v11 = at(11), v12 = at(12), v13 = at(13), v14 = at(14), v15 = at(15)
        let center = v5 &- v6 &- v9 &+ v10
        var code: Int32 = 0
        code |= v0 &- v1 &- v4 &+ v5 >= center ? 128 : 0
        code |= v1 &- v2 &- v5 &+ v6 >= center ? 64 : 0
        code |= v2 &- v3 &- v6 &+ v7 >= center ? 32 : 0
        code |= v6 &- v7 &- v10 &+ v11 >= center ? 16 : 0
        code |= v10 &- v11 &- v14 &+ v15 >= center ? 8 : 0
        code |= v9 &- v10 &- v13 &+ v14 >= center ? 4 : 0
        code |= v8 &- v9 &- v12 &+ v13 >= center ? 2 : 0
        code |= v4 &- v5 &- v8 &+ v9 >= center ? 1 : 0
        let word = subsets[node * 8 + Int(code >> 5)]
        return word & (1 << (code & 31)) != 0
    }

    @inline(__always)
    func lbpStumps(at base: Int) -> Int {
        let p = sums + base
        let stage = walkStumps(from: 0) { lbpGoesLeft($0, p) }
        return stage == stageCount ? 1 : -stage
    }

    @inline(__always)
    func lbpTrees(at base: Int) -> Int {
        let p = sums + base
        for stage in 0 ..< stageCount {
            let first = Int(stageTreeStarts[stage]), count = Int(stageTreeCounts[stage])
            var sum = 0.0
            for tree in first ..< first + count {
                let root = Int(treeFirstNode[tree])
                var index = 0
                repeat {
                    let node = root + index
                    index = Int(lbpGoesLeft(node, p) ? nodeLeft[node] : nodeRight[node])
                } while index > 0
                sum += leaves[Int(treeFirstLeaf[tree]) - index]
            }
            if sum < stageThresholds[stage] { return -stage }
        }
        return 1
    }
}
