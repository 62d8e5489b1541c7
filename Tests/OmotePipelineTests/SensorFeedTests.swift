import CMallocCounter
import Foundation
import OmoteCapture
import OmoteCore
import OmoteRig
import OmoteView
import Testing

@testable import OmotePipeline

/// The presenter's reader, fed through real pipes by a stand-in sensor in this process: valid records reach the view
/// (and the rig); out-of-order, unnamed, too fast or out-of-place records end the session with the violation.
@Suite("Presenter's sensor feed", .serialized) struct SensorFeedTests {
    /// Pipes standing in for a started sensor (no process: the tests never call `close()`, which waits for one).
    final class Channel {
        let handle: SensorProcess.Handle
        private(set) var sensorRecords: Int32
        let sensorCommands: Int32
        let writer: SensorRecordWriter

        init() throws {
            var records: [Int32] = [-1, -1]
            var commands: [Int32] = [-1, -1]
            try #require(pipe(&records) == 0 && pipe(&commands) == 0)
            handle = SensorProcess.Handle(pid: -1, records: records[0], commands: commands[1])
            sensorRecords = records[1]
            sensorCommands = commands[0]
            writer = try SensorRecordWriter(descriptor: records[1])
        }

        @discardableResult
        func frame(_ sequence: UInt64, source: Int = 0, capturedAt: UInt64? = MonotonicClock.nanoseconds()) -> Bool {
            var counts = SensorRecordTests.sampleCounts(capturedAt: capturedAt)
            counts.sequence = sequence
            counts.framesProcessed = Int(sequence)
            counts.sourceIndex = source
            return writer.sendFrame(SensorRecordTests.sampleFace(), counts: counts)
        }

        /// The sensor's end of the record pipe closes (it exited).
        func closeSensorEnd() {
            close(sensorRecords)
            sensorRecords = -1
        }

        deinit {
            for descriptor in [handle.records, handle.commands, sensorRecords, sensorCommands] where descriptor >= 0 {
                close(descriptor)
            }
        }
    }

    /// The feed ends (within the wait) and says `description` (nil: it ended without a failure).
    static func expectEnded(
        _ feed: SensorFeed, _ description: String?, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(waitFor { feed.isFinished }, sourceLocation: sourceLocation)
        #expect(feed.failureDescription == description, sourceLocation: sourceLocation)
    }

    static func waitFor(_ condition: () -> Bool) -> Bool {
        for _ in 0 ..< 400 {
            if condition() { return true }
            usleep(5000)
        }
        return condition()
    }

    func started(_ channel: Channel, rig: RigModel? = nil) throws -> SensorFeed {
        let feed = try SensorFeed(
            sensor: channel.handle, rigModel: rig, sourceNames: ["single_face", "no_face"],
            engagement: .unguardedForTests)
        channel.writer.send(.engaged(allowedSyscalls: 92, closedDescriptors: 0))
        #expect(feed.awaitEngaged())
        #expect(feed.sensorGuard?.allowedSyscalls == 92)
        feed.start()
        return feed
    }

    @Test("valid frames reach the view with their source's name, and the presenter drives the rig")
    func validFrames() throws {
        let channel = try Channel()
        let feed = try started(channel, rig: RigModel.defaultAvatar())
        channel.frame(1)
        let captured = MonotonicClock.nanoseconds() - 40_000_000
        channel.frame(2, source: 1, capturedAt: captured)
        #expect(Self.waitFor { feed.latest.read().value.framesProcessed == 2 })
        let model = feed.latest.read().value
        #expect(model.sourceName == "no_face")
        // Capture → the presenter's rig, on the clock both processes share: at least the 40 ms it was captured before.
        #expect(model.latencyNanoseconds.map { $0 >= 40_000_000 } == true)
        #expect(model.processes == "sensor: pid -1, writes only records; presenter: terminal")
        #expect(model.frame.tracking == .tracking(faceID: 3))
        let (slot, _) = feed.results.acquireNewest()
        #expect(slot.face.value.weights[.jawOpen] == 0.5)
        let rig = try #require(slot.rig)
        #expect(rig.morphWeights.contains { $0 > 0 }, "the rig was deformed from the received weights")
        channel.writer.send(.ended(.endOfInput, ""))
        Self.expectEnded(feed, nil)
        #expect(feed.timingHistory().total == 2)
    }

