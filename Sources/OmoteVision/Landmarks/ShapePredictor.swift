import OmoteCore

/// dlib's 68-point face landmark predictor (Kazemi & Sullivan's ensemble of regression trees), run on dlib's own
/// trained model with the same arithmetic as dlib's `shape_predictor`, but without its final rounding to integers.
///
/// Per cascade level: fit the similarity transform from the model's mean shape to the current shape, place the level's
/// feature pixels (anchor landmark + offset, mapped through that transform and the face box), read them with dlib's
/// nearest-pixel rule (outside the image reads 0), walk every tree on pixel differences and add the chosen leaves to the
/// shape. All scratch memory is allocated once, so `predict` allocates nothing; one predictor per thread
/// (`init(sharingModelOf:)` gives another thread its own scratch over the same model). The scratch that holds the face
/// — the shape being fitted and the feature pixels read around it — is private memory; the model is not.
public final class ShapePredictor {
    let model: ShapePredictorModel
    /// The current shape in normalized face-box coordinates, x0 y0 x1 y1 …, 64-byte aligned (17 SIMD8 vectors).
    let shape: AlignedBuffer<Float>
    /// The current level's feature pixel values.
    private let features: AlignedBuffer<Float>
    /// Where each tree's chosen leaf starts in its level's leaves.
    private let leafOffsets: AlignedBuffer<Int>

    public convenience init(contentsOfFile path: String) throws(OmoteError) {
        let model = try ShapePredictorModel(contentsOfFile: path)
        do throws(OmoteError) {
            try self.init(model: model)
        } catch {
            throw .landmarkMemoryRefused(error, subject: path)
        }
    }

    /// Another predictor over the same (immutable) model, with its own scratch memory: for a second thread.
    public convenience init(sharingModelOf other: ShapePredictor) throws(OmoteError) {
        try self.init(model: other.model)
    }

    init(model: ShapePredictorModel) throws(OmoteError) {
        self.model = model
        shape = try AlignedBuffer(privateZeroedCount: ShapePredictorModel.shapeLength)
        features = try AlignedBuffer(privateZeroedCount: model.maximumPaddedFeatureCount)
        leafOffsets = AlignedBuffer(zeroedCount: model.maximumTreeCount)
    }

    /// Wipes the last face fitted (its shape and the pixels read around it).
    public func wipe() {
        shape.wipe()
        features.wipe()
    }

    /// Whether the scratch that holds the face is live private memory.
    package var scratchIsPrivate: Bool { shape.isPrivate && features.isPrivate }
    /// Whether that scratch holds only zeros (after `wipe`).
    package var scratchHoldsOnlyZeros: Bool { shape.holdsOnlyZeros && features.holdsOnlyZeros }
    /// Locked bytes held.
    package var privateBytes: Int { shape.privateBytes + features.privateBytes }

    /// Number of cascade levels and trees per level, for documentation and benchmarks.
    public var cascadeLevels: Int { model.levels.count }
    public var treesPerLevel: Int { model.maximumTreeCount }

    /// Fits the 68 landmarks of the face in `rect` (image pixels; see `FaceRect(dlibLeft:top:right:bottom:)`).
    public func predict(_ image: LumaImage, in rect: FaceRect, into landmarks: inout FaceLandmarks) {
        let box = NormalizedBox(rect)
        runCascade(image, box)
        let shape = self.shape.view
        landmarks.withUnsafeMutableBufferPointer { points in
            for part in 0 ..< FaceLandmarks.count {
                let point = box.toImage(shape[2 * part], shape[2 * part + 1])
                points[part] = SIMD2(Float(point.x), Float(point.y))
            }
        }
    }

    /// The landmarks in double precision, exactly as dlib computes them before rounding (tests compare these with dlib).
    func predictPrecisely(_ image: LumaImage, in rect: FaceRect) -> [SIMD2<Double>] {
        let box = NormalizedBox(rect)
        runCascade(image, box)
        return (0 ..< FaceLandmarks.count).map { box.toImage(shape[2 * $0], shape[2 * $0 + 1]) }
    }

    /// dlib's corners of the face box and the map from normalized shape space to the image
    /// (dlib's `unnormalizing_tform`: (0,0) → top-left corner, (1,1) → bottom-right corner), in double like dlib.
    struct NormalizedBox {
        let left: Double, top: Double, scaleX: Double, scaleY: Double

        init(_ rect: FaceRect) {
            left = Double(rect.x)
            top = Double(rect.y)
            scaleX = Double(rect.width) - 1
            scaleY = Double(rect.height) - 1
        }

        @inline(__always)
        func toImage(_ x: Float, _ y: Float) -> SIMD2<Double> {
            SIMD2(scaleX * Double(x) + left, scaleY * Double(y) + top)
        }
    }

