import OmoteCore

/// Owns every buffer made at load time: the dequantized and repacked weights and folded constants (`AlignedBuffer`s),
/// and the activation arena, which holds the network's input (a camera crop) and everything computed from it, so it is
/// private memory (a `UniquePrivateArray`: locked out of swap, out of core dumps, wiped when released and at exit).
/// Each buffer is 64-byte aligned with 16 floats of slack, so vector loads at a channel tail stay inside it.
final class ConstantStore {
    /// One constant tensor's memory. A class only so the store can keep many in an array (an `AlignedBuffer` is
    /// `~Copyable`, which `Array` cannot hold); plans point into them for the store's lifetime.
    private final class Constant {
        let memory: AlignedBuffer<Float>
        init(count: Int) { memory = AlignedBuffer(count: count, repeating: 0) }
    }

    private var constants: [Constant] = []
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
        let constant = Constant(count: count + Self.slack)
        constants.append(constant)
        floatCount += constant.memory.count
        return constant.memory.baseAddress
    }
}
