import Foundation
import OmoteCore

/// An OpenCV 2.x+ boosted cascade (`<cascade>` XML written by `opencv_traincascade`, or the stock files of Debian's
/// opencv-data): HAAR features (weighted rectangles, upright or 45° tilted) or LBP features (3×3 blocks, 256
/// categories tested against an 8-word bit subset). Immutable once loaded; share one between detectors.
///
/// Loading follows OpenCV's `CascadeClassifierImpl::Data::read`: each stage's threshold is stored minus 1e-5 (float),
/// trees keep their internal nodes (`left right feature threshold` or `left right feature subset×8`) and leaf values
/// in load order, and a cascade whose trees all have a single node is evaluated as stumps.
public final class CascadeClassifier: Sendable {
    public enum FeatureType: Sendable, Equatable { case haar, lbp }

    struct Stage: Sendable {
        var threshold: Float
        var firstTree: Int
        var treeCount: Int
    }
    struct Tree: Sendable {
        var firstNode: Int
        var nodeCount: Int
        var firstLeaf: Int
    }
    /// `left`/`right` > 0: index of the next node in the same tree; ≤ 0: leaf −index of the tree.
    struct Node: Sendable {
        var feature: Int
        var threshold: Float
        var left: Int
        var right: Int
    }
    /// Up to three weighted rectangles (unused ones have weight 0 and an empty rectangle), in window pixels.
    struct HaarFeature: Sendable {
        var rects: [SIMD4<Int32>]  // x, y, width, height; always 3
        var weights: SIMD4<Float>  // the 4th is 0
        var tilted: Bool
    }

    public let path: String
    public let featureType: FeatureType
    /// The training window (OpenCV's origWinSize).
    public let windowWidth: Int
    public let windowHeight: Int
    let stages: [Stage]
    let trees: [Tree]
    let nodes: [Node]
    let leaves: [Float]
    /// LBP only: 8 words per node (bit c set → the node goes left for category c).
    let subsets: [Int32]
    let haarFeatures: [HaarFeature]
    /// LBP only: the block (x, y, width, height) of each feature; the 3×3 grid spans 3·width × 3·height.
    let lbpFeatures: [SIMD4<Int32>]
    /// 1 when every tree is a stump (OpenCV's fast stump path).
    let maxNodesPerTree: Int
    let hasTiltedFeatures: Bool

    public var stageCount: Int { stages.count }

    public init(contentsOfFile path: String) throws(OmoteError) {
        self.path = path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw OmoteError.cascade(.cascadeMissing, path: path, reason: "no such file")
        }
        guard !isDirectory.boolValue, let data = FileManager.default.contents(atPath: path) else {
            throw OmoteError.cascade(
                .cascadeUnreadable, path: path, reason: isDirectory.boolValue ? "is a directory" : "cannot be read")
        }
        let document = try CascadeXMLReader.parse(data, path: path)
        var reader = Reader(path: path)
        guard let cascade = document.children.first else {
            throw OmoteError.cascade(.cascadeMalformed, path: path, reason: "the XML holds no top-level node")
        }
        // Pre-2.x files: type_id "opencv-haar-classifier", a <size> and <stages> of <trees>.
        let oldStages = cascade.child("stages")?.children.first?.child("trees") != nil
        if cascade.attributes["type_id"] == "opencv-haar-classifier" || oldStages
            || (cascade.child("size") != nil && cascade.child("stageType") == nil)
        {
            throw OmoteError.cascade(
                .cascadeOldFormat, path: path,
                reason: "the old pre-2.x haarcascade format (<trees> of <feature> nodes) is not supported")
        }
        let stageType = try reader.string(cascade, "stageType")
        guard stageType == "BOOST" else {
            throw OmoteError.cascade(.cascadeMalformed, path: path, reason: "stageType \(stageType) is not BOOST")
        }
        let typeName = try reader.string(cascade, "featureType")
        switch typeName.uppercased() {
        case "HAAR": featureType = .haar
        case "LBP": featureType = .lbp
        default:
            throw OmoteError.cascade(
                .cascadeUnsupportedFeatureType, path: path,
                reason: "featureType \(typeName) is not supported (only HAAR and LBP)")
        }
        windowWidth = try reader.int(cascade, "width")
        windowHeight = try reader.int(cascade, "height")
        guard (3 ... 4096).contains(windowWidth), (3 ... 4096).contains(windowHeight) else {
            throw OmoteError.cascade(
                .cascadeMalformed, path: path, reason: "window \(windowWidth)×\(windowHeight) is not usable")
        }
        var categories = 0
        if let params = cascade.child("featureParams"), params.child("maxCatCount") != nil {
            categories = try reader.int(params, "maxCatCount")
        }
        switch featureType {
        case .haar where categories != 0:
            throw OmoteError.cascade(
                .cascadeMalformed, path: path, reason: "a HAAR cascade with maxCatCount \(categories)")
        case .lbp where categories != 256:
            throw OmoteError.cascade(
                .cascadeMalformed, path: path, reason: "an LBP cascade needs maxCatCount 256, not \(categories)")
        default: break
        }
        let subsetSize = (categories + 31) / 32
        let nodeStep = 3 + (subsetSize > 0 ? subsetSize : 1)