    @Test("a sequence number that does not grow ends the session")
    func sequence() throws {
        let channel = try Channel()
        let feed = try started(channel)
        channel.frame(5)
        channel.frame(5)
        Self.expectEnded(feed, "the sensor sent frame 5 after frame 5")
        #expect(feed.failureCode == .pipelineSensorViolation)
    }

    @Test("a capture time in the future or more than a minute before the presenter's clock ends the session")
    func captureTime() throws {
        for captured in [MonotonicClock.nanoseconds() + 5_000_000_000, MonotonicClock.nanoseconds() - 61_000_000_000] {
            let channel = try Channel()
            let feed = try started(channel)
            channel.frame(1, capturedAt: captured)
            Self.expectEnded(feed, "the sensor sent a capture time in the future or more than a minute ago")
            #expect(feed.failureCode == .pipelineSensorViolation)
        }
    }

    @Test("a source the presenter did not name ends the session")
    func sourceIndex() throws {
        let channel = try Channel()
        let feed = try started(channel)
        channel.frame(1, source: 2)
        Self.expectEnded(feed, "the sensor sent a frame of source 2 (there are 2)")
    }

    @Test("records faster than 60 a second on average end the session")
    func rate() throws {
        let channel = try Channel()
        let feed = try started(channel)
        // Once the feed stops reading, a full pipe must not block this writer.
        _ = fcntl(channel.sensorRecords, F_SETFL, O_NONBLOCK)
        var sequence: UInt64 = 1
        let deadline = MonotonicClock.nanoseconds() + 3_000_000_000
        while !feed.isFinished, MonotonicClock.nanoseconds() < deadline {
            if channel.frame(sequence) { sequence += 1 }
        }
        #expect(sequence > 120, "the burst allowance was used up first")
        Self.expectEnded(feed, "the sensor sent records faster than 60 a second")
    }

    @Test("notes faster than 2 a second on average end the session")
    func noteRate() throws {
        let channel = try Channel()
        let feed = try started(channel)
        for index in 0 ..< 12 { channel.writer.send(.note("note \(index)")) }
        Self.expectEnded(feed, "the sensor sent notes faster than 2 a second")
    }

    @Test("a malformed record, a second guard record or a truncated record ends the session")
    func malformed() throws {
        let channel = try Channel()
        let feed = try started(channel)
        var bytes = SensorRecordTests.encodedFrame()
        SensorRecordTests.putFloat(.nan, at: 32, in: &bytes)
        _ = bytes.withUnsafeBytes { write(channel.sensorRecords, $0.baseAddress, $0.count) }
        Self.expectEnded(feed, "the sensor sent weight 0 (browDownLeft) = nan, outside [0, 1]")

        let second = try Channel()
        let again = try started(second)
        second.writer.send(.engaged(allowedSyscalls: 92, closedDescriptors: 0))
        #expect(Self.waitFor { again.isFinished })
        #expect(again.failureDescription == "the sensor sent a second guard record")

        let third = try Channel()
        let truncated = try started(third)
        _ = write(third.sensorRecords, "OMR1", 4)
        third.closeSensorEnd()
        #expect(Self.waitFor { truncated.isFinished })
        #expect(truncated.failureDescription == "the sensor sent a truncated record")
    }

