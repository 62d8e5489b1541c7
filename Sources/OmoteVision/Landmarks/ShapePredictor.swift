import OmoteCore


/// dlib's 68-point face landmark predictor (Kazemi & Sullivan's ensemble of regression trees), run on dlib's own
/// trained model with the same arithmetic as dlib's `shape_predictor`, but without its final rounding to integers.
///
/// Per cascade level: fit the similarity transform from the model's mean shape to the current shape, place the level's
/// feature pixels (anchor landmark + offset, mapped through that transform and the face box), read them with dlib's
/// nearest-pixel rule (outside the image reads 0), walk every tree on pixel differences and add the chosen leaves to the
/// shape. All scratch memory is allocated once, so `predict` allocates nothing; one predictor per thread
/// (`init(sharingModelOf:)` gives another thread its own scratch over the same model).
public final class ShapePredictor {
    let model: ShapePredictorModel
    /// The current shape in normalized face-box coordinates, x0 y0 x1 y1 …, 64-byte aligned (17 SIMD8 vectors).
    let shape: UnsafeMutablePointer<Float>
    private let features: UnsafeMutablePointer<Float>
    private let leafOffsets: UnsafeMutablePointer<Int>

    public convenience init(contentsOfFile path: String) throws(ShapePredictorError) {
        self.init(model: try ShapePredictorModel(contentsOfFile: path))
    }

    /// Another predictor over the same (immutable) model, with its own scratch memory: for a second thread.
    public convenience init(sharingModelOf other: ShapePredictor) { self.init(model: other.model) }

    init(model: ShapePredictorModel) {
        self.model = model
        shape = Self.allocate(ShapePredictorModel.shapeLength)
        features = Self.allocate(model.maximumPaddedFeatureCount)
        leafOffsets = UnsafeMutablePointer<Int>.allocate(capacity: model.maximumTreeCount)
    }

    deinit {
        shape.deallocate()
        features.deallocate()
        leafOffsets.deallocate()
    }

    private static func allocate(_ count: Int) -> UnsafeMutablePointer<Float> {
        UnsafeMutableRawPointer.allocate(byteCount: count * 4, alignment: 64).bindMemory(to: Float.self, capacity: count)
    }

    /// Number of cascade levels and trees per level, for documentation and benchmarks.
    public var cascadeLevels: Int { model.levels.count }
    public var treesPerLevel: Int { model.maximumTreeCount }

    /// Fits the 68 landmarks of the face in `rect` (image pixels; see `FaceRect(dlibLeft:top:right:bottom:)`).
    public func predict(_ image: LumaImage, in rect: FaceRect, into landmarks: inout FaceLandmarks) {
        let box = NormalizedBox(rect)
        runCascade(image, box)
        let shape = self.shape
        if landmarks.points.count != FaceLandmarks.count { landmarks = FaceLandmarks() }
        landmarks.points.withUnsafeMutableBufferPointer { points in
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
        shape.update(from: model.initialShape, count: ShapePredictorModel.shapeLength)
        model.levels.withUnsafeBufferPointer { levels in
            for level in levels {
                let transform = similarityToCurrentShape()
                extractFeatures(level, transform: transform, image: image, box: box)
                selectLeaves(level)
                accumulateLeaves(level)
            }
        }
    }

    /// The similarity transform (scale·rotation, no translation is needed) that best maps the model's mean shape onto
    /// the current shape in the least-squares sense: dlib's `find_similarity_transform` (Umeyama), whose scale·rotation
    /// in 2-D is [[a, −b], [b, a]] with a, b from the cross-covariance, computed in double and rounded to float as dlib does.
    @inline(__always)
    private func similarityToCurrentShape() -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) {
        let reference = model.initialShape, current = shape
        let count = ShapePredictorModel.partCount
        var sum = SIMD2<Double>.zero
        for part in 0 ..< count { sum += SIMD2(Double(current[2 * part]), Double(current[2 * part + 1])) }
        let currentMean = sum / Double(count)
        let referenceMean = model.initialMean
        var xx = 0.0, xy = 0.0, yx = 0.0, yy = 0.0
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
        return (SIMD8(repeating: Float(a)), SIMD8(repeating: Float(-b)), SIMD8(repeating: Float(b)), SIMD8(repeating: Float(a)))
    }

