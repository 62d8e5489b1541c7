import CMallocCounter
import Foundation
import OmoteCore
import Testing

@testable import OmotePipeline

/// The bench's timing of the record path: each measured frame goes through the real writer, pipe, reader and decoder
/// and comes back valid, measuring allocates nothing, and it stops at its capacity.
@Suite("Record round trip (bench)") struct RecordRoundTripTests {
    @Test("every frame is timed on both ends, without a heap allocation, up to the capacity")
    func roundTrip() throws {
        let roundTrip = try RecordRoundTrip(capacity: 50)
        let result = try FrameResult(rig: nil)
        result.face.value = SensorRecordTests.sampleFace()
        result.model.framesProcessed = 7
        roundTrip.measure(result)  // the first call pages in the writer's and reader's buffers
        let allocationsBefore = omote_thread_allocation_count()
        for _ in 0 ..< 40 { roundTrip.measure(result) }
        let allocations = omote_thread_allocation_count() - allocationsBefore
        #expect(allocations == 0, "\(allocations) heap allocations in 40 round trips")
        for _ in 0 ..< 20 { roundTrip.measure(result) }
        #expect(roundTrip.failures == 0)
        #expect(roundTrip.sendNanoseconds.count == 50 && roundTrip.receiveNanoseconds.count == 50)
        #expect(roundTrip.sendNanoseconds.allSatisfy { $0 > 0 } && roundTrip.receiveNanoseconds.allSatisfy { $0 > 0 })
    }

    @Test("a frame whose record the decoder refuses is counted as a failure, not timed")
    func refused() throws {
        let roundTrip = try RecordRoundTrip(capacity: 10)
        let result = try FrameResult(rig: nil)
        var face = SensorRecordTests.sampleFace()
        face.weights.values[0] = .nan
        result.face.value = face
        roundTrip.measure(result)
        #expect(roundTrip.failures == 1 && roundTrip.sendNanoseconds.isEmpty)
    }
}
