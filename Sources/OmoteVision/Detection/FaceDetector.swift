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

        public init(
            scaleFactor: Double = 1.1, minNeighbors: Int = 3, minSize: Int = 0, maxSize: Int? = nil,
            groupingEpsilon: Double = 0.2
        ) {
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

    private let flat: FlatCascade
    private var offsets: FeatureOffsets
    private var planes: IntegralImages

    // Per-call scratch, sized for the largest image seen (see `reserveBuffers`).
    private var scales: [Float] = []
    private var pixels = AlignedBuffer<UInt8>(zeroedCount: 0)
    private var resizer = LinearResize()
    private var reservedSize = (width: 0, height: 0)
    private var candidates: [SIMD4<Int32>] = []
    private var grouped: [SIMD4<Int32>] = []
    private var grouping = RectangleGrouping()

    public init(cascade: CascadeClassifier, parameters: Parameters = .init()) throws(OmoteError) {
        guard parameters.scaleFactor > 1, parameters.scaleFactor.isFinite, parameters.minNeighbors >= 0,
            parameters.minSize >= 0, parameters.groupingEpsilon >= 0,
            parameters.maxSize.map({ $0 >= parameters.minSize }) ?? true
        else {
            throw OmoteError.cascade(
                .detectorInvalidParameters, path: cascade.path, reason: "invalid detector parameters \(parameters)")
        }
        self.cascade = cascade
        self.parameters = parameters
        flat = FlatCascade(cascade)
        offsets = FeatureOffsets(cascade)
        planes = IntegralImages(hasSquares: cascade.featureType == .haar, hasTilted: cascade.hasTiltedFeatures)
    }

    /// The faces in `image` (or in `region` of it), as OpenCV's detectMultiScale would report them.
    public func detect(_ image: LumaImage, within region: FaceRect? = nil) -> [FaceRect] {
        var faces: [FaceRect] = []
        findFaces(in: image, within: region, into: &faces)
        return faces
    }

    public func findFaces(
        in image: LumaImage, within region: FaceRect?, sides: ClosedRange<Float>,
        into faces: inout [FaceRect]
    ) {
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
        var originX = 0
        var originY = 0
        if let region {
            guard region.x.isFinite, region.y.isFinite, region.width.isFinite, region.height.isFinite else { return }
            // Clamped in float first: any finite region converts safely.
            let w = Float(image.width)
            let h = Float(image.height)
            let left = Int(max(0, min(w, region.x.rounded(.down))))
            let top = Int(max(0, min(h, region.y.rounded(.down))))
            let right = max(left, Int(max(0, min(w, (region.x + region.width).rounded(.up)))))
            let bottom = max(top, Int(max(0, min(h, (region.y + region.height).rounded(.up)))))
            guard right > left, bottom > top else { return }
            view = LumaImage(
                pixels: image.pixels + top * image.rowStride + left, width: right - left,
                height: bottom - top, rowStride: image.rowStride)
            originX = left
            originY = top
        }
        detectBoxes(view)
        for box in grouped {
            faces.append(
                FaceRect(
                    x: Float(Int(box.x) + originX), y: Float(Int(box.y) + originY),
                    width: Float(box.z), height: Float(box.w)))
        }
    }

    /// Sizes every per-image buffer for the whole image once, so searches of smaller regions (the tracker's) reuse
    /// them instead of growing them one larger region at a time.
    private func reserveBuffers(width: Int, height: Int) {
        guard width > reservedSize.width || height > reservedSize.height else { return }
        reservedSize = (max(width, reservedSize.width), max(height, reservedSize.height))
        planes.reserve(width: reservedSize.width, height: reservedSize.height)
        pixels.reserve(reservedSize.width * reservedSize.height, filling: 0)
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
        let windowW = cascade.windowWidth
        let windowH = cascade.windowHeight
        guard image.width >= windowW, image.height >= windowH else { return }
        computeScales(width: image.width, height: image.height)
        guard !scales.isEmpty else { return }

        // One plane stride for every level (the largest level is at most the image), as OpenCV's shared sbuf.
        let stride = image.width + 1
        let planeSize = stride * (image.height + 1)
        let tiltedOffset = cascade.hasTiltedFeatures ? planeSize : 0
        offsets.compile(cascade, stride: stride, tiltedOffset: tiltedOffset)

        for scale in scales {
            let levelW = Int((Float(image.width) / scale).rounded(.toNearestOrEven))
            let levelH = Int((Float(image.height) / scale).rounded(.toNearestOrEven))
            let source: UnsafePointer<UInt8>
            let sourceStride: Int
            if levelW == image.width && levelH == image.height {
                source = image.pixels
                sourceStride = image.rowStride
            } else {
                resizer.resize(image, width: levelW, height: levelH, into: pixels)
                source = UnsafePointer(pixels.baseAddress)
                sourceStride = levelW
            }
            let split = flat.isStump && scale < 2
            planes.integrate(
                source, rowStride: sourceStride, width: levelW, height: levelH, stride: stride,
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
        let windowW = cascade.windowWidth
        let windowH = cascade.windowHeight
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

    /// Slides the window over one level: step 2 below scale 2 (1 from 2 up); after a stage-0 rejection the next
    /// position is skipped too. Accepted windows become candidates in image pixels.
    private func scan(levelW: Int, levelH: Int, scale: Float, stride: Int, split: Bool) {
        let windowW = cascade.windowWidth
        let windowH = cascade.windowHeight
        let workW = max(levelW + 1 - windowW, 0)
        let workH = max(levelH + 1 - windowH, 0)
        let step = scale >= 2 ? 1 : 2
        let boxW = Int32((Float(windowW) * scale).rounded(.toNearestOrEven))
        let boxH = Int32((Float(windowH) * scale).rounded(.toNearestOrEven))
        let kernel = CascadeKernel(flat, planes: planes, offsets: offsets, split: split, window: (windowW, windowH))
        let haar = flat.isHaar
        if flat.isStump {
            // Stump cascades: eight windows per step (CascadeKernel+SIMD), the same results as the scalar walk.
            // A split level's window m of the de-interleaved row is x = 2m.
            let xScale = split ? 2 : 1
            let rowWindows = split ? (workW + 1) / 2 : workW
            var y = 0
            while y < workH {
                let top = Int32((Float(y) * scale).rounded(.toNearestOrEven))
                let box = SIMD4<Int32>(0, top, boxW, boxH)
                kernel.scanRow(
                    rowBase: y * stride, workW: rowWindows, haar: haar, xScale: xScale, scale: scale,
                    box: box, into: &candidates)
                y += step
            }
            return
        }
        var y = 0
        while y < workH {
            var x = 0
            while x < workW {
                let result = kernel.evaluateTrees(at: y * stride + x, haar: haar)
                if result > 0 {
                    candidates.append(
                        SIMD4(
                            Int32((Float(x) * scale).rounded(.toNearestOrEven)),
                            Int32((Float(y) * scale).rounded(.toNearestOrEven)), boxW, boxH))
                }
                x += result == 0 ? 2 * step : step
            }
            y += step
        }
    }
}
