import CMallocCounter
import Foundation
import OmoteCore
import Testing

@testable import OmoteRig

/// A frame with every weight non-zero and the head and eyes turned, so every buffer of the state holds expression data.
private func expressiveFrame(_ f: Int) -> (BlendshapeWeights, HeadPose) {
    var w = BlendshapeWeights()
    for shape in ARKitBlendshape.allCases { w[shape] = Float((shape.rawValue * 7 + f * 3) % 17 + 1) / 18 }
    let a = 0.1 + Float(f % 8) * 0.02
    return (w, HeadPose(rotation: Rotation3(SIMD3(cosf(a), 0, sinf(a)), SIMD3(0, 1, 0), SIMD3(-sinf(a), 0, cosf(a)))))
}

/// The kernel's view of the mapping that holds `address`: its VmFlags from /proc/self/smaps ("lo" = locked,
/// "dd" = excluded from core dumps).
private func kernelFlags(ofMappingAt address: UnsafeRawPointer) throws -> [String] {
    // Read to the end: a single read of a /proc file (as String(contentsOfFile:) does) stops after the first page.
    let data = try FileHandle(forReadingFrom: URL(fileURLWithPath: "/proc/self/smaps")).readToEnd() ?? Data()
    let smaps = String(decoding: data, as: UTF8.self)
    let target = UInt(bitPattern: address)
    var inside = false
    for line in smaps.split(separator: "\n") {
        let fields = line.split(separator: " ", omittingEmptySubsequences: true)
        if let range = fields.first, range.contains("-"), !range.hasSuffix(":") {
            let bounds = range.split(separator: "-").compactMap { UInt($0, radix: 16) }
            inside = bounds.count == 2 && bounds[0] <= target && target < bounds[1]
        } else if inside, fields.first == "VmFlags:" {
            return fields.dropFirst().map(String.init)
        }
    }
    return []
}

@Suite("RigState keeps the deformed avatar in private memory")
struct RigStatePrivateMemoryTests {
    @Test("every buffer is inside one locked, undumpable mapping registered for the exit wipe, and released with it")
    func buffersArePrivateMemory() throws {
        let model = RigModel.defaultAvatar()
        var base: UnsafeMutableRawPointer?
        do {
            let state = try RigState(model: model)
            let (weights, pose) = expressiveFrame(1)
            state.apply(weights: weights, headPose: pose)
            let memory = state.privateMemory
            base = memory.baseAddress
            #expect(PrivateMemory.isLive(memory.baseAddress!), "registered for the exit-time wipe")
            #expect(memory.count == RigState.privateMemoryBytes(for: model))
            let flags = try kernelFlags(ofMappingAt: memory.baseAddress!)
            #expect(flags.contains("lo"), "locked out of swap: \(flags)")
            #expect(flags.contains("dd"), "excluded from core dumps: \(flags)")

            func expectInside<T>(_ view: MemoryView<T>, _ name: String) {
                let start = UnsafeRawPointer(view.baseAddress)
                let end = start + view.count * MemoryLayout<T>.stride
                let low = UnsafeRawPointer(memory.baseAddress!)
                #expect(start >= low && end <= low + memory.count, "\(name) lies in the private mapping")
            }
            expectInside(state.positions, "positions")
            expectInside(state.normals, "normals")
            expectInside(state.morphWeights, "morph weights")
            expectInside(state.boneTransforms, "bone transforms")
            #expect(state.positions.count == model.vertexCount && state.morphWeights.count == model.morphTargets.count)
            #expect(state.morphWeights.contains { $0 != 0 } && state.boneTransforms[1] != .identity)

            // The exit wipe's own loop, limited to this state's mapping (other tests' buffers are live concurrently).
            let mine = memory.baseAddress!
            PrivateMemory.wipeLiveBuffers { $0 == mine }
            #expect(state.positions.allSatisfy { $0 == .zero } && state.normals.allSatisfy { $0 == .zero })
            #expect(state.morphWeights.allSatisfy { $0 == 0 })
            #expect(state.boneTransforms.allSatisfy { $0 == RigAffine(c0: .zero, c1: .zero, c2: .zero, t: .zero) })
        }
        #expect(!PrivateMemory.isLive(base!), "released (wiped and unmapped) with the state")
    }

    @Test("apply allocates nothing on the heap (default avatar, and a rig with normal deltas and every skin kind)")
    func applyAllocatesNothing() throws {
        for model in [RigModel.defaultAvatar(), referenceRig(normalDeltas: true)] {
            let state = try RigState(model: model)
            // Two alternating frames held in locals (iterating an array of frames may itself allocate in -Onone).
            let (weights0, pose0) = expressiveFrame(0)
            let (weights1, pose1) = expressiveFrame(5)
            state.apply(weights: weights0, headPose: pose0)
            state.apply(weights: weights1, headPose: pose1)
            let before = omote_thread_allocation_count()
            for _ in 0 ..< 16 {
                state.apply(weights: weights0, headPose: pose0)
                state.apply(weights: weights1, headPose: pose1)
            }
            let allocations = omote_thread_allocation_count() - before
            #expect(allocations == 0, "\(allocations) allocations in 32 frames of \(model.name)")
        }
    }

    @Test("three result slots of a 30k-vertex, 52-target rig lock under 3 MB, well inside a default 8 MB limit")
    func lockedMemoryPerSlot() throws {
        let model = denseRig()
        #expect(model.vertexCount == 30_000 && model.morphTargets.count == 52)
        // Position and normal (16 bytes each) per vertex, four bone transforms, one weight per target.
        let expected = 30_000 * 32 + 4 * MemoryLayout<RigAffine>.stride + 52 * 4
        #expect(RigState.privateMemoryBytes(for: model) == expected)
        let slots = try (0 ..< 3).map { _ in try RigState(model: model) }
        let locked = slots.reduce(0) { $0 + $1.privateMemory.count }
        #expect(slots.allSatisfy { PrivateMemory.isLive($0.privateMemory.baseAddress!) })
        #expect(locked == 3 * expected && locked < 3 << 20)
    }
}

/// 30,000 vertices (150 × 200 grid) with 52 ARKit-named targets of 1,200 vertices each, like the benchmark's rig.
private func denseRig() -> RigModel {
    let rows = 150
    let cols = 200
    var positions: [SIMD3<Float>] = []
    for r in 0 ..< rows {
        for c in 0 ..< cols { positions.append(SIMD3(Float(c) / Float(cols), Float(r) / Float(rows), 0)) }
    }
    var indices: [UInt32] = []
    for r in 0 ..< rows - 1 {
        for c in 0 ..< cols - 1 {
            let a = UInt32(r * cols + c)
            indices += [a, a + UInt32(cols), a + 1]
        }
    }
    let targets = ARKitBlendshape.allCases.map { shape in
        let first = (shape.rawValue * 400) % (rows * cols - 1_200)
        return RigMorphTarget(
            name: shape.name, vertexIndices: (0 ..< 1_200).map { UInt32(first + $0) },
            positionDeltas: [SIMD3<Float>](repeating: SIMD3(0, 0, 0.01), count: 1_200))
    }
    return RigModel(name: "dense", positions: positions, indices: indices, morphTargets: targets)
}
