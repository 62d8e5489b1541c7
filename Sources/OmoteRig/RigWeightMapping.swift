import OmoteCore

/// How an ARKit morph-target name is recognised on any rig: exactly, case-insensitively, or through common aliases.
public enum BlendshapeNameMatcher {
    public enum Level: Int, Sendable, Comparable {
        case exact = 0
        case caseInsensitive = 1
        case alias = 2
        public static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }
    }

    private enum Side: String {
        case none = ""
        case left = "L"
        case right = "R"
    }

    /// Words of a name: the part after a namespace (`blendShape1.`, `Face:`), split at separators, camelCase humps
    /// and digits, lower-cased, with numbering and common prefixes (`A01_`, `BS_`, `blendShape_`) dropped.
    static func words(_ name: String) -> [String] {
        var components = name.split(whereSeparator: { ".:|/".contains($0) }).map(String.init)
        if components.isEmpty { return [] }
        // Blender's "eyeBlink.L": a trailing side letter is a word of the name, not a namespace.
        var tail = components.removeLast()
        if let previous = components.last, ["l", "r", "left", "right"].contains(tail.lowercased()) {
            tail = previous + "_" + tail
        }
        var words: [String] = []
        var current = ""
        var previousKind = 0  // 1 lower, 2 upper, 3 digit
        let chars = Array(tail)
        for (i, c) in chars.enumerated() {
            let kind = c.isLowercase ? 1 : c.isUppercase ? 2 : c.isNumber ? 3 : 0
            if kind == 0 {
                if !current.isEmpty {
                    words.append(current)
                    current = ""
                }
                previousKind = 0
                continue
            }
            var boundary = false
            if !current.isEmpty {
                if kind == 3 && previousKind != 3 { boundary = true }
                if kind != 3 && previousKind == 3 { boundary = true }
                if kind == 2 && previousKind == 1 { boundary = true }
                // "ABCdef": the last capital starts the next word.
                if kind == 2 && previousKind == 2, i + 1 < chars.count, chars[i + 1].isLowercase { boundary = true }
            }
            if boundary {
                words.append(current)
                current = ""
            }
            current.append(c)
            previousKind = kind
        }
        if !current.isEmpty { words.append(current) }
        words = words.map { $0.lowercased() }.filter { !$0.allSatisfy(\.isNumber) }
        let prefixes: Set<String> = ["bs", "blendshape", "blendshapes", "arkit", "shape", "shapes", "morph", "sk"]
        while words.count > 1, prefixes.contains(words[0]) || (words[0].count == 1 && !["l", "r"].contains(words[0])) {
            words.removeFirst()
        }
        return words
    }

    private static func aliasKey(_ name: String) -> String? {
        var w = words(name)
        var side = Side.none
        if let i = w.lastIndex(where: { ["l", "left", "r", "right"].contains($0) }), w.count > 1 {
            side = w[i].hasPrefix("l") ? .left : .right
            w.remove(at: i)
        }
        guard !w.isEmpty else { return nil }
        return w.joined() + "|" + side.rawValue
    }

    private static let aliasTable: [String: ARKitBlendshape] = {
        var table: [String: ARKitBlendshape] = [:]
        for shape in ARKitBlendshape.allCases {
            if let key = aliasKey(shape.name) { table[key] = shape }
        }
        return table
    }()

    private static let lowercasedTable: [String: ARKitBlendshape] = Dictionary(
        uniqueKeysWithValues: ARKitBlendshape.allCases.map { ($0.name.lowercased(), $0) })

    /// The ARKit shape a rig's morph-target or expression name stands for, and how closely it matched.
    public static func match(_ name: String) -> (shape: ARKitBlendshape, level: Level)? {
        if let shape = ARKitBlendshape(name: name) { return (shape, .exact) }
        if let shape = lowercasedTable[name.lowercased()] { return (shape, .caseInsensitive) }
        if let key = aliasKey(name), let shape = aliasTable[key] { return (shape, .alias) }
        return nil
    }
}

