/// Places activation buffers in one arena so that buffers whose lifetimes (step ranges) overlap never share bytes.
/// Greedy: in order of definition, each buffer goes to the lowest offset that clears every live, placed buffer.
struct ArenaLayout {
    struct Buffer {
        let count: Int
        var firstStep: Int
        var lastStep: Int
    }

    private(set) var offsets: [Int] = []
    private(set) var totalCount = 0

    init(_ buffers: [Buffer]) {
        let alignment = 16
        var placed: [(start: Int, end: Int, first: Int, last: Int)] = []
        offsets = Array(repeating: 0, count: buffers.count)
        let order = buffers.indices.sorted { (buffers[$0].firstStep, $0) < (buffers[$1].firstStep, $1) }
        for index in order {
            let buffer = buffers[index]
            let size = (buffer.count + ConstantStore.slack + alignment - 1) / alignment * alignment
            let conflicts =
                placed
                .filter { $0.first <= buffer.lastStep && buffer.firstStep <= $0.last }
                .sorted { $0.start < $1.start }
            var offset = 0
            for other in conflicts where offset + size > other.start && offset < other.end {
                offset = max(offset, other.end)
            }
            // One pass over sorted conflicts can leave an overlap with an earlier one; repeat until clear.
            while let clash = conflicts.first(where: { offset + size > $0.start && offset < $0.end }) {
                offset = clash.end
            }
            offsets[index] = offset
            placed.append((offset, offset + size, buffer.firstStep, buffer.lastStep))
            totalCount = max(totalCount, offset + size)
        }
    }
}
