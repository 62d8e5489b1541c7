import OmoteCore

/// A `CascadeClassifier` laid out for the evaluation loops, as OpenCV's `CascadeClassifierImpl::Data` is after `read`:
/// one aligned array per field, indexed by stage, tree or node in load order. Built once per detector.
///
/// In a stump cascade every tree is one node, so tree index = node index and the stump arrays (`leafLeft`,
/// `leafRight`) are indexed by either.
struct FlatCascade: ~Copyable {
    let isHaar: Bool
    /// Every tree is a single node (OpenCV's stump fast path).
    let isStump: Bool
    let stageCount: Int
    let stageThresholds: AlignedBuffer<Double>
    let stageTreeStarts: AlignedBuffer<Int32>
    let stageTreeCounts: AlignedBuffer<Int32>
    let treeFirstNode: AlignedBuffer<Int32>
    let treeFirstLeaf: AlignedBuffer<Int32>
    let nodeThresholds: AlignedBuffer<Float>
    /// > 0: the next node of the tree (relative to its first); ≤ 0: leaf −value of the tree.
    let nodeLeft: AlignedBuffer<Int32>
    let nodeRight: AlignedBuffer<Int32>
    /// Every tree's leaves, as the double the stage sums add.
    let leaves: AlignedBuffer<Double>
    /// Stumps: the two leaves of each tree as stored (float).
    let leafLeft: AlignedBuffer<Float>
    let leafRight: AlignedBuffer<Float>
    /// LBP: 8 words per node (bit c set → category c goes left).
    let subsets: AlignedBuffer<Int32>
    /// Haar: each node's feature weights (the 4th is 0).
    let haarWeights: AlignedBuffer<SIMD4<Float>>

    init(_ cascade: CascadeClassifier) {
        isHaar = cascade.featureType == .haar
        isStump = cascade.maxNodesPerTree == 1
        stageCount = cascade.stages.count
        let stages = cascade.stages
        stageThresholds = Self.table(stages) { Double($0.threshold) }
        stageTreeStarts = Self.table(stages) { Int32($0.firstTree) }
        stageTreeCounts = Self.table(stages) { Int32($0.treeCount) }
        let trees = cascade.trees
        treeFirstNode = Self.table(trees) { Int32($0.firstNode) }
        treeFirstLeaf = Self.table(trees) { Int32($0.firstLeaf) }
        let nodes = cascade.nodes
        nodeThresholds = Self.table(nodes) { $0.threshold }
        nodeLeft = Self.table(nodes) { Int32($0.left) }
        nodeRight = Self.table(nodes) { Int32($0.right) }
        leaves = Self.table(cascade.leaves) { Double($0) }
        let stumpTrees = isStump ? trees : []
        leafLeft = Self.table(stumpTrees) { cascade.leaves[$0.firstLeaf] }
        leafRight = Self.table(stumpTrees) { cascade.leaves[$0.firstLeaf + 1] }
        subsets = Self.table(cascade.subsets) { $0 }
        haarWeights = AlignedBuffer(count: nodes.count, repeating: .zero)
        if isHaar {
            for (index, node) in nodes.enumerated() { haarWeights[index] = cascade.haarFeatures[node.feature].weights }
        }
    }

    private static func table<Source, Element: BitwiseCopyable & AdditiveArithmetic>(
        _ source: [Source],
        _ value: (Source) -> Element
    ) -> AlignedBuffer<Element> {
        let buffer = AlignedBuffer<Element>(zeroedCount: source.count)
        for (index, item) in source.enumerated() { buffer[index] = value(item) }
        return buffer
    }
}
