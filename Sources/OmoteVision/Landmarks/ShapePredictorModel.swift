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
/// padded to a multiple of 8 so the feature loop runs in whole SIMD8 steps.
final class ShapePredictorModel: @unchecked Sendable {  // Immutable after init.
    struct Node {
        var first: UInt16
        var second: UInt16
        var threshold: Float
    }

    struct Level {
        let treeCount: Int
        let featureCount: Int
        let paddedFeatureCount: Int
        let nodes: UnsafeMutablePointer<Node>
        let leaves: UnsafeMutablePointer<Float>
        let anchors: UnsafeMutablePointer<Int32>
        let deltaX: UnsafeMutablePointer<Float>
        let deltaY: UnsafeMutablePointer<Float>
    }

    static let partCount = FaceLandmarks.count
    static let shapeLength = 2 * partCount
    static let maximumDepth = 16

    let initialShape: UnsafeMutablePointer<Float>
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

    /// Owns every array above (freed with the model, or at once when loading throws half-way).
    private let arena = Arena()

    final class Arena {
        private var blocks: [UnsafeMutableRawPointer] = []
        deinit { for block in blocks { block.deallocate() } }

        func allocate<T>(_ type: T.Type, count: Int) -> UnsafeMutablePointer<T> {
            let raw = UnsafeMutableRawPointer.allocate(byteCount: max(1, count * MemoryLayout<T>.stride), alignment: 64)
            blocks.append(raw)
            return raw.bindMemory(to: T.self, capacity: count)
        }
    }

    convenience init(contentsOfFile path: String) throws(ShapePredictorError) {
        let file: MappedFile
        do {
            file = try MappedFile(path: path, what: "the landmark model")
        } catch {
            if error.code == .fileEmpty {
                throw ShapePredictorError(.truncated, path: path, offset: 0, reason: "the file is empty")
            }
            let errnoText = error.errno.map { " (\($0))" } ?? ""
            throw ShapePredictorError(.unreadable, path: path, reason: error.reason + errnoText)
        }
        try self.init(serialized: file.bytes, path: path)
    }

