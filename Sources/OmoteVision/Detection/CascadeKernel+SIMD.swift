/// Eight windows at once (x … x + 7 of one row) for stump cascades: the window offsets are the same for all of them,
/// so every integral lookup becomes one contiguous vector load (for step-2 levels the planes are stored de-interleaved,
/// even columns then odd ones, so the eight windows of x = 2m … 2m + 14 are again consecutive). The arithmetic is
/// lane-wise the scalar arithmetic (same float/double operations, no fused multiply-add), so results are
/// bit-identical to the scalar walk's.

/// Lane-wise conversions written out lane by lane: LLVM turns these into single vector conversions and always
/// inlines them (the standard library's generic SIMD conversion initialisers are not always inlined).
@inline(__always) func floats(_ v: SIMD8<Int32>) -> SIMD8<Float> {
    SIMD8(Float(v[0]), Float(v[1]), Float(v[2]), Float(v[3]), Float(v[4]), Float(v[5]), Float(v[6]), Float(v[7]))
}
@inline(__always) func floats(_ v: SIMD8<Double>) -> SIMD8<Float> {
    SIMD8(Float(v[0]), Float(v[1]), Float(v[2]), Float(v[3]), Float(v[4]), Float(v[5]), Float(v[6]), Float(v[7]))
}
@inline(__always) func doubles(_ v: SIMD8<Float>) -> SIMD8<Double> {
    SIMD8(
        Double(v[0]), Double(v[1]), Double(v[2]), Double(v[3]), Double(v[4]), Double(v[5]), Double(v[6]), Double(v[7]))
}
@inline(__always) func doubles(_ v: SIMD8<Int32>) -> SIMD8<Double> {
    SIMD8(
        Double(v[0]), Double(v[1]), Double(v[2]), Double(v[3]), Double(v[4]), Double(v[5]), Double(v[6]), Double(v[7]))
}
@inline(__always) func doubles(_ v: SIMD8<UInt32>) -> SIMD8<Double> {
    SIMD8(
        Double(v[0]), Double(v[1]), Double(v[2]), Double(v[3]), Double(v[4]), Double(v[5]), Double(v[6]), Double(v[7]))
}

extension CascadeKernel {
    /// Lane masks of one block after stage 0.
    struct Block {
        var passed: UInt8 = 0  // passed stage 0 (and, for Haar, not flat)
        var rejected: UInt8 = 0  // rejected by stage 0 (the scan skips the next position)
        var inverse = SIMD8<Float>(repeating: 1)  // Haar normalisation per lane
    }

    /// Lane k → bit k, without a per-lane branch.
    @inline(__always)
    static func bits(_ mask: SIMDMask<SIMD8<Int64>>) -> UInt8 {
        let lanes = SIMD8<Int64>(1, 2, 4, 8, 16, 32, 64, 128)
        return UInt8(truncatingIfNeeded: SIMD8<Int64>(repeating: 0).replacing(with: lanes, where: mask).wrappedSum())
    }

    /// The leaf of each lane (float, as stored) added to the double sums. Only vector-vector operations here: the
    /// scalar-operand overloads of the standard library's SIMD operators do not always vectorize.
    @inline(__always)
    static func addLeaves(_ sum: inout SIMD8<Double>, left: Float, right: Float, where goesLeft: SIMDMask<SIMD8<Int32>>)
    {
        let leaf = SIMD8<Float>(repeating: right).replacing(with: SIMD8<Float>(repeating: left), where: goesLeft)
        sum += doubles(leaf)
    }

    // MARK: Haar

