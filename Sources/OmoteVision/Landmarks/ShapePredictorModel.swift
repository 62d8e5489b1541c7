import OmoteCore

/// dlib's ensemble of regression trees, converted to a structure-of-arrays layout for inference.
///
/// File layout (dlib's `serialize(shape_predictor)`): `int version (1)`, `matrix<float> initial_shape` (2·parts × 1,
/// normalized to the face box: (0,0) top-left, (1,1) bottom-right), `vector<vector<regression_tree>> forests`
/// (cascade levels × trees; a tree is `vector<split_feature>` in breadth-first order, each `{unsigned long idx1, idx2;
/// float thresh}`, then `vector<matrix<float>>` leaf values), `vector<vector<unsigned long>> anchor_idx` and
/// `vector<vector<vector<float,2>>> deltas` (per level, the feature pool: each feature pixel is an anchor landmark plus
/// an offset in normalized shape space).
///
/// In memory, per level: `nodes` (tree-major, breadth-first, 8 bytes each), `leaves` (tree-major, leaf-major, one
/// contiguous run of `shapeLength` floats per leaf, 64-byte aligned base), and the feature pool as parallel arrays
/// padded to a multiple of 8 so the feature loop runs in whole SIMD8 steps. Every array is an `AlignedBuffer` owned
/// by the part of the model it belongs to, so a load that throws half-way frees what it read.
final class ShapePredictorModel: @unchecked Sendable {  // Immutable after init.
    struct Node {
        var first: UInt16
        var second: UInt16
        var threshold: Float
    }

    /// One cascade level: its forest and its feature pool, which the file stores in separate sections.
    struct Level {
        let forest: Forest
        let anchors: Anchors
        let offsets: Offsets

        var treeCount: Int { forest.treeCount }
        var featureCount: Int { anchors.featureCount }
        var paddedFeatureCount: Int { anchors.indices.count }
    }

    /// A level's trees: every tree's splits, then every tree's leaves.
    final class Forest {
        let treeCount: Int
        let nodes: AlignedBuffer<Node>
        let leaves: AlignedBuffer<Float>
        /// The largest feature index a split uses (checked against the pool once that is read).
        let largestIndex: UInt64

        init(
            treeCount: Int, nodes: consuming AlignedBuffer<Node>, leaves: consuming AlignedBuffer<Float>,
            largestIndex: UInt64
        ) {
            self.treeCount = treeCount
            self.nodes = nodes
            self.leaves = leaves
            self.largestIndex = largestIndex
        }
    }

    /// A level's anchor landmark per feature pixel, padded with landmark 0.
    final class Anchors {
        let featureCount: Int
        let indices: AlignedBuffer<Int32>

        init(featureCount: Int, indices: consuming AlignedBuffer<Int32>) {
            self.featureCount = featureCount
            self.indices = indices
        }
    }

    /// A level's feature offsets from their anchors, padded with zeros.
    final class Offsets {
        let x: AlignedBuffer<Float>
        let y: AlignedBuffer<Float>

        init(x: consuming AlignedBuffer<Float>, y: consuming AlignedBuffer<Float>) {
            self.x = x
            self.y = y
        }
    }

    static let partCount = FaceLandmarks.count
    static let shapeLength = 2 * partCount
    static let maximumDepth = 16

    let initialShape: AlignedBuffer<Float>
    let levels: [Level]
    /// Every tree is complete, of this depth: `splitCount` = 2^depth − 1 nodes, `leafCount` = 2^depth leaves.
    let depth: Int
    let splitCount: Int
    let leafCount: Int
    let maximumTreeCount: Int
    let maximumPaddedFeatureCount: Int
    /// The mean of the initial shape and its variance about that mean (the fixed side of every level's similarity fit).
    let initialMean: SIMD2<Double>
    let initialVariance: Double
    let byteCount: Int

    convenience init(contentsOfFile path: String) throws(OmoteError) {
        let file: MappedFile
        do {
            file = try MappedFile(path: path, what: "the landmark model")
        } catch {
            if error.code == .fileEmpty {
                throw OmoteError.landmarkModel(
                    .landmarkModelTruncated, path: path, offset: 0, reason: "the file is empty")
            }
            var failure = OmoteError.landmarkModel(.landmarkModelUnreadable, path: path, reason: error.reason)
            failure.errno = error.errno
            throw failure
        }
        try self.init(serialized: file.bytes, path: path)
    }