/// Which of the 52 ARKit shapes an avatar can show, and through what.
public struct RigCoverage: Sendable, CustomStringConvertible {
    public enum Source: Sendable, Equatable {
        /// Morph targets with this shape's name (exact, case-insensitive or alias).
        case morphTargets([String])
        /// An expression (VRM blend shape group) with this shape's name.
        case expression(String)
        /// Approximated by driving VRM presets from this shape.
        case presets([VRMExpressionPreset])
        /// Gaze shown by rotating the eye bones.
        case eyeBones
        case none
    }

    public let sources: [Source]

    public func source(for shape: ARKitBlendshape) -> Source { sources[shape.rawValue] }

    /// Bit i set ⇔ the avatar shows shape i in some way.
    public var shownMask: UInt64 {
        var mask: UInt64 = 0
        for (i, s) in sources.enumerated() where s != .none { mask |= 1 << UInt64(i) }
        return mask
    }

    public var directCount: Int {
        sources.filter {
            if case .morphTargets = $0 { return true }
            if case .expression = $0 { return true }
            return false
        }.count
    }

    public var description: String {
        let presets = sources.filter {
            if case .presets = $0 { return true }
            return false
        }.count
        let bones = sources.filter { $0 == .eyeBones }.count
        let missing = ARKitBlendshape.allCases.filter { sources[$0.rawValue] == .none }.map(\.name)
        return "ARKit coverage: \(directCount) direct, \(presets) via VRM presets, \(bones) via eye bones, "
            + "\(missing.count) not shown" + (missing.isEmpty ? "" : " (\(missing.joined(separator: ", ")))")
    }
}

/// The 52 ARKit weights → the rig's morph-target weights, as a small matrix built once at load: one SIMD64 row of
/// coefficients per driven target, so a frame costs one multiply-and-sum per driven target.
public struct RigWeightMapping: Sendable {
    /// Target index of each row.
    let rowTargets: [Int32]
    let rows: [SIMD64<Float>]
    /// The rows' non-zero coefficients, for the per-frame product: row r is `entryStart[r] ..< entryStart[r + 1]`
    /// of (`entryShape`, `entryCoefficient`), in increasing shape order. (A `SIMD64` product and `sum()` per row cost
    /// more than all of skinning: the generic lane-wise code copies the whole vector per lane.)
    let product: RigWeightProduct
    public let coverage: RigCoverage
    /// Presets driven from ARKit weights (only those the rig has and whose ARKit sources it lacks).
    public let drivenPresets: [VRMExpressionPreset]

    /// Coefficients of the VRM presets in terms of ARKit weights. Each row sums to ≤ 1, so a preset's weight stays
    /// in 0…1 without clamping and the whole mapping stays one linear map.
    static let presetFormulas: [(VRMExpressionPreset, [(ARKitBlendshape, Float)])] = [
        (.blinkLeft, [(.eyeBlinkLeft, 1)]),
        (.blinkRight, [(.eyeBlinkRight, 1)]),
        (.blink, [(.eyeBlinkLeft, 0.5), (.eyeBlinkRight, 0.5)]),
        (.aa, [(.jawOpen, 1)]),
        (.ih, [(.mouthStretchLeft, 0.5), (.mouthStretchRight, 0.5)]),
        (.ou, [(.mouthPucker, 1)]),
        (
            .ee,
            [
                (.mouthStretchLeft, 0.25), (.mouthStretchRight, 0.25), (.mouthLowerDownLeft, 0.25),
                (.mouthLowerDownRight, 0.25),
            ]
        ),
        (.oh, [(.mouthFunnel, 1)]),
        (.happy, [(.mouthSmileLeft, 0.5), (.mouthSmileRight, 0.5)]),
        (.angry, [(.browDownLeft, 0.5), (.browDownRight, 0.5)]),
        (.sad, [(.mouthFrownLeft, 0.4), (.mouthFrownRight, 0.4), (.browInnerUp, 0.2)]),
        (.surprised, [(.eyeWideLeft, 0.3), (.eyeWideRight, 0.3), (.browInnerUp, 0.4)]),
        (.relaxed, [(.cheekSquintLeft, 0.5), (.cheekSquintRight, 0.5)]),
        (.lookUp, [(.eyeLookUpLeft, 0.5), (.eyeLookUpRight, 0.5)]),
        (.lookDown, [(.eyeLookDownLeft, 0.5), (.eyeLookDownRight, 0.5)]),
        // lookLeft: the avatar looks to its own left (+x): the left eye outwards, the right eye inwards.
        (.lookLeft, [(.eyeLookOutLeft, 0.5), (.eyeLookInRight, 0.5)]),
        (.lookRight, [(.eyeLookInLeft, 0.5), (.eyeLookOutRight, 0.5)]),
    ]

