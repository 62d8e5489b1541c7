import Testing

@testable import OmoteNeural

/// `ArenaLayout`: buffers alive at the same step never share a float (slack included, since kernels read into it),
/// every buffer lies inside the arena, offsets keep the 16-float alignment; buffers that are never alive together
/// may share memory.
@Suite struct ArenaLayoutTests {
    /// The floats a buffer occupies, as the layout sizes it.
    static func span(_ buffer: ArenaLayout.Buffer, at offset: Int) -> Range<Int> {
        offset ..< offset + buffer.count + ConstantStore.slack
    }

    static func expectSound(_ buffers: [ArenaLayout.Buffer], sourceLocation: SourceLocation = #_sourceLocation) {
        let layout = ArenaLayout(buffers)
        #expect(layout.offsets.count == buffers.count, sourceLocation: sourceLocation)
        for (index, buffer) in buffers.enumerated() {
            let span = Self.span(buffer, at: layout.offsets[index])
            #expect(span.lowerBound >= 0 && span.upperBound <= layout.totalCount, sourceLocation: sourceLocation)
            #expect(layout.offsets[index] % 16 == 0, sourceLocation: sourceLocation)
            for other in 0 ..< index {
                let live = buffers[other].firstStep <= buffer.lastStep && buffer.firstStep <= buffers[other].lastStep
                guard live else { continue }
                #expect(
                    !span.overlaps(Self.span(buffers[other], at: layout.offsets[other])),
                    "buffers \(other) \(buffers[other]) and \(index) \(buffer) are live together and overlap",
                    sourceLocation: sourceLocation)
            }
        }
    }

    @Test("a chain of steps reuses memory and never overlaps live buffers")
    func chain() {
        // Step i reads buffer i and writes buffer i + 1: each lives two steps.
        let buffers = (0 ..< 6).map { ArenaLayout.Buffer(count: 100, firstStep: max(0, $0 - 1), lastStep: $0) }
        Self.expectSound(buffers)
        let layout = ArenaLayout(buffers)
        // Two slots suffice; the greedy layout alternates between them.
        #expect(layout.totalCount == 2 * 128)
        #expect(layout.offsets[0] == layout.offsets[2])
    }

    @Test("pinned buffers (inputs and outputs) overlap nothing")
    func pinned() {
        let buffers = [
            ArenaLayout.Buffer(count: 50, firstStep: 0, lastStep: .max),
            ArenaLayout.Buffer(count: 300, firstStep: 0, lastStep: 1),
            ArenaLayout.Buffer(count: 10, firstStep: 2, lastStep: 3),
            ArenaLayout.Buffer(count: 70, firstStep: 0, lastStep: .max),
            ArenaLayout.Buffer(count: 200, firstStep: 3, lastStep: 4),
        ]
        Self.expectSound(buffers)
    }

    @Test("a buffer placed between two live ones fits the gap or moves past both")
    func gaps() {
        // Buffer 2 would fit below buffer 1 only if it ignored buffer 0; buffer 3 fits the gap buffer 1 left.
        let buffers = [
            ArenaLayout.Buffer(count: 40, firstStep: 0, lastStep: 5),
            ArenaLayout.Buffer(count: 40, firstStep: 0, lastStep: 1),
            ArenaLayout.Buffer(count: 100, firstStep: 1, lastStep: 5),
            ArenaLayout.Buffer(count: 20, firstStep: 2, lastStep: 5),
            ArenaLayout.Buffer(count: 0, firstStep: 3, lastStep: 3),
        ]
        Self.expectSound(buffers)
        let layout = ArenaLayout(buffers)
        #expect(layout.offsets[3] == layout.offsets[1], "the freed slot is reused")
    }

    @Test("randomised lifetimes never put live buffers on the same floats", arguments: 0 ..< 20)
    func randomised(_ seed: Int) {
        var random = SeededGenerator(seed: UInt64(seed))
        let count = Int.random(in: 1 ... 60, using: &random)
        let steps = Int.random(in: 1 ... 40, using: &random)
        // Definition order need not follow step order: the planner appends scratch buffers as it goes.
        let buffers = (0 ..< count).map { _ -> ArenaLayout.Buffer in
            let first = Int.random(in: 0 ..< steps, using: &random)
            let last =
                Bool.random(using: &random) && Int.random(in: 0 ..< 10, using: &random) == 0
                ? Int.max : Int.random(in: first ..< steps, using: &random)
            return ArenaLayout.Buffer(
                count: Int.random(in: 0 ... 500, using: &random), firstStep: first, lastStep: last)
        }
        Self.expectSound(buffers)
    }
}
