import ArgumentParser
import Foundation
import Omote
import OmoteCore

/// `omote live` when stdout is not a terminal: the camera is opened and its frames processed in a child process that
/// can write nothing but fixed-format records to this one (see `ProcessingChild`), exactly as `HeadlessReplay` does
/// for clips. This process never opens the camera or holds a frame; it prints the camera's format and, every few
/// seconds, frame counts and stage timings. Progress records are rate-limited here, so even a compromised child can
/// only move a few numbers every few seconds through them (Docs/privacy.md).
enum HeadlessLive {
    /// Seconds between progress records; the parent refuses a child that sends them faster than this allows.
    static let progressInterval: UInt64 = 5

    static func run(camera: V4L2CameraOptions, configuration: PipelineConfiguration) throws {
        // The child is the launcher of camera generations (see CameraGenerations): each opens the camera, engages its
        // own guard and writes records to the same channel; after an unplug the launcher says so and waits.
        let (pid, channel) = try ProcessingChild.start { writer in
            let ending = CameraGenerations.run(
                CameraGenerations.Settings(device: camera.device),
                waiting: { writer.send(StatusRecord.waiting(for: $0)) },
                generation: { child(writer: writer, camera: camera, configuration: configuration, generation: $0) })
            ending.endThisProcess()
        }
        // Ctrl-C reaches the whole process group: the child stops, and this process stays to report how it ended.
        signal(SIGINT, SIG_IGN)
        let guardStatus = try PrivacyGuard.engage(cameraDevice: nil, keeping: [channel])
        print(guardStatus.summary)
        Session.printStatus(
            "not a terminal: camera frames are processed in a separate process that can only send timings; showing status and timings only"
        )
        let started = MonotonicClock.nanoseconds()
        var progressRecords: UInt64 = 0
        var reader = StatusReader(descriptor: channel, maximumRecords: Int.max)
        var failed = false
        var violation: String?
        var order = GenerationRecordOrder()
        reading: while let record = reader.next() {
            let elapsed = (MonotonicClock.nanoseconds() - started) / 1_000_000_000
            if let problem = order.check(record.kind, elapsedSeconds: elapsed) {
                violation = problem
                break reading
            }
            switch record.kind {
            case .engaged:
                Session.printStatus(
                    "processing child: guard engaged, seccomp allow-list of \(record.values[0]) syscalls, writes only to its status channel"
                )
            case .camera:
                let fourCC = V4L2PixelFormat(rawValue: UInt32(truncatingIfNeeded: record.values[0])).fourCC
                Session.printStatus(
                    "camera: \(camera.device ?? "first capture device"): \(fourCC) \(record.values[1])×\(record.values[2])"
                        + String(format: " @ %.2f fps", Double(record.values[3]) / 1000))
            case .progress:
                progressRecords += 1
                guard progressRecords <= 2 + elapsed / (progressInterval - 1) else {
                    violation = "the processing child sent progress faster than every \(progressInterval) s"
                    break reading
                }
                guard let line = progressLine(record.values) else {
                    violation = "the processing child sent a progress record with an unknown damage code"
                    break reading
                }
                Session.printStatus(line)
            case .failure:
                Session.printStatus("stopped: \(record.text)")
                failed = true
            case .waiting:
                let node = StatusRecord.waitingDevice(in: record.values)
                guard node.valid else {
                    violation = "the processing child sent a camera-disconnected record naming no camera node"
                    break reading
                }
                failed = false  // the generation's disconnect was reported; the session goes on
                Session.printStatus(
                    "camera disconnected: waiting for \(node.device ?? camera.device ?? "the camera") to come back "
                        + "(Ctrl-C quits)")
            case .done, .clip:
                break
            }
        }
        if let problem = violation ?? reader.violation {
            kill(pid, SIGKILL)
            Session.printStatus("stopped: \(problem)")
            failed = true
        }
        failed = HeadlessReplay.reportEnding(of: pid, alreadyFailed: failed)
        if failed { throw ExitCode(1) }
    }

    /// "1234 frames, 29.9 fps, 3 dropped, 0 corrupt; decode p50 … µs; …" from a progress record; nil when its damage
    /// code is not in the catalogue.
    static func progressLine(_ values: [UInt64]) -> String? {
        let damage = StatusRecord.damage(in: values[9])
        guard damage.valid else { return nil }
        let stages = PipelineStage.allCases.filter { $0 != .draw }
        let timings = stages.enumerated().map { index, stage in
            String(format: "%@ p50 %.0f µs", stage.label, Double(values[4 + index]) / 1000)
        }
        return String(format: "%llu frames, %.1f fps, %llu dropped, ", values[0], Double(values[3]) / 10, values[1])
            + Session.corruptSummary(Int(clamping: values[2]), first: damage.first) + "; "
            + timings.joined(separator: "; ")
    }

    /// One camera generation of the child: open the camera, engage with it and the channel as the only writable
    /// descriptors, load, process, report. Returns its exit code (see `CameraGenerations`).
    static func child(
        writer: StatusWriter, camera cameraOptions: V4L2CameraOptions, configuration: PipelineConfiguration,
        generation: CameraGenerations.Generation
    ) -> Int32 {
        let camera: V4L2Camera
        do { camera = try generation.openCamera(cameraOptions) } catch {
            if generation.reportsOpenFailure { writer.send(StatusRecord(.failure, text: "\(error)")) }
            return CameraGenerations.exitCode(openFailure: error)
        }
        let status: PrivacyGuardStatus
        do {
            status = try PrivacyGuard.engage(cameraDevice: camera.format.device, statusChannel: writer.descriptor)
        } catch {
            writer.send(StatusRecord(.failure, text: "\(error)"))
            return 2
        }
        writer.send(StatusRecord(.engaged, values: [UInt64(status.allowedSyscalls), UInt64(status.closedDescriptors)]))
        let format = camera.format
        writer.send(
            StatusRecord(
                .camera,
                values: [
                    UInt64(format.pixelFormat.rawValue), UInt64(format.size.width), UInt64(format.size.height),
                    UInt64(((format.framesPerSecond ?? 0) * 1000).rounded()),
                ]))
        defer { camera.stop() }
        do {
            let pipeline = try MeshFacePipeline.load(configuration, progress: { _ in })
            let runner = try PipelineRunner(source: camera, processor: pipeline, engagement: status.engagement)
            runner.afterFirstResult = PrivacyGuard.narrowForSteadyState
            runner.start()
            var lastReport = MonotonicClock.nanoseconds()
            while !runner.isFinished {
                MonotonicClock.sleep(untilNanoseconds: MonotonicClock.nanoseconds() + 50_000_000)
                let now = MonotonicClock.nanoseconds()
                guard now - lastReport >= progressInterval * 1_000_000_000 else { continue }
                lastReport = now
                let model = runner.latest.read().value
                let history = runner.timingHistory()
                var values: [UInt64] = [
                    UInt64(model.framesProcessed), UInt64(model.framesDropped), UInt64(camera.stats.corrupt),
                    UInt64((model.framesPerSecond * 10).rounded()),
                ]
                values += PipelineStage.allCases.filter { $0 != .draw }.map { history.quantile(0.5, of: $0) }
                values.append(StatusRecord.value(of: camera.stats.firstDamage))
                writer.send(StatusRecord(.progress, values: values))
            }
            if let failure = runner.failureDescription {
                writer.send(StatusRecord(.failure, text: failure))
                return CameraGenerations.exitCode(after: runner)
            }
        } catch {
            writer.send(StatusRecord(.failure, text: "\(error)"))
            return 1
        }
        writer.send(StatusRecord(.done))
        return 0
    }
}