        // Stages, trees, nodes, leaves.
        guard let stageList = cascade.child("stages"), !stageList.children.isEmpty else {
            throw OmoteError.cascade(.cascadeMalformed, path: path, reason: "no <stages>")
        }
        var stages: [Stage] = []
        var trees: [Tree] = []
        var nodes: [Node] = []
        var leaves: [Float] = []
        var subsets: [Int32] = []
        var maxNodes = 0
        for (stageIndex, stageNode) in stageList.children.enumerated() {
            reader.context = "stage \(stageIndex)"
            let threshold = Float(try reader.double(stageNode, "stageThreshold")) - Float(1e-5)
            guard let weak = stageNode.child("weakClassifiers"), !weak.children.isEmpty else {
                throw OmoteError.cascade(
                    .cascadeMalformed, path: path, reason: "stage \(stageIndex) has no <weakClassifiers>")
            }
            stages.append(Stage(threshold: threshold, firstTree: trees.count, treeCount: weak.children.count))
            for (treeIndex, treeNode) in weak.children.enumerated() {
                reader.context = "stage \(stageIndex) tree \(treeIndex)"
                guard let internalNodes = treeNode.child("internalNodes"), let leafNode = treeNode.child("leafValues")
                else {
                    throw OmoteError.cascade(
                        .cascadeMalformed, path: path,
                        reason: "\(reader.context) lacks <internalNodes> or <leafValues>")
                }
                let tokens = internalNodes.tokens
                guard !tokens.isEmpty, tokens.count % nodeStep == 0 else {
                    throw OmoteError.cascade(
                        .cascadeMalformed, path: path,
                        reason: "\(reader.context): \(tokens.count) "
                            + "internal-node numbers, not a multiple of \(nodeStep)")
                }
                let nodeCount = tokens.count / nodeStep
                var leafValues: [Float] = []
                for token in leafNode.tokens { leafValues.append(Float(try reader.number(token))) }
                guard leafValues.count >= 2 else {
                    throw OmoteError.cascade(
                        .cascadeMalformed, path: path, reason: "\(reader.context) has fewer than 2 leaves")
                }
                trees.append(Tree(firstNode: nodes.count, nodeCount: nodeCount, firstLeaf: leaves.count))
                maxNodes = max(maxNodes, nodeCount)
                for n in 0 ..< nodeCount {
                    let base = n * nodeStep
                    let left = try reader.integer(tokens[base])
                    let right = try reader.integer(tokens[base + 1])
                    let feature = try reader.integer(tokens[base + 2])
                    for child in [left, right]
                    where child > 0 ? (child <= n || child >= nodeCount) : (-child >= leafValues.count) {
                        throw OmoteError.cascade(
                            .cascadeIndexOutOfRange, path: path,
                            reason: "\(reader.context) node \(n) points to \(child), outside the tree")
                    }
                    var nodeThreshold: Float = 0
                    if subsetSize > 0 {
                        for w in 0 ..< subsetSize {
                            subsets.append(Int32(truncatingIfNeeded: try reader.integer(tokens[base + 3 + w])))
                        }
                    } else {
                        nodeThreshold = Float(try reader.number(tokens[base + 3]))
                    }
                    nodes.append(Node(feature: feature, threshold: nodeThreshold, left: left, right: right))
                }
                leaves.append(contentsOf: leafValues)
            }
        }

