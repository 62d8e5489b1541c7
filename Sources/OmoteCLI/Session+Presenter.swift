import Foundation
import Omote
import OmoteCore

extension Session {
    /// The closing status lines of a split session (why it stopped, how the sensor ended, the timing summary);
    /// returns the exit code: 0 unless something failed. `quiet` leaves out the failure line (a camera disconnect,
    /// which the launcher reports itself).
    static func report(_ outcome: Presenter.Outcome, quiet: Bool = false) -> Int32 {
        var code: Int32 = 0
        if let failure = outcome.failure {
            // An empty failure is a camera generation's quiet retry; its exit status tells the launcher.
            if !quiet, !failure.isEmpty { printStatus("stopped: \(failure)") }
            code = 1
        }
        switch outcome.sensorEnding {
        case .exited(0): break
        case let .exited(status):
            if outcome.failure == nil { printStatus("stopped: the sensor process exited with status \(status)") }
            code = 1
        case .signalled(SIGINT):
            // Ctrl-C without a terminal view reaches the sensor as a signal: a normal stop.
            printStatus("stopped (interrupted)")
        case let .signalled(signal):
            printStatus(
                "stopped: the sensor process was killed by signal \(signal)"
                    + (signal == SIGSYS ? " (the privacy guard refused a forbidden system call)" : ""))
            code = 1
        }
        let counts = outcome.counts
        if counts.framesProcessed > 0 || counts.framesCorrupt > 0 {
            printStatus(
                "\(counts.framesProcessed) frames, \(counts.framesDropped) dropped, "
                    + "\(SessionSummaryLines.corrupt(counts.framesCorrupt, first: counts.firstDamage)); "
                    + SessionSummaryLines.stages(outcome.history)
                    + (outcome.firstFrameNanoseconds.map {
                        "; first frame \($0 / 1_000_000) ms after starting the sensor"
                    } ?? "")
                    + (outcome.firstDrawNanoseconds.map { ", drawn after \($0 / 1_000_000) ms" } ?? ""))
        }
        return code
    }
}
