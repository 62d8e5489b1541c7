/// Eight windows at once (x, x + step, …, x + 7·step of one row) for stump cascades: the window offsets are the same
/// for all of them, so every integral lookup becomes one contiguous vector load (for step 2 the detector stores the
/// level's planes de-interleaved, even columns then odd ones, so the eight windows are again consecutive). The arithmetic is lane-wise the scalar arithmetic (same float/double operations, no
/// fused multiply-add), so results are bit-identical to `haarStumps` / `lbpStumps`.
protocol WindowStep {
    static var step: Int { get }
    static func load(_ p: UnsafePointer<Int32>) -> SIMD8<Int32>
    static func load(_ p: UnsafePointer<UInt32>) -> SIMD8<UInt32>
}

enum UnitStep: WindowStep {
    static var step: Int { 1 }
    @inline(__always) static func load(_ p: UnsafePointer<Int32>) -> SIMD8<Int32> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Int32>.self)
    }
    @inline(__always) static func load(_ p: UnsafePointer<UInt32>) -> SIMD8<UInt32> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<UInt32>.self)
    }
}

/// Lane-wise conversions written out lane by lane: LLVM turns these into single vector conversions and always
/// inlines them (the standard library's generic SIMD conversion initialisers are not always inlined).
@inline(__always) func floats(_ v: SIMD8<Int32>) -> SIMD8<Float> {
    SIMD8(Float(v[0]), Float(v[1]), Float(v[2]), Float(v[3]), Float(v[4]), Float(v[5]), Float(v[6]), Float(v[7]))
}
@inline(__always) func floats(_ v: SIMD8<Double>) -> SIMD8<Float> {
    SIMD8(Float(v[0]), Float(v[1]), Float(v[2]), Float(v[3]), Float(v[4]), Float(v[5]), Float(v[6]), Float(v[7]))
}
@inline(__always) func doubles(_ v: SIMD8<Float>) -> SIMD8<Double> {
    SIMD8(Double(v[0]), Double(v[1]), Double(v[2]), Double(v[3]), Double(v[4]), Double(v[5]), Double(v[6]), Double(v[7]))
}
@inline(__always) func doubles(_ v: SIMD8<Int32>) -> SIMD8<Double> {
    SIMD8(Double(v[0]), Double(v[1]), Double(v[2]), Double(v[3]), Double(v[4]), Double(v[5]), Double(v[6]), Double(v[7]))
}
@inline(__always) func doubles(_ v: SIMD8<UInt32>) -> SIMD8<Double> {
    SIMD8(Double(v[0]), Double(v[1]), Double(v[2]), Double(v[3]), Double(v[4]), Double(v[5]), Double(v[6]), Double(v[7]))
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
    static func addLeaves(_ sum: inout SIMD8<Double>, left: Float, right: Float, where goesLeft: SIMDMask<SIMD8<Int32>>) {
        let leaf = SIMD8<Float>(repeating: right).replacing(with: SIMD8<Float>(repeating: left), where: goesLeft)
        sum += doubles(leaf)
    }

    // MARK: Haar

    @inline(__always)
    func haarNormalisation<L: WindowStep>(_ p: UnsafePointer<Int32>, _ q: UnsafePointer<UInt32>, _: L.Type)
        -> (valid: SIMDMask<SIMD8<Int64>>, inverse: SIMD8<Float>) {
        let s = L.load(p + norm[0]) &- L.load(p + norm[1]) &- L.load(p + norm[2]) &+ L.load(p + norm[3])
        let sq = L.load(q + norm[0]) &- L.load(q + norm[1]) &- L.load(q + norm[2]) &+ L.load(q + norm[3])
        let sd = doubles(s)
        let nf = SIMD8<Double>(repeating: area) * doubles(sq) - sd * sd
        let positive = nf .> SIMD8<Double>(repeating: 0)
        let inverse = floats(SIMD8<Double>(repeating: 1) / nf.squareRoot())
        let small = SIMD8<Double>(repeating: area) * doubles(inverse) .< SIMD8<Double>(repeating: 1e-1)
        return (positive .& small, inverse)
    }

    @inline(__always)
    func haarStageSum<L: WindowStep>(_ stage: Int, _ p: UnsafePointer<Int32>, _ inverse: SIMD8<Float>, _: L.Type)
        -> SIMD8<Double> {
        var sum = SIMD8<Double>(repeating: 0)
        let first = Int(stageTreeStarts[stage]), end = first + Int(stageTreeCounts[stage])
        for node in first ..< end {
            let o = offsets + node * 12
            @inline(__always) func rect(_ r: Int) -> SIMD8<Float> {
                floats(L.load(p + Int(o[r])) &- L.load(p + Int(o[r + 1])) &- L.load(p + Int(o[r + 2]))
                    &+ L.load(p + Int(o[r + 3])))
            }
            let w = weights[node]
            var v = SIMD8<Float>(repeating: w.x) * rect(0) + SIMD8<Float>(repeating: w.y) * rect(4)
            v = v + SIMD8<Float>(repeating: w.z) * rect(8)
            v = v * inverse
            Self.addLeaves(&sum, left: leafLeft[node], right: leafRight[node],
                           where: v .< SIMD8<Float>(repeating: nodeThresholds[node]))
        }
        return sum
    }

    @inline(__always)
    func haarBlock<L: WindowStep>(_ base: Int, _: L.Type) -> Block {
        let p = sums + base
        let (valid, inverse) = haarNormalisation(p, squares + base, L.self)
        let sum = haarStageSum(0, p, inverse, L.self)
        let pass = sum .>= SIMD8<Double>(repeating: stageThresholds[0])
        return Block(passed: Self.bits(valid .& pass), rejected: Self.bits(valid .& .!pass), inverse: inverse)
    }

    /// Stages `from`… for the `active` lanes, eight at a time while enough lanes remain, then one lane at a time.
    /// Returns the lanes that pass every stage.
    @inline(__always)
    func haarFinish<L: WindowStep>(_ base: Int, _ active: UInt8, _ inverse: SIMD8<Float>, _: L.Type) -> UInt8 {
        let p = sums + base
        var active = active
        var stage = 1
        while stage < stageCount && active.nonzeroBitCount >= 3 {
            let sum = haarStageSum(stage, p, inverse, L.self)
            active &= Self.bits(sum .>= SIMD8<Double>(repeating: stageThresholds[stage]))
            stage += 1
        }
        guard stage < stageCount else { return active }
        var faces: UInt8 = 0
        for lane in 0 ..< 8 where active & (1 << lane) != 0 {
            if haarStumps(from: stage, at: base + lane * L.step, inverse: inverse[lane]) { faces |= 1 << lane }
        }
        return faces
    }

    @inline(__always)
    func haarStumps(from firstStage: Int, at base: Int, inverse: Float) -> Bool {
        let p = sums + base
        return walkStumps(from: firstStage) { haarValue($0, p, inverse) < nodeThresholds[$0] } == stageCount
    }

    // MARK: LBP

    /// Later stages stay eight-wide while at least this many lanes are alive.
    static var lbpVectorLanes: Int { 3 }

    @inline(__always)
    func lbpStageSum<L: WindowStep>(_ stage: Int, _ p: UnsafePointer<Int32>, _: L.Type) -> SIMD8<Double> {
        var sum = SIMD8<Double>(repeating: 0)
        let first = Int(stageTreeStarts[stage]), end = first + Int(stageTreeCounts[stage])
        for node in first ..< end {
            let o = offsets + node * 16
            @inline(__always) func at(_ i: Int) -> SIMD8<Int32> { L.load(p + Int(o[i])) }
            let v0 = at(0), v1 = at(1), v2 = at(2), v3 = at(3), v4 = at(4), v5 = at(5), v6 = at(6), v7 = at(7)
            let v8 = at(8), v9 = at(9), v10 = at(10), v11 = at(11), v12 = at(12), v13 = at(13), v14 = at(14)
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
            let words = subsets + node * 8
            let wordIndex = code &>> bit(5)
            var word = SIMD8<Int32>(repeating: words[0])
            for k in 1 ..< 8 {
                word.replace(with: SIMD8<Int32>(repeating: words[k]), where: wordIndex .== bit(Int32(k)))
            }
            let goesLeft = (word &>> (code & bit(31))) & bit(1) .!= zero
            Self.addLeaves(&sum, left: leafLeft[node], right: leafRight[node], where: goesLeft)
        }
        return sum
    }

    @inline(__always)
    func lbpBlock<L: WindowStep>(_ base: Int, _: L.Type) -> Block {
        let sum = lbpStageSum(0, sums + base, L.self)
        let pass = Self.bits(sum .>= SIMD8<Double>(repeating: stageThresholds[0]))
        return Block(passed: pass, rejected: ~pass)
    }

    @inline(__always)
    func lbpFinish<L: WindowStep>(_ base: Int, _ active: UInt8, _: L.Type) -> UInt8 {
        let p = sums + base
        var active = active
        var stage = 1
        while stage < stageCount && active.nonzeroBitCount >= Self.lbpVectorLanes {
            let sum = lbpStageSum(stage, p, L.self)
            active &= Self.bits(sum .>= SIMD8<Double>(repeating: stageThresholds[stage]))
            stage += 1
        }
        guard stage < stageCount else { return active }
        var faces: UInt8 = 0
        for lane in 0 ..< 8 where active & (1 << lane) != 0 {
            if lbpStumps(from: stage, at: base + lane * L.step) { faces |= 1 << lane }
        }
        return faces
    }

    @inline(__always)
    func lbpStumps(from firstStage: Int, at base: Int) -> Bool {
        let p = sums + base
        return walkStumps(from: firstStage) { lbpGoesLeft($0, p) } == stageCount
    }

    // MARK: The row walk

    /// One row of windows for a stump cascade, in blocks of eight positions. Stage 0 of a block decides which of its
    /// positions the scalar scan would visit (a stage-0 rejection skips the next one); only those go on.
    @inline(__always)
    func scanRow<L: WindowStep>(rowBase: Int, workW: Int, haar: Bool, _: L.Type, xScale: Int, scale: Float,
                                box: SIMD4<Int32>, into candidates: inout [SIMD4<Int32>]) {
        var x = 0
        while x < workW {
            let base = rowBase + x
            let block = haar ? haarBlock(base, L.self) : lbpBlock(base, L.self)
            var lane = 0, visited: UInt8 = 0
            while lane < 8 && x + lane * L.step < workW {
                visited |= 1 << lane
                lane += block.rejected & (1 << lane) != 0 ? 2 : 1
            }
            let active = block.passed & visited
            if active != 0 {
                let faces = haar ? haarFinish(base, active, block.inverse, L.self) : lbpFinish(base, active, L.self)
                if faces != 0 {
                    for k in 0 ..< 8 where faces & (1 << k) != 0 {
                        var candidate = box
                        candidate.x = Int32((Float((x + k * L.step) * xScale) * scale).rounded(.toNearestOrEven))
                        candidates.append(candidate)
                    }
                }
            }
            x += lane * L.step
        }
    }
}