    init(serialized bytes: UnsafeRawBufferPointer, path: String) throws(ShapePredictorError) {
        var reader = DlibReader(bytes, path: path)
        let shapeLength = Self.shapeLength

        let version = try reader.signed(maxBytes: 4, "the version")
        guard version == 1 else {
            throw reader.error(.unsupportedVersion(version), "version \(version) is not a dlib shape_predictor version (1)", at: 0)
        }

        let shapeAt = reader.offset
        let (rows, columns) = try reader.matrixShape("the initial shape")
        guard columns == 1, rows % 2 == 0, rows > 0 else {
            throw reader.error(.corrupt, "the initial shape is \(rows)×\(columns), not a column of x, y pairs", at: shapeAt)
        }
        guard rows == shapeLength else {
            throw reader.error(.unsupportedModel, "the model predicts \(rows / 2) landmarks, Omote needs \(Self.partCount)", at: shapeAt)
        }
        let arena = self.arena
        initialShape = arena.allocate(Float.self, count: shapeLength)
        for index in 0 ..< shapeLength {
            let value = try reader.float("an initial shape coordinate")
            guard value.isFinite else { throw reader.error(.corrupt, "the initial shape holds a non-finite value") }
            initialShape[index] = value
        }
        var mean = SIMD2<Double>.zero
        for part in 0 ..< Self.partCount { mean += SIMD2(Double(initialShape[2 * part]), Double(initialShape[2 * part + 1])) }
        mean /= Double(Self.partCount)
        var variance = 0.0
        for part in 0 ..< Self.partCount {
            let centered = SIMD2(Double(initialShape[2 * part]), Double(initialShape[2 * part + 1])) - mean
            variance += (centered * centered).sum()
        }
        variance /= Double(Self.partCount)
        guard variance > 0 else { throw reader.error(.corrupt, "the initial shape is a single point", at: shapeAt) }
        initialMean = mean
        initialVariance = variance

        // Forests. Every tree must be complete and of one depth across the model (dlib's trainer always writes that).
        let levelCount = try reader.count("the cascade level count", minimumBytesPerElement: 2)
        guard levelCount >= 1 else { throw reader.error(.corrupt, "the model has no cascade levels") }
        var treeDepth = -1
        var treeCounts: [Int] = []
        var nodeArrays: [UnsafeMutablePointer<Node>] = []
        var leafArrays: [UnsafeMutablePointer<Float>] = []
        var largestIndex: [UInt64] = []
        for _ in 0 ..< levelCount {
            let treeCount = try reader.count("a level's tree count", minimumBytesPerElement: 2)
            guard treeCount >= 1 else { throw reader.error(.corrupt, "a cascade level has no trees") }
            var nodes: UnsafeMutablePointer<Node>? = nil
            var leaves: UnsafeMutablePointer<Float>? = nil
            var largest: UInt64 = 0
            for tree in 0 ..< treeCount {
                let splitsAt = reader.offset
                let splitCount = try reader.count("a tree's split count", minimumBytesPerElement: 8)
                if treeDepth < 0 {
                    let depth = (splitCount + 1).trailingZeroBitCount
                    guard splitCount >= 1, (splitCount + 1).nonzeroBitCount == 1, depth <= Self.maximumDepth else {
                        throw reader.error(.corrupt, "a tree has \(splitCount) splits, not a complete binary tree", at: splitsAt)
                    }
                    treeDepth = depth
                }
                let expectedSplits = (1 << treeDepth) - 1
                guard splitCount == expectedSplits else {
                    throw reader.error(.unsupportedModel, "trees of different depths (\(splitCount) splits, expected \(expectedSplits))", at: splitsAt)
                }
                if nodes == nil {
                    nodes = arena.allocate(Node.self, count: treeCount * expectedSplits)
                    leaves = arena.allocate(Float.self, count: treeCount * (expectedSplits + 1) * shapeLength)
                }
                let treeNodes = nodes! + tree * expectedSplits
                for split in 0 ..< expectedSplits {
                    let first = try reader.unsigned("a split's first feature index")
                    let second = try reader.unsigned("a split's second feature index")
                    let threshold = try reader.float("a split threshold")
                    guard threshold.isFinite else { throw reader.error(.corrupt, "a split threshold is not finite") }
                    largest = max(largest, first, second)
                    // Indices are checked against the feature pool once it has been read (it comes after the forests).
                    treeNodes[split] = Node(first: UInt16(truncatingIfNeeded: first), second: UInt16(truncatingIfNeeded: second),
                                            threshold: threshold)
                }
                let leavesAt = reader.offset
                let leafCount = try reader.count("a tree's leaf count", minimumBytesPerElement: 2)
                guard leafCount == expectedSplits + 1 else {
                    throw reader.error(.corrupt, "a tree with \(expectedSplits) splits has \(leafCount) leaves", at: leavesAt)
                }
                var leaf = leaves! + tree * leafCount * shapeLength
                for _ in 0 ..< leafCount {
                    let matrixAt = reader.offset
                    let (leafRows, leafColumns) = try reader.matrixShape("a leaf")
                    guard leafRows == shapeLength, leafColumns == 1 else {
                        throw reader.error(.corrupt, "a leaf is \(leafRows)×\(leafColumns), expected \(shapeLength)×1", at: matrixAt)
                    }
                    var finite = true
                    for index in 0 ..< shapeLength {
                        let value = try reader.float("a leaf value")
                        finite = finite && value.isFinite
                        leaf[index] = value
                    }
                    guard finite else { throw reader.error(.corrupt, "a leaf holds a non-finite value", at: matrixAt) }
                    leaf += shapeLength
                }
            }
            treeCounts.append(treeCount)
            nodeArrays.append(nodes!)
            leafArrays.append(leaves!)
            largestIndex.append(largest)
        }
        depth = treeDepth
        splitCount = (1 << treeDepth) - 1
        leafCount = 1 << treeDepth

        // Feature pools: anchor landmark per feature, then the offsets.
        let anchorsAt = reader.offset
        let anchorLevels = try reader.count("the anchor level count", minimumBytesPerElement: 1)
        guard anchorLevels == levelCount else {
            throw reader.error(.corrupt, "\(anchorLevels) anchor lists for \(levelCount) cascade levels", at: anchorsAt)
        }
        var anchorArrays: [UnsafeMutablePointer<Int32>] = []
        var featureCounts: [Int] = []
        for level in 0 ..< levelCount {
            let poolAt = reader.offset
            let featureCount = try reader.count("a feature pool size", minimumBytesPerElement: 2)
            guard featureCount >= 1, featureCount <= Int(UInt16.max) else {
                throw reader.error(.unsupportedModel, "a feature pool of \(featureCount) pixels (supported: 1…65535)", at: poolAt)
            }
            guard largestIndex[level] < UInt64(featureCount) else {
                throw reader.error(.corrupt, "level \(level) splits on feature \(largestIndex[level]) of a pool of \(featureCount)", at: poolAt)
            }
            let padded = (featureCount + 7) & ~7
            let anchors = arena.allocate(Int32.self, count: padded)
            for index in 0 ..< featureCount {
                let anchor = try reader.unsigned("an anchor index")
                guard anchor < UInt64(Self.partCount) else {
                    throw reader.error(.corrupt, "anchor index \(anchor) is not one of the \(Self.partCount) landmarks")
                }
                anchors[index] = Int32(anchor)
            }
            for index in featureCount ..< padded { anchors[index] = 0 }
            anchorArrays.append(anchors)
            featureCounts.append(featureCount)
        }

        let deltasAt = reader.offset
        let deltaLevels = try reader.count("the delta level count", minimumBytesPerElement: 1)
        guard deltaLevels == levelCount else {
            throw reader.error(.corrupt, "\(deltaLevels) offset lists for \(levelCount) cascade levels", at: deltasAt)
        }
        var builtLevels: [Level] = []
        for level in 0 ..< levelCount {
            let poolAt = reader.offset
            let featureCount = try reader.count("a feature offset count", minimumBytesPerElement: 8)
            guard featureCount == featureCounts[level] else {
                throw reader.error(.corrupt, "level \(level) has \(featureCount) offsets for \(featureCounts[level]) anchors", at: poolAt)
            }
            let padded = (featureCount + 7) & ~7
            let deltaX = arena.allocate(Float.self, count: padded), deltaY = arena.allocate(Float.self, count: padded)
            for index in 0 ..< featureCount {
                let x = try reader.float("a feature offset")
                let y = try reader.float("a feature offset")
                guard x.isFinite, y.isFinite else { throw reader.error(.corrupt, "a feature offset is not finite") }
                deltaX[index] = x
                deltaY[index] = y
            }
            for index in featureCount ..< padded {
                deltaX[index] = 0
                deltaY[index] = 0
            }
            builtLevels.append(Level(treeCount: treeCounts[level], featureCount: featureCount, paddedFeatureCount: padded,
                                     nodes: nodeArrays[level], leaves: leafArrays[level], anchors: anchorArrays[level],
                                     deltaX: deltaX, deltaY: deltaY))
        }
        guard reader.remaining == 0 else {
            throw reader.error(.corrupt, "\(reader.remaining) unexpected bytes after the model")
        }
        levels = builtLevels
        maximumTreeCount = treeCounts.max()!
        maximumPaddedFeatureCount = builtLevels.map(\.paddedFeatureCount).max()!
        byteCount = builtLevels.reduce(shapeLength * 4) { total, level in
            total + level.treeCount * ((1 << treeDepth) - 1) * MemoryLayout<Node>.stride
                + level.treeCount * (1 << treeDepth) * shapeLength * 4 + level.paddedFeatureCount * 12
        }
    }
}
