import OmotePipeline
import Testing

/// The parent's check of a live child's records across camera generations.
@Suite struct GenerationRecordOrderTests {
    @Test("Each generation may send engaged, camera and progress; a waiting record starts the next generation")
    func replugSequenceIsAccepted() {
        var order = GenerationRecordOrder()
        let kinds: [StatusRecord.Kind] = [.engaged, .camera, .progress, .failure, .waiting, .engaged, .camera, .done]
        for kind in kinds { #expect(order.check(kind, elapsedSeconds: 10) == nil, "\(kind)") }
        #expect(order.generations == 2)
    }

    @Test("Repeated or out-of-order generation records are violations")
    func outOfOrder() {
        var twice = GenerationRecordOrder()
        #expect(twice.check(.engaged, elapsedSeconds: 0) == nil)
        #expect(twice.check(.engaged, elapsedSeconds: 0)?.contains("second guard record") == true)

        var cameraFirst = GenerationRecordOrder()
        #expect(cameraFirst.check(.camera, elapsedSeconds: 0)?.contains("camera record out of order") == true)

        var cameraTwice = GenerationRecordOrder()
        _ = cameraTwice.check(.engaged, elapsedSeconds: 0)
        #expect(cameraTwice.check(.camera, elapsedSeconds: 0) == nil)
        #expect(cameraTwice.check(.camera, elapsedSeconds: 0) != nil)

        var waitingFirst = GenerationRecordOrder()
        #expect(waitingFirst.check(.waiting, elapsedSeconds: 100)?.contains("before engaging") == true)
    }

    @Test("Generations faster than one a second are a violation (a compromised child cannot cycle them to leak)")
    func rateLimited() {
        var order = GenerationRecordOrder()
        var violation: String?
        for _ in 0 ..< 5 where violation == nil {
            violation = order.check(.engaged, elapsedSeconds: 1) ?? order.check(.waiting, elapsedSeconds: 1)
        }
        #expect(violation?.contains("faster than one a second") == true)
        #expect(order.generations == 4, "two re-plugs in the first second pass, the third does not")
    }

    @Test("A waiting record names /dev/videoN by number only; anything else is no node, out-of-range numbers invalid")
    func waitingRecordNamesTheNode() {
        let record = StatusRecord.waiting(for: "/dev/video2")
        #expect(record.kind == .waiting && record.values[0] == 3)
        #expect(StatusRecord.decode(record.encoded()) == record)
        #expect(StatusRecord.waitingDevice(in: record.values).device == "/dev/video2")
        #expect(StatusRecord.waiting(for: "/dev/v4l/by-id/usb-cam").values[0] == 0)
        #expect(StatusRecord.waitingDevice(in: StatusRecord.waiting(for: "/tmp/x").values) == (true, nil))
        #expect(StatusRecord.waitingDevice(in: [5000] + Array(repeating: 0, count: 15)).valid == false)
    }
}
