import Testing

@testable import OmoteNeural

/// `StridedCopyStep` (every TRANSPOSE, slice, concatenation piece and padded copy) against index arithmetic, and
/// `ZeroStep` zeroing exactly its range.
@Suite struct CopyKernelTests {
    /// Copies `shape` from `source` to `destination` element by element, the way the strides say.
    static func reference(
        _ source: [Float], _ sourceStrides: [Int], into destination: inout [Float], _ destinationStrides: [Int],
        offset: Int, shape: [Int]
    ) {
        for i0 in 0 ..< shape[0] {
            for i1 in 0 ..< shape[1] {
                for i2 in 0 ..< shape[2] {
                    for i3 in 0 ..< shape[3] {
                        let index = [i0, i1, i2, i3]
                        let from = zip(index, sourceStrides).map { $0 * $1 }.reduce(0, +)
                        let to = zip(index, destinationStrides).map { $0 * $1 }.reduce(0, +)
                        destination[offset + to] = source[from]
                    }
                }
            }
        }
    }

    struct Case: CustomTestStringConvertible {
        let name: String
        let sourceCount: Int
        let sourceStrides: [Int]
        let destinationCount: Int
        let destinationStrides: [Int]
        let offset: Int
        let shape: [Int]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        // [1,3,4,5] → [1,5,4,3]: a transpose of the outer and inner axes (no contiguous inner run).
        Case(
            name: "transpose", sourceCount: 60, sourceStrides: [60, 20, 5, 1], destinationCount: 60,
            destinationStrides: [60, 1, 3, 12], offset: 0, shape: [1, 3, 4, 5]),
        // Every second row and column of [1,7,9,3]: a strided slice.
        Case(
            name: "slice", sourceCount: 189, sourceStrides: [0, 54, 6, 1], destinationCount: 60,
            destinationStrides: [0, 15, 3, 1], offset: 0, shape: [1, 4, 5, 3]),
        // [1,5,6,7] into the interior of a [1,7,9,7] buffer (top 1, left 2): a convolution's padded input.
        Case(
            name: "padded interior", sourceCount: 210, sourceStrides: [0, 42, 7, 1], destinationCount: 441,
            destinationStrides: [0, 63, 7, 1], offset: 63 + 14, shape: [1, 5, 6, 7]),
        // [1,2,3,5] as the second piece of a channel concatenation into [1,2,3,13] (channels 8…12).
        Case(
            name: "concatenation piece", sourceCount: 30, sourceStrides: [0, 15, 5, 1], destinationCount: 78,
            destinationStrides: [0, 39, 13, 1], offset: 8, shape: [1, 2, 3, 5]),
        // Fully contiguous: the dimensions merge into one run.
        Case(
            name: "contiguous", sourceCount: 2 * 3 * 4 * 5, sourceStrides: [60, 20, 5, 1], destinationCount: 120,
            destinationStrides: [60, 20, 5, 1], offset: 0, shape: [2, 3, 4, 5]),
    ]

    @Test("equals an element-by-element copy", arguments: cases)
    func matchesReference(_ c: Case) {
        var random = SeededGenerator(seed: UInt64(c.sourceCount))
        let source = random.floats(c.sourceCount)
        let initial = random.floats(c.destinationCount)
        var expected = initial
        Self.reference(source, c.sourceStrides, into: &expected, c.destinationStrides, offset: c.offset, shape: c.shape)
        let sourceBuffer = KernelBuffer(source)
        let destination = KernelBuffer(initial)
        StridedCopyStep(
            source: sourceBuffer.pointer, sourceStrides: c.sourceStrides, destination: destination.pointer + c.offset,
            destinationStrides: c.destinationStrides, shape: c.shape
        ).run()
        #expect(destination.values == expected)
        #expect(destination.slackUntouched)
    }

    @Test("zeroes exactly its range", arguments: [1, 7, 16, 45])
    func zero(_ count: Int) {
        let buffer = KernelBuffer(count: count + 2)
        buffer.pointer.update(repeating: 3, count: count + 2)
        ZeroStep(destination: buffer.pointer + 1, count: count).run()
        #expect(buffer.values == [3] + Array(repeating: 0, count: count) + [3])
    }
}