    @Test("before its guard record the sensor may only say why it stopped")
    func beforeEngaging() throws {
        let channel = try Channel()
        let feed = try SensorFeed(
            sensor: channel.handle, rigModel: nil, sourceNames: ["camera"], engagement: .unguardedForTests)
        channel.frame(1)
        #expect(!feed.awaitEngaged())
        #expect(feed.failureDescription == "the sensor sent a record before its guard record")

        let failing = try Channel()
        let failed = try SensorFeed(
            sensor: failing.handle, rigModel: nil, sourceNames: ["camera"], engagement: .unguardedForTests)
        failing.writer.send(.ended(.failure, "cannot open the camera (/dev/video9): no such device."))
        #expect(!failed.awaitEngaged())
        #expect(failed.failureDescription == "cannot open the camera (/dev/video9): no such device.")

        // A camera generation's guard record says what the camera streams.
        let streaming = try Channel()
        let live = try SensorFeed(
            sensor: streaming.handle, rigModel: nil, sourceNames: ["/dev/video0"], engagement: .unguardedForTests)
        let format = SensorRecord.CameraFormat(fourCC: 0x4750_4A4D, width: 1280, height: 720, millihertz: 30000)
        streaming.writer.send(.engaged(allowedSyscalls: 92, closedDescriptors: 0, camera: format))
        #expect(live.awaitEngaged())
        #expect(live.cameraFormat == format)

        // A generation's quiet retry right after a re-plug: no text, nothing to report.
        let retrying = try Channel()
        let retry = try SensorFeed(
            sensor: retrying.handle, rigModel: nil, sourceNames: ["camera"], engagement: .unguardedForTests)
        retrying.writer.send(.ended(.failure, ""))
        #expect(!retry.awaitEngaged())
        #expect(retry.failureDescription == "" && retry.failureCode == .pipelineSensorEnded)
    }

    @Test("an unplugged camera ends the feed as a disconnect; q, r and c reach the sensor as commands")
    func disconnectAndCommands() throws {
        let channel = try Channel()
        let feed = try started(channel)
        feed.requestReset()
        #expect(SensorCommand.receive(from: channel.sensorCommands, timeoutMilliseconds: 100) == .command(.reset))
        feed.requestCalibration()
        #expect(
            SensorCommand.receive(from: channel.sensorCommands, timeoutMilliseconds: 100) == .command(.calibrate))
        channel.writer.send(.note("camera stalled: waiting for the camera"))
        #expect(Self.waitFor { feed.latest.read().value.statusNote == "camera stalled: waiting for the camera" })
        channel.writer.send(.ended(.disconnected, "the camera was unplugged"))
        #expect(Self.waitFor { feed.isFinished })
        #expect(feed.failureCode == .captureDisconnected)
        feed.requestStop()
        #expect(SensorCommand.receive(from: channel.sensorCommands, timeoutMilliseconds: 100) == .command(.quit))
    }

    @Test("a frame record costs no heap allocation to send, read and validate; its time is printed, not asserted")
    func overhead() throws {
        var records: [Int32] = [-1, -1]
        try #require(pipe(&records) == 0)
        defer { records.forEach { _ = close($0) } }
        let writer = try SensorRecordWriter(descriptor: records[1])
        let reader = try SensorRecordReader(descriptor: records[0])
        let face = SensorRecordTests.sampleFace()
        var counts = SensorRecordTests.sampleCounts()
        var decoded = FaceFrameResult()
        let iterations = 20_000
        var valid = 0
        let allocationsBefore = omote_thread_allocation_count()
        let started = MonotonicClock.nanoseconds()
        for sequence in 1 ... iterations {
            counts.sequence = UInt64(sequence)
            writer.sendFrame(face, counts: counts)
            guard reader.next(timeoutMilliseconds: 1000) == .record else { break }
            if case .message(.frame) = SensorRecord.decode(reader.bytes, face: &decoded) { valid += 1 }
        }
        let perRecord = Double(MonotonicClock.nanoseconds() - started) / Double(iterations) / 1000
        let allocations = omote_thread_allocation_count() - allocationsBefore
        print(
            String(
                format: "sensor record overhead: %.2f µs per frame (write + read + validate, %d records)",
                perRecord, iterations))
        #expect(valid == iterations)
        #expect(allocations == 0, "\(allocations) heap allocations in \(iterations) records")
        #expect(decoded.weights == face.weights)
    }
}