    @inline(__always)
    func haarNormalisation(_ window: Int) -> (valid: SIMDMask<SIMD8<Int64>>, inverse: SIMD8<Float>) {
        @inline(__always) func sum(_ i: Int) -> SIMD8<Int32> { sums.load(at: window + norm[i]) }
        @inline(__always) func square(_ i: Int) -> SIMD8<UInt32> { squares.load(at: window + norm[i]) }
        let s = sum(0) &- sum(1) &- sum(2) &+ sum(3)
        let sq = square(0) &- square(1) &- square(2) &+ square(3)
        let sd = doubles(s)
        let nf = SIMD8<Double>(repeating: area) * doubles(sq) - sd * sd
        let positive = nf .> SIMD8<Double>(repeating: 0)
        let inverse = floats(SIMD8<Double>(repeating: 1) / nf.squareRoot())
        let small = SIMD8<Double>(repeating: area) * doubles(inverse) .< SIMD8<Double>(repeating: 1e-1)
        return (positive .& small, inverse)
    }

    @inline(__always)
    func haarStageSum(_ stage: Int, _ window: Int, _ inverse: SIMD8<Float>) -> SIMD8<Double> {
        var sum = SIMD8<Double>(repeating: 0)
        let first = Int(stageTreeStarts[stage])
        let end = first + Int(stageTreeCounts[stage])
        for node in first ..< end {
            let o = node * 12
            @inline(__always) func at(_ i: Int) -> SIMD8<Int32> { sums.load(at: window + Int(offsets[o + i])) }
            @inline(__always) func rect(_ r: Int) -> SIMD8<Float> {
                floats(at(r) &- at(r + 1) &- at(r + 2) &+ at(r + 3))
            }
            let w = weights[node]
            var v = SIMD8<Float>(repeating: w.x) * rect(0) + SIMD8<Float>(repeating: w.y) * rect(4)
            v = v + SIMD8<Float>(repeating: w.z) * rect(8)
            v = v * inverse
            Self.addLeaves(
                &sum, left: leafLeft[node], right: leafRight[node],
                where: v .< SIMD8<Float>(repeating: nodeThresholds[node]))
        }
        return sum
    }

    @inline(__always)
    func haarBlock(_ window: Int) -> Block {
        let (valid, inverse) = haarNormalisation(window)
        let sum = haarStageSum(0, window, inverse)
        let pass = sum .>= SIMD8<Double>(repeating: stageThresholds[0])
        return Block(passed: Self.bits(valid .& pass), rejected: Self.bits(valid .& .!pass), inverse: inverse)
    }

    /// Stages `from`… for the `active` lanes, eight at a time while enough lanes remain, then one lane at a time.
    /// Returns the lanes that pass every stage.
    @inline(__always)
    func haarFinish(_ window: Int, _ active: UInt8, _ inverse: SIMD8<Float>) -> UInt8 {
        var active = active
        var stage = 1
        while stage < stageCount && active.nonzeroBitCount >= 3 {
            let sum = haarStageSum(stage, window, inverse)
            active &= Self.bits(sum .>= SIMD8<Double>(repeating: stageThresholds[stage]))
            stage += 1
        }
        guard stage < stageCount else { return active }
        var faces: UInt8 = 0
        for lane in 0 ..< 8 where active & (1 << lane) != 0 {
            let test = HaarTest(window: window + lane, inverse: inverse[lane])
            if walkStumps(from: stage, test) == stageCount { faces |= 1 << lane }
        }
        return faces
    }

    // MARK: LBP

    /// Later stages stay eight-wide while at least this many lanes are alive.
    static var lbpVectorLanes: Int { 3 }