    init(serialized bytes: UnsafeRawBufferPointer, path: String) throws(OmoteError) {
        var reader = DlibReader(bytes, path: path)

        let version = try reader.signed(maxBytes: 4, "the version")
        guard version == 1 else {
            throw reader.error(
                .landmarkModelUnsupportedVersion, "version \(version) is not a dlib shape_predictor version (1)",
                at: 0)
        }
        let shapeAt = reader.offset
        initialShape = try Self.readInitialShape(&reader)
        var mean = SIMD2<Double>.zero
        for part in 0 ..< Self.partCount {
            mean += SIMD2(Double(initialShape[2 * part]), Double(initialShape[2 * part + 1]))
        }
        mean /= Double(Self.partCount)
        var variance = 0.0
        for part in 0 ..< Self.partCount {
            let centered = SIMD2(Double(initialShape[2 * part]), Double(initialShape[2 * part + 1])) - mean
            variance += (centered * centered).sum()
        }
        variance /= Double(Self.partCount)
        guard variance > 0 else {
            throw reader.error(.landmarkModelCorrupt, "the initial shape is a single point", at: shapeAt)
        }
        initialMean = mean
        initialVariance = variance

        // Forests. Every tree must be complete and of one depth across the model (dlib's trainer always writes that).
        let levelCount = try reader.count("the cascade level count", minimumBytesPerElement: 2)
        guard levelCount >= 1 else { throw reader.error(.landmarkModelCorrupt, "the model has no cascade levels") }
        var treeDepth = -1
        var forests: [Forest] = []
        for _ in 0 ..< levelCount { forests.append(try Self.readForest(&reader, depth: &treeDepth)) }
        depth = treeDepth
        splitCount = (1 << treeDepth) - 1
        leafCount = 1 << treeDepth

        // Feature pools: anchor landmark per feature, then the offsets.
        let anchorsAt = reader.offset
        let anchorLevels = try reader.count("the anchor level count", minimumBytesPerElement: 1)
        guard anchorLevels == levelCount else {
            throw reader.error(
                .landmarkModelCorrupt, "\(anchorLevels) anchor lists for \(levelCount) cascade levels", at: anchorsAt)
        }
        var anchorLists: [Anchors] = []
        for level in 0 ..< levelCount {
            anchorLists.append(try Self.readAnchors(&reader, level: level, largestIndex: forests[level].largestIndex))
        }
        let deltasAt = reader.offset
        let deltaLevels = try reader.count("the delta level count", minimumBytesPerElement: 1)
        guard deltaLevels == levelCount else {
            throw reader.error(
                .landmarkModelCorrupt, "\(deltaLevels) offset lists for \(levelCount) cascade levels", at: deltasAt)
        }
        var builtLevels: [Level] = []
        for level in 0 ..< levelCount {
            let offsets = try Self.readOffsets(&reader, level: level, anchors: anchorLists[level])
            builtLevels.append(Level(forest: forests[level], anchors: anchorLists[level], offsets: offsets))
        }
        guard reader.remaining == 0 else {
            throw reader.error(.landmarkModelCorrupt, "\(reader.remaining) unexpected bytes after the model")
        }
        levels = builtLevels
        maximumTreeCount = builtLevels.map(\.treeCount).max()!
        maximumPaddedFeatureCount = builtLevels.map(\.paddedFeatureCount).max()!
        byteCount = builtLevels.reduce(Self.shapeLength * 4) { total, level in
            total + level.treeCount * ((1 << treeDepth) - 1) * MemoryLayout<Node>.stride
                + level.treeCount * (1 << treeDepth) * Self.shapeLength * 4 + level.paddedFeatureCount * 12
        }
    }

    private static func readInitialShape(_ reader: inout DlibReader) throws(OmoteError) -> AlignedBuffer<Float> {
        let shapeAt = reader.offset
        let (rows, columns) = try reader.matrixShape("the initial shape")
        guard columns == 1, rows % 2 == 0, rows > 0 else {
            throw reader.error(
                .landmarkModelCorrupt, "the initial shape is \(rows)×\(columns), not a column of x, y pairs",
                at: shapeAt)
        }
        guard rows == shapeLength else {
            throw reader.error(
                .landmarkModelUnsupported, "the model predicts \(rows / 2) landmarks, Omote needs \(partCount)",
                at: shapeAt)
        }
        let shape = AlignedBuffer<Float>(zeroedCount: shapeLength)
        for index in 0 ..< shapeLength {
            let value = try reader.float("an initial shape coordinate")
            guard value.isFinite else {
                throw reader.error(.landmarkModelCorrupt, "the initial shape holds a non-finite value")
            }
            shape[index] = value
        }
        return shape
    }

    /// One level's trees; `depth` is set by the model's first tree and checked for every later one.
    private static func readForest(_ reader: inout DlibReader, depth: inout Int) throws(OmoteError) -> Forest {
        let treeCount = try reader.count("a level's tree count", minimumBytesPerElement: 2)
        guard treeCount >= 1 else { throw reader.error(.landmarkModelCorrupt, "a cascade level has no trees") }
        // The first tree's split count sizes the level.
        var splits = try readSplitCount(&reader, depth: &depth)
        let nodes = AlignedBuffer<Node>(count: treeCount * splits, repeating: Node(first: 0, second: 0, threshold: 0))
        let leaves = AlignedBuffer<Float>(zeroedCount: treeCount * (splits + 1) * shapeLength)
        var largest: UInt64 = 0
        for tree in 0 ..< treeCount {
            if tree > 0 { splits = try readSplitCount(&reader, depth: &depth) }
            for split in 0 ..< splits {
                let first = try reader.unsigned("a split's first feature index")
                let second = try reader.unsigned("a split's second feature index")
                let threshold = try reader.float("a split threshold")
                guard threshold.isFinite else {
                    throw reader.error(.landmarkModelCorrupt, "a split threshold is not finite")
                }
                largest = max(largest, first, second)
                // Indices are checked against the feature pool once it has been read (it comes after the forests).
                nodes[tree * splits + split] = Node(
                    first: UInt16(truncatingIfNeeded: first),
                    second: UInt16(truncatingIfNeeded: second), threshold: threshold)
            }
            let leavesAt = reader.offset
            let leafCount = try reader.count("a tree's leaf count", minimumBytesPerElement: 2)
            guard leafCount == splits + 1 else {
                throw reader.error(
                    .landmarkModelCorrupt, "a tree with \(splits) splits has \(leafCount) leaves", at: leavesAt)
            }
            for leaf in 0 ..< leafCount {
                try readLeaf(&reader, into: leaves, at: (tree * leafCount + leaf) * shapeLength)
            }
        }
        return Forest(treeCount: treeCount, nodes: nodes, leaves: leaves, largestIndex: largest)
    }

