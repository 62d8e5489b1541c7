import Foundation
import OmoteCapture
import OmoteCore
import Testing

@testable import OmotePipeline

/// The headless presenter's feed (`.timingsOnly`): frames without expression data and clip summaries pass; a frame
/// with any expression data, summaries to a live view, of an unnamed source or too fast end the session.
@Suite("Headless sensor feed", .serialized) struct SensorFeedHeadlessTests {
    typealias Channel = SensorFeedTests.Channel

    func started(_ channel: Channel, content: SensorProcess.RecordContent = .timingsOnly) throws -> SensorFeed {
        let feed = try SensorFeed(
            sensor: channel.handle, rigModel: nil, sourceNames: ["single_face", "no_face"],
            engagement: .unguardedForTests, content: content)
        channel.writer.send(.engaged(allowedSyscalls: 92, closedDescriptors: 0))
        #expect(feed.awaitEngaged())
        feed.start()
        return feed
    }

    func sendTimingsOnly(_ channel: Channel, _ sequence: UInt64) {
        var counts = SensorRecordTests.sampleCounts(capturedAt: MonotonicClock.nanoseconds())
        counts.sequence = sequence
        counts.framesProcessed = Int(sequence)
        channel.writer.sendFrame(SensorRecordTests.sampleFace().withoutExpression, counts: counts)
    }

    @Test("frames without expression data and clip summaries reach the headless presenter, in order")
    func summariesArrive() throws {
        let channel = try Channel()
        let feed = try started(channel)
        sendTimingsOnly(channel, 1)
        var summary = SensorSummaryRecordTests.sampleSummary()
        channel.writer.send(.sourceSummary(summary))
        summary.sourceIndex = 0
        channel.writer.send(.sourceSummary(summary))
        channel.writer.send(.ended(.endOfInput, ""))
        SensorFeedTests.expectEnded(feed, nil)
        #expect(feed.takeSummaries().map(\.sourceIndex) == [1, 0])
        #expect(feed.takeSummaries().isEmpty)
        #expect(feed.latestCounts.framesProcessed == 1)
    }

    @Test("expression data, a summary to a live view, of an unnamed source, or summaries too fast end the session")
    func violations() throws {
        let expressive = try Channel()
        let headless = try started(expressive)
        expressive.frame(1)
        SensorFeedTests.expectEnded(headless, "the sensor sent expression data to a presenter that shows timings only")

        let live = try Channel()
        let view = try started(live, content: .expression)
        live.writer.send(.sourceSummary(SensorSummaryRecordTests.sampleSummary()))
        SensorFeedTests.expectEnded(view, "the sensor sent a source summary to a live view")

        let unnamed = try Channel()
        let feed = try started(unnamed)
        var summary = SensorSummaryRecordTests.sampleSummary()
        summary.sourceIndex = 2
        unnamed.writer.send(.sourceSummary(summary))
        SensorFeedTests.expectEnded(feed, "the sensor sent a summary of source 2 (there are 2)")

        let flooding = try Channel()
        let flooded = try started(flooding)
        for _ in 0 ..< 12 { flooding.writer.send(.sourceSummary(SensorSummaryRecordTests.sampleSummary())) }
        SensorFeedTests.expectEnded(flooded, "the sensor sent source summaries faster than 5 a second")
    }
}