    func runCascade(_ image: LumaImage, _ box: NormalizedBox) {
        precondition(image.rowStride * image.height < Int(Int32.max), "image too large for 32-bit pixel offsets")
        let model = self.model
        shape.baseAddress.update(from: model.initialShape.baseAddress, count: ShapePredictorModel.shapeLength)
        for level in model.levels {
            let transform = similarityToCurrentShape()
            extractFeatures(level, transform: transform, image: image, box: box)
            selectLeaves(level.forest)
            accumulateLeaves(level.forest)
        }
    }

    /// The similarity transform (scale·rotation, no translation is needed) that best maps the model's mean shape onto
    /// the current shape in the least-squares sense: dlib's `find_similarity_transform` (Umeyama), whose scale·rotation
    /// in 2-D is [[a, −b], [b, a]] with a, b from the cross-covariance, computed in double and rounded to float as dlib does.
    @inline(__always)
    private func similarityToCurrentShape() -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) {
        let reference = model.initialShape.view
        let current = shape.view
        let count = ShapePredictorModel.partCount
        var sum = SIMD2<Double>.zero
        for part in 0 ..< count { sum += SIMD2(Double(current[2 * part]), Double(current[2 * part + 1])) }
        let currentMean = sum / Double(count)
        let referenceMean = model.initialMean
        var xx = 0.0
        var xy = 0.0
        var yx = 0.0
        var yy = 0.0
        for part in 0 ..< count {
            let to = SIMD2(Double(current[2 * part]), Double(current[2 * part + 1])) - currentMean
            let from = SIMD2(Double(reference[2 * part]), Double(reference[2 * part + 1])) - referenceMean
            xx += to.x * from.x
            xy += to.x * from.y
            yx += to.y * from.x
            yy += to.y * from.y
        }
        let n = Double(count)
        let a = ((xx + yy) / n) / model.initialVariance
        let b = ((yx - xy) / n) / model.initialVariance
        return (
            SIMD8(repeating: Float(a)), SIMD8(repeating: Float(-b)), SIMD8(repeating: Float(b)),
            SIMD8(repeating: Float(a))
        )
    }

    /// Feature pixel values for one level, 8 at a time. The float steps (transform · offset + anchor) and the double
    /// mapping into the image are dlib's, operation for operation (no fused multiply-adds), so the nearest pixel
    /// (`floor(v + 0.5)`) is the one dlib reads.
    @inline(__always)
    private func extractFeatures(
        _ level: ShapePredictorModel.Level,
        transform: (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>),
        image: LumaImage, box: NormalizedBox
    ) {
        let (m00, m01, m10, m11) = transform
        let shape = self.shape.view
        let features = self.features.view
        let pixels = image.pixels
        let scaleX = SIMD4<Double>(repeating: box.scaleX)
        let scaleY = SIMD4<Double>(repeating: box.scaleY)
        let left = SIMD4<Double>(repeating: box.left)
        let top = SIMD4<Double>(repeating: box.top)
        let width = SIMD4<Double>(repeating: Double(image.width))
        let height = SIMD4<Double>(repeating: Double(image.height))
        let stride = SIMD4<Double>(repeating: Double(image.rowStride))
        let anchors = level.anchors.indices.view
        let deltaX = level.offsets.x.view
        let deltaY = level.offsets.y.view
        var base = 0
        while base < level.paddedFeatureCount {
            let anchor = anchors.load(SIMD8<Int32>.self, at: base)
            var anchorX = SIMD8<Float>()
            var anchorY = SIMD8<Float>()
            for lane in 0 ..< 8 {
                let part = Int(anchor[lane])
                anchorX[lane] = shape[2 * part]
                anchorY[lane] = shape[2 * part + 1]
            }
            let dx = deltaX.load(SIMD8<Float>.self, at: base)
            let dy = deltaY.load(SIMD8<Float>.self, at: base)
            let x = (m00 * dx + m01 * dy) + anchorX
            let y = (m10 * dx + m11 * dy) + anchorY
            for half in 0 ..< 2 {
                let column = Self.nearestPixel(
                    SIMD4<Double>(half == 0 ? x.lowHalf : x.highHalf), scale: scaleX, offset: left)
                let row = Self.nearestPixel(
                    SIMD4<Double>(half == 0 ? y.lowHalf : y.highHalf), scale: scaleY, offset: top)
                let inside = (column .>= 0) .& (column .< width) .& (row .>= 0) .& (row .< height)
                let offset = (row * stride + column).replacing(with: 0, where: .!inside)
                var value = SIMD4<Double>()
                for lane in 0 ..< 4 { value[lane] = Double(pixels[Int(offset[lane])]) }
                value.replace(with: 0, where: .!inside)
                features.store(SIMD4<Float>(value), at: base + 4 * half)
            }
            base += 8
        }
    }

    /// `floor(scale · v + offset + 0.5)` in double: dlib's affine map to the image, then its conversion of a point to
    /// integers. The floor is exact without a libm call: adding and removing 1.5 · 2⁵² rounds to the nearest integer,
    /// then one step down where that went up (exact for |value| < 2⁵¹; anything larger is far outside every image).
    @inline(__always)
    private static func nearestPixel(_ v: SIMD4<Double>, scale: SIMD4<Double>, offset: SIMD4<Double>) -> SIMD4<Double> {
        let value = scale * v + offset + 0.5
        let magic = SIMD4<Double>(repeating: 6_755_399_441_055_744)  // 1.5 · 2^52
        let nearest = (value + magic) - magic
        return nearest.replacing(with: nearest - 1, where: nearest .> value)
    }

    /// Walks every tree of the level (dlib: left child when `pixel[a] − pixel[b] > threshold`) and records where each
    /// chosen leaf starts. The walks only read the feature pixels, so all of them run before any leaf is added.
    @inline(__always)
    private func selectLeaves(_ level: ShapePredictorModel.Forest) {
        let features = self.features.view
        let offsets = leafOffsets.view
        let splitCount = model.splitCount
        let depth = model.depth
        let leafCount = model.leafCount
        let shapeLength = ShapePredictorModel.shapeLength
        let nodes = level.nodes.view
        for tree in 0 ..< level.treeCount {
            let root = tree * splitCount
            var node = 0
            for _ in 0 ..< depth {
                let split = nodes[root + node]
                let goLeft = features[Int(split.first)] - features[Int(split.second)] > split.threshold
                node = 2 * node + (goLeft ? 1 : 2)
            }
            offsets[tree] = (tree * leafCount + node - splitCount) * shapeLength
        }
    }

    /// Adds the chosen leaves to the shape in tree order (the same float additions, in the same order, as dlib's
    /// `current_shape += leaf`). The 136-float shape is 17 SIMD8 vectors, kept in registers in two passes (9 + 8)
    /// while the leaves stream from memory.
    @inline(__always)
    private func accumulateLeaves(_ level: ShapePredictorModel.Forest) {
        let leaves = level.leaves.view
        let offsets = leafOffsets.view
        let treeCount = level.treeCount
        let shape = self.shape.view
        typealias V = SIMD8<Float>
        do {
            var a0 = shape.load(V.self, at: 0)
            var a1 = shape.load(V.self, at: 8)
            var a2 = shape.load(V.self, at: 16)
            var a3 = shape.load(V.self, at: 24)
            var a4 = shape.load(V.self, at: 32)
            var a5 = shape.load(V.self, at: 40)
            var a6 = shape.load(V.self, at: 48)
            var a7 = shape.load(V.self, at: 56)
            var a8 = shape.load(V.self, at: 64)
            for tree in 0 ..< treeCount {
                let leaf = offsets[tree]
                a0 += leaves.load(V.self, at: leaf + 0)
                a1 += leaves.load(V.self, at: leaf + 8)
                a2 += leaves.load(V.self, at: leaf + 16)
                a3 += leaves.load(V.self, at: leaf + 24)
                a4 += leaves.load(V.self, at: leaf + 32)
                a5 += leaves.load(V.self, at: leaf + 40)
                a6 += leaves.load(V.self, at: leaf + 48)
                a7 += leaves.load(V.self, at: leaf + 56)
                a8 += leaves.load(V.self, at: leaf + 64)
            }
            shape.store(a0, at: 0)
            shape.store(a1, at: 8)
            shape.store(a2, at: 16)
            shape.store(a3, at: 24)
            shape.store(a4, at: 32)
            shape.store(a5, at: 40)
            shape.store(a6, at: 48)
            shape.store(a7, at: 56)
            shape.store(a8, at: 64)
        }
        do {
            var a0 = shape.load(V.self, at: 72)
            var a1 = shape.load(V.self, at: 80)
            var a2 = shape.load(V.self, at: 88)
            var a3 = shape.load(V.self, at: 96)
            var a4 = shape.load(V.self, at: 104)
            var a5 = shape.load(V.self, at: 112)
            var a6 = shape.load(V.self, at: 120)
            var a7 = shape.load(V.self, at: 128)
            for tree in 0 ..< treeCount {
                let leaf = offsets[tree]
                a0 += leaves.load(V.self, at: leaf + 72)
                a1 += leaves.load(V.self, at: leaf + 80)
                a2 += leaves.load(V.self, at: leaf + 88)
                a3 += leaves.load(V.self, at: leaf + 96)
                a4 += leaves.load(V.self, at: leaf + 104)
                a5 += leaves.load(V.self, at: leaf + 112)
                a6 += leaves.load(V.self, at: leaf + 120)
                a7 += leaves.load(V.self, at: leaf + 128)
            }
            shape.store(a0, at: 72)
            shape.store(a1, at: 80)
            shape.store(a2, at: 88)
            shape.store(a3, at: 96)
            shape.store(a4, at: 104)
            shape.store(a5, at: 112)
            shape.store(a6, at: 120)
            shape.store(a7, at: 128)
        }
    }
}