    /// A tree's split count: 2^depth − 1 for the model's one depth.
    private static func readSplitCount(_ reader: inout DlibReader, depth: inout Int) throws(OmoteError) -> Int {
        let splitsAt = reader.offset
        let splitCount = try reader.count("a tree's split count", minimumBytesPerElement: 8)
        if depth < 0 {
            let treeDepth = (splitCount + 1).trailingZeroBitCount
            guard splitCount >= 1, (splitCount + 1).nonzeroBitCount == 1, treeDepth <= maximumDepth else {
                throw reader.error(
                    .landmarkModelCorrupt, "a tree has \(splitCount) splits, not a complete binary tree", at: splitsAt)
            }
            depth = treeDepth
        }
        let expectedSplits = (1 << depth) - 1
        guard splitCount == expectedSplits else {
            throw reader.error(
                .landmarkModelUnsupported,
                "trees of different depths (\(splitCount) splits, expected \(expectedSplits))", at: splitsAt)
        }
        return expectedSplits
    }

    private static func readLeaf(
        _ reader: inout DlibReader, into leaves: borrowing AlignedBuffer<Float>,
        at start: Int
    ) throws(OmoteError) {
        let matrixAt = reader.offset
        let (leafRows, leafColumns) = try reader.matrixShape("a leaf")
        guard leafRows == shapeLength, leafColumns == 1 else {
            throw reader.error(
                .landmarkModelCorrupt, "a leaf is \(leafRows)×\(leafColumns), expected \(shapeLength)×1", at: matrixAt)
        }
        var finite = true
        for index in 0 ..< shapeLength {
            let value = try reader.float("a leaf value")
            finite = finite && value.isFinite
            leaves[start + index] = value
        }
        guard finite else { throw reader.error(.landmarkModelCorrupt, "a leaf holds a non-finite value", at: matrixAt) }
    }

    private static func readAnchors(
        _ reader: inout DlibReader, level: Int,
        largestIndex: UInt64
    ) throws(OmoteError) -> Anchors {
        let poolAt = reader.offset
        let featureCount = try reader.count("a feature pool size", minimumBytesPerElement: 2)
        guard featureCount >= 1, featureCount <= Int(UInt16.max) else {
            throw reader.error(
                .landmarkModelUnsupported, "a feature pool of \(featureCount) pixels (supported: 1…65535)",
                at: poolAt)
        }
        guard largestIndex < UInt64(featureCount) else {
            throw reader.error(
                .landmarkModelCorrupt, "level \(level) splits on feature \(largestIndex) of a pool of \(featureCount)",
                at: poolAt)
        }
        let indices = AlignedBuffer<Int32>(zeroedCount: (featureCount + 7) & ~7)
        for index in 0 ..< featureCount {
            let anchor = try reader.unsigned("an anchor index")
            guard anchor < UInt64(partCount) else {
                throw reader.error(
                    .landmarkModelCorrupt, "anchor index \(anchor) is not one of the \(partCount) landmarks")
            }
            indices[index] = Int32(anchor)
        }
        return Anchors(featureCount: featureCount, indices: indices)
    }

    private static func readOffsets(
        _ reader: inout DlibReader, level: Int,
        anchors: Anchors
    ) throws(OmoteError) -> Offsets {
        let poolAt = reader.offset
        let featureCount = try reader.count("a feature offset count", minimumBytesPerElement: 8)
        guard featureCount == anchors.featureCount else {
            throw reader.error(
                .landmarkModelCorrupt, "level \(level) has \(featureCount) offsets for \(anchors.featureCount) anchors",
                at: poolAt)
        }
        let x = AlignedBuffer<Float>(zeroedCount: anchors.indices.count)
        let y = AlignedBuffer<Float>(zeroedCount: anchors.indices.count)
        for index in 0 ..< featureCount {
            let dx = try reader.float("a feature offset")
            let dy = try reader.float("a feature offset")
            guard dx.isFinite, dy.isFinite else {
                throw reader.error(.landmarkModelCorrupt, "a feature offset is not finite")
            }
            x[index] = dx
            y[index] = dy
        }
        return Offsets(x: x, y: y)
    }
}
