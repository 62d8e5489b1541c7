import OmoteCore

/// The cascade evaluated at one window (OpenCV's `predictOrdered` / `predictOrderedStump` with the Haar or LBP
/// evaluator): views of the detector's flat cascade, the current level's integral planes and its feature offsets, in
/// one plain value so the inner loops pay no class-property access. Windows are given as `window`, the index of their
/// top-left corner in the planes. The eight-window stump path is in CascadeKernel+SIMD.
struct CascadeKernel {
    let stageCount: Int
    let stageThresholds: AlignedView<Double>
    let stageTreeStarts: AlignedView<Int32>
    let stageTreeCounts: AlignedView<Int32>
    let treeFirstNode: AlignedView<Int32>
    let treeFirstLeaf: AlignedView<Int32>
    let nodeThresholds: AlignedView<Float>
    let nodeLeft: AlignedView<Int32>
    let nodeRight: AlignedView<Int32>
    let leaves: AlignedView<Double>
    let leafLeft: AlignedView<Float>
    let leafRight: AlignedView<Float>
    let subsets: AlignedView<Int32>
    let weights: AlignedView<SIMD4<Float>>
    let sums: AlignedView<Int32>
    let squares: AlignedView<UInt32>
    let offsets: AlignedView<Int32>
    /// The normalisation rectangle's corners (Haar).
    let norm: SIMD4<Int>
    /// Its area, (window width − 2)·(window height − 2).
    let area: Double

    /// The kernel for the level now in `planes`; `split` when they are stored de-interleaved.
    init(
        _ cascade: borrowing FlatCascade, planes: borrowing IntegralImages, offsets: borrowing FeatureOffsets,
        split: Bool, window: (width: Int, height: Int)
    ) {
        stageCount = cascade.stageCount
        stageThresholds = cascade.stageThresholds.view
        stageTreeStarts = cascade.stageTreeStarts.view
        stageTreeCounts = cascade.stageTreeCounts.view
        treeFirstNode = cascade.treeFirstNode.view
        treeFirstLeaf = cascade.treeFirstLeaf.view
        nodeThresholds = cascade.nodeThresholds.view
        nodeLeft = cascade.nodeLeft.view
        nodeRight = cascade.nodeRight.view
        leaves = cascade.leaves.view
        leafLeft = cascade.leafLeft.view
        leafRight = cascade.leafRight.view
        subsets = cascade.subsets.view
        weights = cascade.haarWeights.view
        sums = planes.sums.view
        squares = planes.squares.view
        self.offsets = split ? offsets.split.view : offsets.plain.view
        norm = split ? offsets.splitNorm : offsets.plainNorm
        area = Double((window.width - 2) * (window.height - 2))
    }

    // MARK: Feature tests

    /// OpenCV's HaarEvaluator::setWindow: the 1/σ·area normalisation, nil for a flat window.
    @inline(__always)
    func haarNormalisation(at window: Int) -> Float? {
        let valueSum =
            sums[window + norm[0]] &- sums[window + norm[1]] &- sums[window + norm[2]]
            &+ sums[window + norm[3]]
        let valueSquares =
            squares[window + norm[0]] &- squares[window + norm[1]] &- squares[window + norm[2]]
            &+ squares[window + norm[3]]
        var nf = area * Double(valueSquares) - Double(valueSum) * Double(valueSum)
        guard nf > 0 else { return nil }
        nf = nf.squareRoot()
        let inverse = Float(1.0 / nf)
        guard area * Double(inverse) < 1e-1 else { return nil }
        return inverse
    }

    /// Σ w·rect (float, in OpenCV's order) times the normalisation.
    @inline(__always)
    func haarValue(_ node: Int, window: Int, inverse: Float) -> Float {
        let o = node * 12
        @inline(__always) func rect(_ r: Int) -> Int32 {
            sums[window + Int(offsets[o + r])] &- sums[window + Int(offsets[o + r + 1])]
                &- sums[window + Int(offsets[o + r + 2])] &+ sums[window + Int(offsets[o + r + 3])]
        }
        let w = weights[node]
        var v = w.x * Float(rect(0)) + w.y * Float(rect(4))
        v = v + w.z * Float(rect(8))  // rect 2 of a 2-rect feature is empty: adds 0, as OpenCV's skipped term
        return v * inverse
    }

