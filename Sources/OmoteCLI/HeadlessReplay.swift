import ArgumentParser
import Foundation
import Omote
import OmoteCore

/// `omote replay` when stdout is not a terminal: the clips are processed in a child process that can write nothing
/// but fixed-format records to its parent (see `ProcessingChild`); this process holds no frame and prints one timing
/// line per clip from the records.
enum HeadlessReplay {
    static func run(clipPaths: [String], pacing: ReplaySource.Pacing, loop: Bool, configuration: PipelineConfiguration)
        throws
    {
        let (pid, channel) = try ProcessingChild.start { writer in
            child(writer: writer, clipPaths: clipPaths, pacing: pacing, loop: loop, configuration: configuration)
        }
        // The parent engages its own guard before reading anything the child sends.
        let guardStatus = try PrivacyGuard.engage(cameraDevice: nil, keeping: [channel])
        print(guardStatus.summary)
        Session.printStatus(
            "not a terminal: frames are processed in a separate process that can only send timings; showing per-clip timings only"
        )
        let names = clipPaths.map { ($0 as NSString).lastPathComponent }
        // engaged + one record per clip (per pass) + done or failure.
        var reader = StatusReader(descriptor: channel, maximumRecords: loop ? Int.max : names.count + 2)
        var failed = false
        while let record = reader.next() {
            switch record.kind {
            case .engaged:
                Session.printStatus(
                    "processing child: guard engaged, seccomp allow-list of \(record.values[0]) syscalls, writes only to its status channel"
                )
            case .clip:
                let index = Int(clamping: record.values[0])
                guard index < names.count else {
                    failed = true
                    break
                }
                guard let line = clipLine(name: names[index], record.values) else {
                    Session.printStatus("stopped: the processing child sent a clip record with an unknown damage code")
                    failed = true
                    break
                }
                print(line)
            case .failure:
                Session.printStatus("stopped: \(record.text)")
                failed = true
            case .done:
                break
            case .camera, .progress, .waiting:
                Session.printStatus("stopped: the processing child sent a live-camera record during replay")
                failed = true
            }
        }
        if let violation = reader.violation {
            Session.printStatus("stopped: \(violation)")
            failed = true
        }
        failed = reportEnding(of: pid, alreadyFailed: failed)
        if failed { throw ExitCode(1) }
    }

    /// Waits for the processing child and says how it ended unless a failure was already reported; returns whether the
    /// command failed (an interrupt, Ctrl-C, is a normal stop).
    static func reportEnding(of pid: pid_t, alreadyFailed: Bool) -> Bool {
        switch ProcessingChild.wait(pid) {
        case .exited(0):
            return alreadyFailed
        case let .exited(code):
            if !alreadyFailed { Session.printStatus("stopped: the processing child exited with status \(code)") }
        case .signalled(SIGINT):
            Session.printStatus("stopped (interrupted)")
            return alreadyFailed
        case let .signalled(signal):
            if !alreadyFailed {
                Session.printStatus(
                    "stopped: the processing child was killed by signal \(signal)\(signal == SIGSYS ? " (the privacy guard refused a forbidden system call)" : "")"
                )
            }
        }
        return true
    }

    /// "single_face: 72 frames 640×360, 0 corrupt; decode p50 … µs, p99 … µs; …" from a clip record; nil when the
    /// record's damage code is not in the catalogue.
    static func clipLine(name: String, _ values: [UInt64]) -> String? {
        let damage = StatusRecord.damage(in: values[15])
        guard damage.valid else { return nil }
        let stages = PipelineStage.allCases.filter { $0 != .draw }
        let timings = stages.enumerated().map { index, stage in
            String(
                format: "%@ p50 %.0f µs, p99 %.0f µs", stage.label, Double(values[5 + index]) / 1000,
                Double(values[10 + index]) / 1000)
        }
        return "\(name): \(values[1]) frames \(values[3])×\(values[4]), "
            + Session.corruptSummary(Int(clamping: values[2]), first: damage.first) + "; "
            + timings.joined(separator: "; ")
    }

    /// The child: engage with the channel as the only writable descriptor, load, process, report. Returns its exit code.
    static func child(
        writer: StatusWriter, clipPaths: [String], pacing: ReplaySource.Pacing, loop: Bool,
        configuration: PipelineConfiguration
    ) -> Int32 {
        // A parent that is gone (killed) reads nothing more: stop at once rather than at the next record's broken pipe,
        // which at nominal speed can be a whole clip away. (PR_SET_PDEATHSIG cannot do it: the parent's Landlock
        // domain may not signal this process, which has a domain of its own.)
        let parent = getppid()
        let parentGone = { getppid() != parent }
        // The child decodes, so it (not the parent) loads libturbojpeg, before its guard forbids mapping it.
        do { try JPEGDecoder.loadLibrary() } catch {
            writer.send(StatusRecord(.failure, text: "\(error)"))
            return 1
        }
        let status: PrivacyGuardStatus
        do { status = try PrivacyGuard.engage(cameraDevice: nil, statusChannel: writer.descriptor) } catch {
            writer.send(StatusRecord(.failure, text: "\(error)"))
            return 2
        }
        writer.send(StatusRecord(.engaged, values: [UInt64(status.allowedSyscalls), UInt64(status.closedDescriptors)]))
        do {
            let pipeline = try MeshFacePipeline.load(configuration, progress: { _ in })
            let clips = try clipPaths.map { try ReplaySource(clipDirectory: $0, pacing: pacing) }
            let stages = PipelineStage.allCases.filter { $0 != .draw }
            repeat {
                for (index, clip) in clips.enumerated() {
                    clip.rewind()
                    clip.resetStats()  // each record reports its own pass
                    pipeline.reset()
                    let runner = try PipelineRunner(source: clip, processor: pipeline, engagement: status.engagement)
                    runner.afterFirstResult = PrivacyGuard.narrowForSteadyState
                    runner.start()
                    LiveDisplay.runHeadless(runner, status: { _ in }, stop: parentGone)
                    if parentGone() { return 1 }
                    if let failure = runner.failureDescription {
                        writer.send(StatusRecord(.failure, text: failure))
                        return 1
                    }
                    let history = runner.timingHistory()
                    let size = runner.latest.read().value.frame.frameSize
                    var values: [UInt64] = [
                        UInt64(index), UInt64(clip.stats.delivered), UInt64(clip.stats.corrupt),
                        UInt64(max(size.x, 0)), UInt64(max(size.y, 0)),
                    ]
                    values += stages.map { history.quantile(0.5, of: $0) }
                    values += stages.map { history.quantile(0.99, of: $0) }
                    values.append(StatusRecord.value(of: clip.stats.firstDamage))
                    writer.send(StatusRecord(.clip, values: values))
                }
            } while loop
        } catch {
            writer.send(StatusRecord(.failure, text: "\(error)"))
            return 1
        }
        writer.send(StatusRecord(.done))
        return 0
    }
}
