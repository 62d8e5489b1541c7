/// OpenCV's `groupRectangles(rects, groupThreshold, eps)` without weights, as `detectMultiScale` calls it
/// (eps 0.2, groupThreshold = minNeighbors):
///
/// 1. partition the candidates into the connected components of "similar": every edge (x, y, right, bottom) within
///    δ = eps·(min widths + min heights)/2 of the other's;
/// 2. average each component: sums of x, y, w, h times the float 1/n, rounded half-even;
/// 3. keep a component with more than groupThreshold members unless it lies inside another kept-size component
///    (grown by eps·its size) that has more than max(3, n) members — or, when n < 3, any such component.
///
/// Scratch arrays keep their capacity between calls.
struct RectangleGrouping {
    private var parent: [Int32] = []
    private var rank: [Int32] = []
    private var label: [Int32] = []
    private var sums: [SIMD4<Int32>] = []
    private var counts: [Int32] = []
    private var averages: [SIMD4<Int32>] = []

    /// Room for `count` candidates up front, so ordinary frames never grow the scratch arrays.
    mutating func reserve(_ count: Int) {
        parent.reserveCapacity(count)
        rank.reserveCapacity(count)
        label.reserveCapacity(count)
        sums.reserveCapacity(count)
        counts.reserveCapacity(count)
        averages.reserveCapacity(count)
    }

    mutating func group(_ rects: [SIMD4<Int32>], threshold: Int, eps: Double, into output: inout [SIMD4<Int32>]) {
        output.removeAll(keepingCapacity: true)
        let n = rects.count
        guard threshold > 0, n > 0 else {
            output.append(contentsOf: rects)
            return
        }
        parent.removeAll(keepingCapacity: true)
        rank.removeAll(keepingCapacity: true)
        label.removeAll(keepingCapacity: true)
        parent.append(contentsOf: repeatElement(-1, count: n))
        rank.append(contentsOf: repeatElement(0, count: n))
        label.append(contentsOf: repeatElement(-1, count: n))

        func root(_ i: Int) -> Int {
            var r = i
            while parent[r] >= 0 { r = Int(parent[r]) }
            return r
        }
        for i in 0 ..< n {
            var rootI = root(i)
            for j in 0 ..< n where j != i && Self.similar(rects[i], rects[j], eps: eps) {
                let rootJ = root(j)
                guard rootJ != rootI else { continue }
                if rank[rootI] > rank[rootJ] {
                    parent[rootJ] = Int32(rootI)
                } else {
                    parent[rootI] = Int32(rootJ)
                    if rank[rootI] == rank[rootJ] { rank[rootJ] += 1 }
                    rootI = rootJ
                }
                // Path compression of both chains.
                var k = j
                while parent[k] >= 0 {
                    let next = Int(parent[k])
                    parent[k] = Int32(rootI)
                    k = next
                }
                k = i
                while parent[k] >= 0 {
                    let next = Int(parent[k])
                    parent[k] = Int32(rootI)
                    k = next
                }
            }
        }
        // Classes numbered in order of first appearance.
        var classes = 0
        sums.removeAll(keepingCapacity: true)
        counts.removeAll(keepingCapacity: true)
        for i in 0 ..< n {
            let r = root(i)
            if label[r] < 0 {
                label[r] = Int32(classes)
                classes += 1
                sums.append(.zero)
                counts.append(0)
            }
            let c = Int(label[r])
            sums[c] &+= rects[i]
            counts[c] += 1
        }
        averages.removeAll(keepingCapacity: true)
        for c in 0 ..< classes {
            let s = 1 / Float(counts[c])
            let sum = sums[c]
            averages.append(
                SIMD4(
                    Self.round(Float(sum.x) * s), Self.round(Float(sum.y) * s),
                    Self.round(Float(sum.z) * s), Self.round(Float(sum.w) * s)))
        }
        for i in 0 ..< classes {
            let r1 = averages[i]
            let n1 = Int(counts[i])
            guard n1 > threshold else { continue }
            var swallowed = false
            for j in 0 ..< classes where j != i {
                let n2 = Int(counts[j])
                guard n2 > threshold else { continue }
                let r2 = averages[j]
                let dx = Self.round(Double(r2.z) * eps)
                let dy = Self.round(Double(r2.w) * eps)
                if r1.x >= r2.x - dx && r1.y >= r2.y - dy && r1.x + r1.z <= r2.x + r2.z + dx
                    && r1.y + r1.w <= r2.y + r2.w + dy && (n2 > max(3, n1) || n1 < 3)
                {
                    swallowed = true
                    break
                }
            }
            if !swallowed { output.append(r1) }
        }
    }

    @inline(__always)
    static func similar(_ a: SIMD4<Int32>, _ b: SIMD4<Int32>, eps: Double) -> Bool {
        let delta = eps * Double(min(a.z, b.z) + min(a.w, b.w)) * 0.5
        return Double(abs(a.x - b.x)) <= delta && Double(abs(a.y - b.y)) <= delta
            && Double(abs(a.x + a.z - b.x - b.z)) <= delta && Double(abs(a.y + a.w - b.y - b.w)) <= delta
    }

    @inline(__always) static func round(_ v: Float) -> Int32 { Int32(v.rounded(.toNearestOrEven)) }
    @inline(__always) static func round(_ v: Double) -> Int32 { Int32(v.rounded(.toNearestOrEven)) }
}
