import OmoteCore

/// Owns every buffer made at load time: the dequantized and repacked weights and folded constants (ordinary heap),
/// and the activation arena, which holds the network's input (a camera crop) and everything computed from it, so it is
/// private memory (`SecureArray`: locked out of swap, out of core dumps, wiped when released and at exit).
/// Each buffer is 64-byte aligned with 16 floats of slack, so vector loads at a channel tail stay inside it.
final class ConstantStore {
    private var buffers: [UnsafeMutableRawPointer] = []
    private(set) var floatCount = 0
    /// The arena: shared with other networks, or this network's own.
    private var arena: SharedActivationArena

    init(sharing arena: SharedActivationArena?) { self.arena = arena ?? SharedActivationArena() }

    /// Zeroes the activation arena (inputs, intermediates and outputs of the last run), keeping it mapped.
    func wipeArena() { arena.wipe() }

    /// Whether the arena lives in registered private memory.
    var arenaIsPrivate: Bool { arena.isPrivate }

    /// The activation arena: `count` floats (+ slack) of private, page-aligned memory, zeroed: the shared arena when
    /// it is large enough, else one of this network's own.
    func allocateArena(_ count: Int, network: String) throws(OmoteError) -> UnsafeMutablePointer<Float> {
        if let shared = try arena.claim(count + Self.slack, network: network) { return shared }
        arena = SharedActivationArena()
        return try arena.claim(count + Self.slack, network: network)!
    }

    static let slack = 16

    func allocate(_ count: Int) -> UnsafeMutablePointer<Float> {
        let total = count + Self.slack
        let raw = UnsafeMutableRawPointer.allocate(byteCount: total * 4, alignment: 64)
        raw.initializeMemory(as: Float.self, repeating: 0, count: total)
        buffers.append(raw)
        floatCount += total
        return raw.assumingMemoryBound(to: Float.self)
    }

    deinit {
        for buffer in buffers {
            buffer.deallocate()
        }
    }
}