    /// The LBP category of one node: the 8 outer blocks of the 3×3 grid against the centre (≥ sets the bit,
    /// clockwise from the top-left block = bit 7), then the category's bit in the node's 256-bit subset.
    @inline(__always)
    func lbpGoesLeft(_ node: Int, window: Int) -> Bool {
        let o = node * 16
        @inline(__always) func at(_ i: Int) -> Int32 { sums[window + Int(offsets[o + i])] }
        let v0 = at(0)
        let v1 = at(1)
        let v2 = at(2)
        let v3 = at(3)
        let v4 = at(4)
        let v5 = at(5)
        let v6 = at(6)
        let v7 = at(7)
        let v8 = at(8)
        let v9 = at(9)
        let v10 = at(10)
        let v11 = at(11)
        let v12 = at(12)
        let v13 = at(13)
        let v14 = at(14)
        let v15 = at(15)
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

    // MARK: The walks

    /// The stages from `firstStage` on, each tree walked from its root along `test`'s branches to a leaf: the first
    /// stage that rejects the window, or `stageCount` for a face.
    @inline(__always)
    func walkTrees<Test: CascadeFeatureTest>(from firstStage: Int, _ test: Test) -> Int {
        for stage in firstStage ..< stageCount {
            let first = Int(stageTreeStarts[stage])
            let end = first + Int(stageTreeCounts[stage])
            var sum = 0.0
            for tree in first ..< end {
                let root = Int(treeFirstNode[tree])
                var index = 0
                repeat {
                    let node = root + index
                    index = Int(test.goesLeft(node, self) ? nodeLeft[node] : nodeRight[node])
                } while index > 0
                sum += leaves[Int(treeFirstLeaf[tree]) - index]
            }
            if sum < stageThresholds[stage] { return stage }
        }
        return stageCount
    }

    /// The same walk for a stump cascade, where every tree is one node and its two leaves are at hand.
    @inline(__always)
    func walkStumps<Test: CascadeFeatureTest>(from firstStage: Int, _ test: Test) -> Int {
        var node = Int(stageTreeStarts[firstStage])
        for stage in firstStage ..< stageCount {
            let end = node + Int(stageTreeCounts[stage])
            var sum = 0.0
            while node < end {
                sum += Double(test.goesLeft(node, self) ? leafLeft[node] : leafRight[node])
                node += 1
            }
            if sum < stageThresholds[stage] { return stage }
        }
        return stageCount
    }

    /// One window of a tree cascade: 1 for a face, 0 when stage 0 rejects it, −k when stage k does, −1 also for a
    /// flat window (OpenCV's `runAt` result, which decides the scan's next step).
    @inline(__always)
    func evaluateTrees(at window: Int, haar: Bool) -> Int {
        let stage: Int
        if haar {
            guard let inverse = haarNormalisation(at: window) else { return -1 }
            stage = walkTrees(from: 0, HaarTest(window: window, inverse: inverse))
        } else {
            stage = walkTrees(from: 0, LBPTest(window: window))
        }
        return stage == stageCount ? 1 : -stage
    }
}

/// Which branch a node sends one window down: the only part of the walk that differs between feature types.
protocol CascadeFeatureTest {
    func goesLeft(_ node: Int, _ kernel: CascadeKernel) -> Bool
}

/// A Haar node goes left when its normalised feature value is below the node's threshold.
struct HaarTest: CascadeFeatureTest {
    let window: Int
    let inverse: Float

    @inline(__always)
    func goesLeft(_ node: Int, _ kernel: CascadeKernel) -> Bool {
        kernel.haarValue(node, window: window, inverse: inverse) < kernel.nodeThresholds[node]
    }
}

/// An LBP node goes left when the window's category is in the node's subset.
struct LBPTest: CascadeFeatureTest {
    let window: Int

    @inline(__always)
    func goesLeft(_ node: Int, _ kernel: CascadeKernel) -> Bool { kernel.lbpGoesLeft(node, window: window) }
}
