import Foundation
import OmoteCapture
import OmoteCore
import OmotePrivacy

#if canImport(Glibc)
import Glibc
#endif

/// The presenter when stdout is not a terminal (a pipe, a file, a log): the same sensor as on a terminal, asked for
/// records without expression data (`SensorProcess.RecordContent.timingsOnly`); this process drives no rig, draws
/// nothing and prints only counts and stage timings, at a pace it sets itself.
extension Presenter {
    /// What a headless presenter prints on stdout while the sensor runs.
    public enum HeadlessReport: Sendable {
        /// One line per finished pass of each clip, from the sensor's source summaries (replay).
        case perClip
        /// A progress line every `seconds` from the latest counts and the timings so far (a camera).
        case progress(seconds: UInt64)
    }

    /// Runs the headless presenter until the sensor ends: `sourceNames` are the names a record may pick, `line`
    /// prints a report line (stdout), `status` a status line (stderr). Ctrl-C ends the sensor (its default action);
    /// this process ignores it to report how the sensor ended.
    public static func runHeadless(
        sensor: SensorProcess.Handle, guardStatus: PrivacyGuardStatus, sourceNames: [String],
        report: HeadlessReport, line: (String) -> Void, status: (String) -> Void
    ) -> Outcome {
        signal(SIGINT, SIG_IGN)  // after the fork: the sensor keeps the default action
        let feed: SensorFeed
        do throws(OmoteError) {
            feed = try SensorFeed(
                sensor: sensor, rigModel: nil, sourceNames: sourceNames, engagement: guardStatus.engagement,
                content: .timingsOnly)
        } catch {
            return abandoned(sensor, error)
        }
        let presented = feed.awaitEngaged()
        if presented {
            announce(feed, sourceNames: sourceNames, status: status)
            if let engaged = feed.sensorGuard {
                status(
                    "sensor: pid \(sensor.pid), guard engaged, seccomp allow-list of \(engaged.allowedSyscalls) "
                        + "syscalls; it holds no terminal or output and sends timings only")
            }
            feed.start()
            var lastProgress = MonotonicClock.nanoseconds()
            while !feed.isFinished {
                MonotonicClock.sleep(untilNanoseconds: MonotonicClock.nanoseconds() + 50_000_000)
                switch report {
                case .perClip:
                    for summary in feed.takeSummaries() {
                        line(SessionSummaryLines.clip(sourceNames[summary.sourceIndex], summary))
                    }
                case let .progress(seconds):
                    let now = MonotonicClock.nanoseconds()
                    guard now - lastProgress >= seconds * 1_000_000_000 else { continue }
                    lastProgress = now
                    let counts = feed.latestCounts
                    if counts.framesProcessed > 0 {
                        status(SessionSummaryLines.progress(counts, feed.timingHistory()))
                    }
                }
            }
            // Summaries that arrived with the sensor's last records.
            for summary in feed.takeSummaries() {
                line(SessionSummaryLines.clip(sourceNames[summary.sourceIndex], summary))
            }
        }
        let ending = feed.close()
        // Ctrl-C: the sensor was interrupted mid-stream and could not say so; that is a normal stop.
        let interrupted = ending == .signalled(SIGINT)
        return Outcome(
            failure: interrupted ? nil : feed.failureDescription(after: ending),
            failureCode: interrupted ? nil : feed.failureCode,
            sensorEnding: ending, history: feed.timingHistory(), counts: feed.latestCounts,
            firstFrameNanoseconds: feed.firstFrameNanoseconds, firstDrawNanoseconds: nil, presented: presented)
    }
}