    /// Feature pixel values for one level, 8 at a time. The float steps (transform · offset + anchor) and the double
    /// mapping into the image are dlib's, operation for operation (no fused multiply-adds), so the nearest pixel
    /// (`floor(v + 0.5)`) is the one dlib reads.
    @inline(__always)
    private func extractFeatures(_ level: ShapePredictorModel.Level,
                                 transform: (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>),
                                 image: LumaImage, box: NormalizedBox) {
        let (m00, m01, m10, m11) = transform
        let shape = self.shape, features = self.features, pixels = image.pixels
        let scaleX = SIMD4<Double>(repeating: box.scaleX), scaleY = SIMD4<Double>(repeating: box.scaleY)
        let left = SIMD4<Double>(repeating: box.left), top = SIMD4<Double>(repeating: box.top)
        let width = SIMD4<Double>(repeating: Double(image.width)), height = SIMD4<Double>(repeating: Double(image.height))
        let stride = SIMD4<Double>(repeating: Double(image.rowStride))
        let anchors = UnsafeRawPointer(level.anchors), deltaX = UnsafeRawPointer(level.deltaX)
        let deltaY = UnsafeRawPointer(level.deltaY)
        var base = 0
        while base < level.paddedFeatureCount {
            let anchor = anchors.load(fromByteOffset: base * 4, as: SIMD8<Int32>.self)
            var anchorX = SIMD8<Float>(), anchorY = SIMD8<Float>()
            for lane in 0 ..< 8 {
                let part = Int(anchor[lane])
                anchorX[lane] = shape[2 * part]
                anchorY[lane] = shape[2 * part + 1]
            }
            let dx = deltaX.load(fromByteOffset: base * 4, as: SIMD8<Float>.self)
            let dy = deltaY.load(fromByteOffset: base * 4, as: SIMD8<Float>.self)
            let x = (m00 * dx + m01 * dy) + anchorX
            let y = (m10 * dx + m11 * dy) + anchorY
            for half in 0 ..< 2 {
                let column = Self.nearestPixel(SIMD4<Double>(half == 0 ? x.lowHalf : x.highHalf), scale: scaleX, offset: left)
                let row = Self.nearestPixel(SIMD4<Double>(half == 0 ? y.lowHalf : y.highHalf), scale: scaleY, offset: top)
                let inside = (column .>= 0) .& (column .< width) .& (row .>= 0) .& (row .< height)
                let offset = (row * stride + column).replacing(with: 0, where: .!inside)
                var value = SIMD4<Double>()
                for lane in 0 ..< 4 { value[lane] = Double(pixels[Int(offset[lane])]) }
                value.replace(with: 0, where: .!inside)
                UnsafeMutableRawPointer(features).storeBytes(of: SIMD4<Float>(value), toByteOffset: (base + 4 * half) * 4, as: SIMD4<Float>.self)
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
    private func selectLeaves(_ level: ShapePredictorModel.Level) {
        let features = self.features, offsets = leafOffsets
        let splitCount = model.splitCount, depth = model.depth, leafCount = model.leafCount
        let shapeLength = ShapePredictorModel.shapeLength
        var nodes = UnsafePointer(level.nodes)
        for tree in 0 ..< level.treeCount {
            var node = 0
            for _ in 0 ..< depth {
                let split = nodes[node]
                let goLeft = features[Int(split.first)] - features[Int(split.second)] > split.threshold
                node = 2 * node + (goLeft ? 1 : 2)
            }
            offsets[tree] = (tree * leafCount + node - splitCount) * shapeLength
            nodes += splitCount
        }
    }

    /// Adds the chosen leaves to the shape in tree order (the same float additions, in the same order, as dlib's
    /// `current_shape += leaf`). The 136-float shape is 17 SIMD8 vectors, kept in registers in two passes (9 + 8)
    /// while the leaves stream from memory.
    @inline(__always)
    private func accumulateLeaves(_ level: ShapePredictorModel.Level) {
        let leaves = UnsafeRawPointer(level.leaves), offsets = leafOffsets, treeCount = level.treeCount
        let shape = UnsafeMutableRawPointer(self.shape)
        typealias V = SIMD8<Float>
        do {
            var a0 = shape.load(fromByteOffset: 0, as: V.self), a1 = shape.load(fromByteOffset: 32, as: V.self)
            var a2 = shape.load(fromByteOffset: 64, as: V.self), a3 = shape.load(fromByteOffset: 96, as: V.self)
            var a4 = shape.load(fromByteOffset: 128, as: V.self), a5 = shape.load(fromByteOffset: 160, as: V.self)
            var a6 = shape.load(fromByteOffset: 192, as: V.self), a7 = shape.load(fromByteOffset: 224, as: V.self)
            var a8 = shape.load(fromByteOffset: 256, as: V.self)
            for tree in 0 ..< treeCount {
                let leaf = leaves + offsets[tree] * 4
                a0 += leaf.load(fromByteOffset: 0, as: V.self)
                a1 += leaf.load(fromByteOffset: 32, as: V.self)
                a2 += leaf.load(fromByteOffset: 64, as: V.self)
                a3 += leaf.load(fromByteOffset: 96, as: V.self)
                a4 += leaf.load(fromByteOffset: 128, as: V.self)
                a5 += leaf.load(fromByteOffset: 160, as: V.self)
                a6 += leaf.load(fromByteOffset: 192, as: V.self)
                a7 += leaf.load(fromByteOffset: 224, as: V.self)
                a8 += leaf.load(fromByteOffset: 256, as: V.self)
            }
            shape.storeBytes(of: a0, toByteOffset: 0, as: V.self)
            shape.storeBytes(of: a1, toByteOffset: 32, as: V.self)
            shape.storeBytes(of: a2, toByteOffset: 64, as: V.self)
            shape.storeBytes(of: a3, toByteOffset: 96, as: V.self)
            shape.storeBytes(of: a4, toByteOffset: 128, as: V.self)
            shape.storeBytes(of: a5, toByteOffset: 160, as: V.self)
            shape.storeBytes(of: a6, toByteOffset: 192, as: V.self)
            shape.storeBytes(of: a7, toByteOffset: 224, as: V.self)
            shape.storeBytes(of: a8, toByteOffset: 256, as: V.self)
        }
        do {
            var a0 = shape.load(fromByteOffset: 288, as: V.self), a1 = shape.load(fromByteOffset: 320, as: V.self)
            var a2 = shape.load(fromByteOffset: 352, as: V.self), a3 = shape.load(fromByteOffset: 384, as: V.self)
            var a4 = shape.load(fromByteOffset: 416, as: V.self), a5 = shape.load(fromByteOffset: 448, as: V.self)
            var a6 = shape.load(fromByteOffset: 480, as: V.self), a7 = shape.load(fromByteOffset: 512, as: V.self)
            for tree in 0 ..< treeCount {
                let leaf = leaves + offsets[tree] * 4
                a0 += leaf.load(fromByteOffset: 288, as: V.self)
                a1 += leaf.load(fromByteOffset: 320, as: V.self)
                a2 += leaf.load(fromByteOffset: 352, as: V.self)
                a3 += leaf.load(fromByteOffset: 384, as: V.self)
                a4 += leaf.load(fromByteOffset: 416, as: V.self)
                a5 += leaf.load(fromByteOffset: 448, as: V.self)
                a6 += leaf.load(fromByteOffset: 480, as: V.self)
                a7 += leaf.load(fromByteOffset: 512, as: V.self)
            }
            shape.storeBytes(of: a0, toByteOffset: 288, as: V.self)
            shape.storeBytes(of: a1, toByteOffset: 320, as: V.self)
            shape.storeBytes(of: a2, toByteOffset: 352, as: V.self)
            shape.storeBytes(of: a3, toByteOffset: 384, as: V.self)
            shape.storeBytes(of: a4, toByteOffset: 416, as: V.self)
            shape.storeBytes(of: a5, toByteOffset: 448, as: V.self)
            shape.storeBytes(of: a6, toByteOffset: 480, as: V.self)
            shape.storeBytes(of: a7, toByteOffset: 512, as: V.self)
        }
    }
}