    @inline(__always)
    func lbpStageSum(_ stage: Int, _ window: Int) -> SIMD8<Double> {
        var sum = SIMD8<Double>(repeating: 0)
        let first = Int(stageTreeStarts[stage])
        let end = first + Int(stageTreeCounts[stage])
        for node in first ..< end {
            let o = node * 16
            @inline(__always) func at(_ i: Int) -> SIMD8<Int32> { sums.load(at: window + Int(offsets[o + i])) }
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
            let zero = SIMD8<Int32>(repeating: 0)
            @inline(__always) func bit(_ value: Int32) -> SIMD8<Int32> { SIMD8<Int32>(repeating: value) }
            var code = zero.replacing(with: bit(128), where: v0 &- v1 &- v4 &+ v5 .>= center)
            code |= zero.replacing(with: bit(64), where: v1 &- v2 &- v5 &+ v6 .>= center)
            code |= zero.replacing(with: bit(32), where: v2 &- v3 &- v6 &+ v7 .>= center)
            code |= zero.replacing(with: bit(16), where: v6 &- v7 &- v10 &+ v11 .>= center)
            code |= zero.replacing(with: bit(8), where: v10 &- v11 &- v14 &+ v15 .>= center)
            code |= zero.replacing(with: bit(4), where: v9 &- v10 &- v13 &+ v14 .>= center)
            code |= zero.replacing(with: bit(2), where: v8 &- v9 &- v12 &+ v13 .>= center)
            code |= zero.replacing(with: bit(1), where: v4 &- v5 &- v8 &+ v9 .>= center)
            // Bit `code` of the node's 256-bit subset, lane-wise: pick word code >> 5 by eight compares, then shift.
            let words = node * 8
            let wordIndex = code &>> bit(5)
            var word = SIMD8<Int32>(repeating: subsets[words])
            for k in 1 ..< 8 {
                word.replace(with: SIMD8<Int32>(repeating: subsets[words + k]), where: wordIndex .== bit(Int32(k)))
            }
            let goesLeft = (word &>> (code & bit(31))) & bit(1) .!= zero
            Self.addLeaves(&sum, left: leafLeft[node], right: leafRight[node], where: goesLeft)
        }
        return sum
    }

    @inline(__always)
    func lbpBlock(_ window: Int) -> Block {
        let sum = lbpStageSum(0, window)
        let pass = Self.bits(sum .>= SIMD8<Double>(repeating: stageThresholds[0]))
        return Block(passed: pass, rejected: ~pass)
    }

    @inline(__always)
    func lbpFinish(_ window: Int, _ active: UInt8) -> UInt8 {
        var active = active
        var stage = 1
        while stage < stageCount && active.nonzeroBitCount >= Self.lbpVectorLanes {
            let sum = lbpStageSum(stage, window)
            active &= Self.bits(sum .>= SIMD8<Double>(repeating: stageThresholds[stage]))
            stage += 1
        }
        guard stage < stageCount else { return active }
        var faces: UInt8 = 0
        for lane in 0 ..< 8 where active & (1 << lane) != 0 {
            if walkStumps(from: stage, LBPTest(window: window + lane)) == stageCount { faces |= 1 << lane }
        }
        return faces
    }

    // MARK: The row walk

    /// One row of windows for a stump cascade, in blocks of eight positions. Stage 0 of a block decides which of its
    /// positions the scalar scan would visit (a stage-0 rejection skips the next one); only those go on.
    @inline(__always)
    func scanRow(
        rowBase: Int, workW: Int, haar: Bool, xScale: Int, scale: Float, box: SIMD4<Int32>,
        into candidates: inout [SIMD4<Int32>]
    ) {
        var x = 0
        while x < workW {
            let window = rowBase + x
            let block = haar ? haarBlock(window) : lbpBlock(window)
            var lane = 0
            var visited: UInt8 = 0
            while lane < 8 && x + lane < workW {
                visited |= 1 << lane
                lane += block.rejected & (1 << lane) != 0 ? 2 : 1
            }
            let active = block.passed & visited
            if active != 0 {
                let faces = haar ? haarFinish(window, active, block.inverse) : lbpFinish(window, active)
                if faces != 0 {
                    for k in 0 ..< 8 where faces & (1 << k) != 0 {
                        var candidate = box
                        candidate.x = Int32((Float((x + k) * xScale) * scale).rounded(.toNearestOrEven))
                        candidates.append(candidate)
                    }
                }
            }
            x += lane
        }
    }
}