    init(targetNames: [String], expressions: [RigExpression], hasEyeBones: Bool) {
        var rows = [SIMD64<Float>](repeating: .zero, count: targetNames.count)
        var sources = [RigCoverage.Source](repeating: .none, count: 64)

        // Direct: expressions and targets named after ARKit shapes; the closest match level wins, expressions first.
        var bestExpression: [Int: (BlendshapeNameMatcher.Level, [Int])] = [:]
        for (e, expression) in expressions.enumerated() where expression.preset == nil {
            guard let (shape, level) = BlendshapeNameMatcher.match(expression.name) else { continue }
            let s = shape.rawValue
            if let current = bestExpression[s], current.0 < level { continue }
            if let current = bestExpression[s], current.0 == level {
                bestExpression[s] = (level, current.1 + [e])
            } else {
                bestExpression[s] = (level, [e])
            }
        }
        var bestTargets: [Int: (BlendshapeNameMatcher.Level, [Int])] = [:]
        for (t, name) in targetNames.enumerated() {
            guard let (shape, level) = BlendshapeNameMatcher.match(name) else { continue }
            let s = shape.rawValue
            if let current = bestTargets[s], current.0 < level { continue }
            if let current = bestTargets[s], current.0 == level {
                bestTargets[s] = (level, current.1 + [t])
            } else {
                bestTargets[s] = (level, [t])
            }
        }
        var direct = Set<Int>()
        for shape in ARKitBlendshape.allCases {
            let s = shape.rawValue
            let e = bestExpression[s]
            let t = bestTargets[s]
            if let e, t == nil || e.0 <= t!.0 {
                for index in e.1 { for bind in expressions[index].binds { rows[bind.target][s] += bind.weight } }
                sources[s] = .expression(expressions[e.1[0]].name)
                direct.insert(s)
            } else if let t {
                for index in t.1 { rows[index][s] += 1 }
                sources[s] = .morphTargets(t.1.map { targetNames[$0] })
                direct.insert(s)
            }
        }

        // Presets: only those the rig has, standing in for ARKit shapes it lacks.
        var presetExpression: [VRMExpressionPreset: Int] = [:]
        for (e, expression) in expressions.enumerated() {
            if let p = expression.preset, presetExpression[p] == nil, !expression.binds.isEmpty {
                presetExpression[p] = e
            }
        }
        var driven: [VRMExpressionPreset] = []
        var presetSources: [Int: [VRMExpressionPreset]] = [:]
        for (preset, formula) in Self.presetFormulas {
            guard let e = presetExpression[preset] else { continue }
            if formula.contains(where: { direct.contains($0.0.rawValue) }) { continue }
            if preset == .blink, presetExpression[.blinkLeft] != nil || presetExpression[.blinkRight] != nil {
                continue
            }
            if [.lookUp, .lookDown, .lookLeft, .lookRight].contains(preset), hasEyeBones { continue }
            driven.append(preset)
            for bind in expressions[e].binds {
                for (shape, c) in formula { rows[bind.target][shape.rawValue] += c * bind.weight }
            }
            for (shape, _) in formula { presetSources[shape.rawValue, default: []].append(preset) }
        }
        for (s, presets) in presetSources where sources[s] == .none { sources[s] = .presets(presets) }
        if hasEyeBones {
            let gaze: [ARKitBlendshape] = [
                .eyeLookDownLeft, .eyeLookDownRight, .eyeLookInLeft, .eyeLookInRight,
                .eyeLookOutLeft, .eyeLookOutRight, .eyeLookUpLeft, .eyeLookUpRight,
            ]
            for shape in gaze where sources[shape.rawValue] == .none { sources[shape.rawValue] = .eyeBones }
        }

        var rowTargets: [Int32] = []
        var kept: [SIMD64<Float>] = []
        for (t, row) in rows.enumerated() where row != .zero {
            rowTargets.append(Int32(t))
            kept.append(row)
        }
        self.rowTargets = rowTargets
        self.rows = kept
        var entryStart: [Int32] = [0]
        var entryShape: [Int32] = []
        var entryCoefficient: [Float] = []
        for row in kept {
            for s in 0 ..< 64 where row[s] != 0 {
                entryShape.append(Int32(s))
                entryCoefficient.append(row[s])
            }
            entryStart.append(Int32(entryShape.count))
        }
        self.product = RigWeightProduct(
            rowTarget: alignedCopy(rowTargets, filler: 0), entryStart: alignedCopy(entryStart, filler: 0),
            entryShape: alignedCopy(entryShape, filler: 0), entryCoefficient: alignedCopy(entryCoefficient, filler: 0))
        self.coverage = RigCoverage(sources: Array(sources.prefix(ARKitBlendshape.allCases.count)))
        self.drivenPresets = driven
    }