        // Features.
        reader.context = "features"
        guard let featureList = cascade.child("features"), !featureList.children.isEmpty else {
            throw OmoteError.cascade(.cascadeMalformed, path: path, reason: "no <features>")
        }
        var haar: [HaarFeature] = []
        var lbp: [SIMD4<Int32>] = []
        let w = windowWidth
        let h = windowHeight
        for (index, featureNode) in featureList.children.enumerated() {
            reader.context = "feature \(index)"
            switch featureType {
            case .haar:
                guard let rectList = featureNode.child("rects"), (1 ... 3).contains(rectList.children.count) else {
                    throw OmoteError.cascade(
                        .cascadeMalformed, path: path, reason: "feature \(index) needs 1 to 3 <rects>")
                }
                var tilted = false
                if featureNode.child("tilted") != nil { tilted = try reader.int(featureNode, "tilted") != 0 }
                var rects = [SIMD4<Int32>](repeating: .zero, count: 3)
                var weights = SIMD4<Float>.zero
                for (r, rectNode) in rectList.children.enumerated() {
                    let t = rectNode.tokens
                    guard t.count == 5 else {
                        throw OmoteError.cascade(
                            .cascadeMalformed, path: path, reason: "feature \(index) rect \(r) needs 5 numbers")
                    }
                    let x = try reader.integer(t[0])
                    let y = try reader.integer(t[1])
                    let rw = try reader.integer(t[2])
                    let rh = try reader.integer(t[3])
                    let inside =
                        tilted
                        ? (rw >= 0 && rh >= 0 && y >= 0 && x - rh >= 0 && x + rw <= w && y + rw + rh <= h)
                        : (x >= 0 && y >= 0 && rw >= 0 && rh >= 0 && x + rw <= w && y + rh <= h)
                    guard inside else {
                        throw OmoteError.cascade(
                            .cascadeIndexOutOfRange, path: path,
                            reason: "feature \(index) rect \(r) lies outside the \(w)×\(h) window")
                    }
                    rects[r] = SIMD4(Int32(x), Int32(y), Int32(rw), Int32(rh))
                    weights[r] = Float(try reader.number(t[4]))
                }
                haar.append(HaarFeature(rects: rects, weights: weights, tilted: tilted))
            case .lbp:
                guard let rectNode = featureNode.child("rect"), rectNode.tokens.count == 4 else {
                    throw OmoteError.cascade(
                        .cascadeMalformed, path: path, reason: "feature \(index) needs a <rect> of 4 numbers")
                }
                let t = rectNode.tokens
                let x = try reader.integer(t[0])
                let y = try reader.integer(t[1])
                let rw = try reader.integer(t[2])
                let rh = try reader.integer(t[3])
                guard x >= 0, y >= 0, rw > 0, rh > 0, x + 3 * rw <= w, y + 3 * rh <= h else {
                    throw OmoteError.cascade(
                        .cascadeIndexOutOfRange, path: path,
                        reason:
                            "feature \(index) (3×3 blocks of \(rw)×\(rh) at \(x),\(y)) lies outside the \(w)×\(h) window"
                    )
                }
                lbp.append(SIMD4(Int32(x), Int32(y), Int32(rw), Int32(rh)))
            }
        }
        let featureCount = featureType == .haar ? haar.count : lbp.count
        for (i, node) in nodes.enumerated() where node.feature < 0 || node.feature >= featureCount {
            throw OmoteError.cascade(
                .cascadeIndexOutOfRange, path: path,
                reason: "node \(i) uses feature \(node.feature) of \(featureCount)")
        }
        self.stages = stages
        self.trees = trees
        self.nodes = nodes
        self.leaves = leaves
        self.subsets = subsets
        self.haarFeatures = haar
        self.lbpFeatures = lbp
        self.maxNodesPerTree = maxNodes
        self.hasTiltedFeatures = haar.contains { $0.tilted }
    }

    /// Field access that turns every missing or non-numeric value into an error naming where it was.
    private struct Reader {
        let path: String
        var context = "cascade"

        func string(_ node: CascadeXMLElement, _ name: String) throws(OmoteError) -> String {
            guard let child = node.child(name), let token = child.tokens.first else {
                throw OmoteError.cascade(.cascadeMalformed, path: path, reason: "\(context): missing <\(name)>")
            }
            return String(token)
        }

        func int(_ node: CascadeXMLElement, _ name: String) throws(OmoteError) -> Int {
            try integer(Substring(try string(node, name)))
        }

        func double(_ node: CascadeXMLElement, _ name: String) throws(OmoteError) -> Double {
            try number(Substring(try string(node, name)))
        }

        func integer(_ token: Substring) throws(OmoteError) -> Int {
            guard let value = Int(token), abs(value) <= Int(UInt32.max) else {
                throw OmoteError.cascade(
                    .cascadeMalformed, path: path, reason: "\(context): \"\(token)\" is not an integer")
            }
            return value
        }

        func number(_ token: Substring) throws(OmoteError) -> Double {
            guard let value = Double(token), value.isFinite else {
                throw OmoteError.cascade(
                    .cascadeMalformed, path: path, reason: "\(context): \"\(token)\" is not a number")
            }
            return value
        }
    }
}
