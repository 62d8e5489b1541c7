/// Copies a rank-4 box between two strided layouts: TRANSPOSE, STRIDED_SLICE, CONCATENATION pieces, PAD interiors and
/// the copy into a convolution's padded input are all this one loop.
final class StridedCopyStep: PlanStep {
    let source: UnsafePointer<Float>
    let sourceStrides: [Int]
    let destination: UnsafeMutablePointer<Float>
    let destinationStrides: [Int]
    let shape: [Int]

    init(
        source: UnsafePointer<Float>, sourceStrides: [Int], destination: UnsafeMutablePointer<Float>,
        destinationStrides: [Int], shape: [Int]
    ) {
        self.source = source
        self.destination = destination
        // Merge dimensions that are contiguous in both layouts (e.g. whole pixel rows), so the innermost copy is long.
        var dims = zip(shape, zip(sourceStrides, destinationStrides)).map { (size: $0, from: $1.0, to: $1.1) }
        var index = dims.count - 1
        while index > 0 {
            let outer = dims[index - 1]
            let inner = dims[index]
            if outer.from == inner.from * inner.size, outer.to == inner.to * inner.size {
                dims[index] = (outer.size * inner.size, inner.from, inner.to)
                dims.remove(at: index - 1)
            }
            index -= 1
        }
        while dims.count < 4 {
            dims.insert((1, 0, 0), at: 0)
        }
        self.shape = dims.map(\.size)
        self.sourceStrides = dims.map(\.from)
        self.destinationStrides = dims.map(\.to)
    }

    func run() {
        let inner = shape[3]
        let contiguous = sourceStrides[3] == 1 && destinationStrides[3] == 1
        for i0 in 0 ..< shape[0] {
            for i1 in 0 ..< shape[1] {
                for i2 in 0 ..< shape[2] {
                    let from = source + i0 * sourceStrides[0] + i1 * sourceStrides[1] + i2 * sourceStrides[2]
                    let to =
                        destination + i0 * destinationStrides[0] + i1 * destinationStrides[1]
                        + i2 * destinationStrides[2]
                    if contiguous {
                        to.update(from: from, count: inner)
                    } else {
                        for i3 in 0 ..< inner {
                            to[i3 * destinationStrides[3]] = from[i3 * sourceStrides[3]]
                        }
                    }
                }
            }
        }
    }
}

/// Sets a range to zero (the border of a padded tensor).
final class ZeroStep: PlanStep {
    let destination: UnsafeMutablePointer<Float>
    let count: Int

    init(destination: UnsafeMutablePointer<Float>, count: Int) {
        self.destination = destination
        self.count = count
    }

    func run() {
        destination.update(repeating: 0, count: count)
    }
}