    /// How much morph target `target` moves per unit of `shape`.
    public func coefficient(target: Int, shape: ARKitBlendshape) -> Float {
        guard let r = rowTargets.firstIndex(of: Int32(target)) else { return 0 }
        return rows[r][shape.rawValue]
    }

    /// Writes the morph-target weights for `values`; targets no ARKit shape drives are left untouched (0).
    @inline(__always)
    func apply(_ values: SIMD64<Float>, into weights: UnsafeMutableBufferPointer<Float>) {
        let rowTarget = product.rowTarget.baseAddress
        let start = product.entryStart.baseAddress
        let shape = product.entryShape.baseAddress
        let coefficient = product.entryCoefficient.baseAddress
        // The weights as floats in memory: a `SIMD64` subscript with a run-time lane copies the whole vector.
        withUnsafeBytes(of: values) { raw in
            let v = raw.baseAddress!.assumingMemoryBound(to: Float.self)
            for r in 0 ..< product.rowTarget.count {
                var sum: Float = 0
                for e in Int(start[r]) ..< Int(start[r + 1]) { sum += coefficient[e] * v[Int(shape[e])] }
                weights[Int(rowTarget[r])] = sum
            }
        }
    }
}

/// The mapping's per-frame product in owned aligned buffers, read through plain pointers: row r sets morph target
/// `rowTarget[r]` to the sum of `entryCoefficient[e] · weight[entryShape[e]]` over `entryStart[r] ..< entryStart[r + 1]`.
final class RigWeightProduct: @unchecked Sendable {  // immutable after init; the buffers are only read
    let rowTarget: AlignedBuffer<Int32>
    let entryStart: AlignedBuffer<Int32>
    let entryShape: AlignedBuffer<Int32>
    let entryCoefficient: AlignedBuffer<Float>

    init(
        rowTarget: consuming AlignedBuffer<Int32>, entryStart: consuming AlignedBuffer<Int32>,
        entryShape: consuming AlignedBuffer<Int32>, entryCoefficient: consuming AlignedBuffer<Float>
    ) {
        self.rowTarget = rowTarget
        self.entryStart = entryStart
        self.entryShape = entryShape
        self.entryCoefficient = entryCoefficient
    }
}
