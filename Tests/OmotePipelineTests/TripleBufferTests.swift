import Foundation
import OmotePipeline
import Testing

private final class Slot {
    var value = 0
    var checksum = 0
}

@Suite struct TripleBufferTests {
    @Test("The reader always gets the newest complete slot and never a slot being written")
    func newestWins() {
        let buffer = TripleBuffer { Slot() }
        #expect(buffer.acquireNewest().isNew == false)
        buffer.back.value = 1
        buffer.publish()
        buffer.back.value = 2
        buffer.publish()
        let (slot, isNew) = buffer.acquireNewest()
        #expect(isNew && slot.value == 2)
        #expect(buffer.acquireNewest().isNew == false)
        #expect(buffer.back !== slot)
    }

    @Test("Concurrent writer and reader never tear a slot")
    func noTearing() {
        let buffer = TripleBuffer { Slot() }
        let done = DispatchSemaphore(value: 0)
        Thread {
            for i in 1 ... 200_000 {
                let slot = buffer.back
                slot.value = i
                slot.checksum = i &* 7919
                buffer.publish()
            }
            done.signal()
        }.start()
        var torn = 0
        var last = 0
        var backwards = 0
        while done.wait(timeout: .now()) == .timedOut {
            let (slot, isNew) = buffer.acquireNewest()
            guard isNew else { continue }
            if slot.checksum != slot.value &* 7919 { torn += 1 }
            if slot.value < last { backwards += 1 }
            last = slot.value
        }
        #expect(torn == 0 && backwards == 0)
    }
}
