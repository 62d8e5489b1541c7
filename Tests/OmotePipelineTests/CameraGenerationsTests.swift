import Foundation
import OmotePipeline
import Testing

/// The launcher's mechanics with stand-in generations: a temp file stands for the camera node, which a generation
/// removes (the unplug) and the test puts back (the re-plug). The launcher runs in a forked child of the test process
/// (it forks its generations, and must be the only thread of its process); everything the child and its generations
/// have to say comes back as lines on a pipe.
@Suite(.serialized) struct CameraGenerationsTests {
    /// A forked launcher's lines and how its process ended.
    struct Outcome {
        var lines: [String] = []
        var ending: SensorProcess.Ending = .exited(-1)
    }

    /// Forks a child that runs `launcher` (given a function writing one line to the test) and ends its process the way
    /// the launcher ended. `onLine` sees each line as it arrives, with the child's pid.
    /// `runForked` over the launcher on a node that does not exist, saying "waiting <node>" whenever it waits;
    /// `body` is each generation, given what the child can say.
    static func runForkedWithoutNode(
        _ body: @escaping (_ generation: CameraGenerations.Generation, _ say: @escaping (String) -> Void) -> Int32
    ) -> Outcome {
        runForked { say in
            CameraGenerations.run(settings("/nonexistent/video9"), waiting: { say("waiting \($0)") }) { body($0, say) }
        }
    }

    static func runForked(
        timeoutSeconds: Double = 30,
        onLine: (String, pid_t) -> Void = { _, _ in },
        _ launcher: @escaping (_ say: @escaping (String) -> Void) -> SensorProcess.Ending
    ) -> Outcome {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { return Outcome() }
        let writeEnd = ends[1]
        let say: (String) -> Void = { line in
            let bytes = Array((line + "\n").utf8)
            _ = bytes.withUnsafeBytes { write(writeEnd, $0.baseAddress, $0.count) }
        }
        fflush(nil)
        let pid = fork()
        if pid == 0 {
            close(ends[0])
            // Like `omote`'s main thread, not like the test worker that forked: no signal blocked.
            var none = sigset_t()
            sigemptyset(&none)
            sigprocmask(SIG_SETMASK, &none, nil)
            launcher(say).endThisProcess()
        }
        close(ends[1])
        defer { close(ends[0]) }
        var outcome = Outcome()
        var pending = ""
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        var buffer = [UInt8](repeating: 0, count: 4096)
        reading: while Date() < deadline {
            var entry = pollfd(fd: ends[0], events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, 100) >= 0 || errno == EINTR else { break }
            guard entry.revents != 0 else { continue }
            let count = read(ends[0], &buffer, buffer.count)
            if count <= 0 { break reading }
            pending += String(decoding: buffer[0 ..< count], as: UTF8.self)
            while let newline = pending.firstIndex(of: "\n") {
                let line = String(pending[..<newline])
                pending.removeSubrange(...newline)
                outcome.lines.append(line)
                onLine(line, pid)
            }
        }
        if Date() >= deadline { kill(pid, SIGKILL) }
        outcome.ending = SensorProcess.wait(pid)
        return outcome
    }

    /// A scratch "camera node" (a plain file) in a fresh directory.
    static func makeNode() throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("omote-replug-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let node = directory.appendingPathComponent("video0").path
        plugIn(node)
        return node
    }

    /// The node (re)appears.
    static func plugIn(_ node: String) {
        let created = FileManager.default.createFile(atPath: node, contents: Data())
        precondition(created, "cannot create the stand-in node \(node)")
    }

    static func settings(_ device: String? = nil) -> CameraGenerations.Settings {
        var settings = CameraGenerations.Settings(device: device)
        settings.pollNanoseconds = 20_000_000
        settings.openGraceNanoseconds = 2_000_000_000
        return settings
    }

    @Test("Unplug and re-plug: generation 1 exits 'disconnected', the launcher waits for the node, generation 2 runs")
    func replugResumes() throws {
        let node = try Self.makeNode()
        defer { try? FileManager.default.removeItem(atPath: (node as NSString).deletingLastPathComponent) }
        let outcome = Self.runForked(onLine: { line, _ in
            guard line.hasPrefix("waiting ") else { return }
            // The launcher is waiting: it must not start a generation before the node is back.
            usleep(150_000)
            Self.plugIn(node)
        }) { say in
            CameraGenerations.run(Self.settings(), waiting: { say("waiting \($0)") }) { generation in
                var current = sigaction()
                sigaction(SIGINT, nil, &current)
                // SIG_DFL is the null handler.
                let defaultInterrupt = withUnsafeBytes(of: current.__sigaction_handler) { $0.load(as: Int.self) } == 0
                say(
                    "generation \(generation.number) device \(generation.device ?? "-") node \(access(node, F_OK) == 0) "
                        + "SIGINT default \(defaultInterrupt)")
                guard generation.number == 1 else { return 0 }
                generation.announce(device: node)
                unlink(node)  // the camera is unplugged
                return CameraGenerations.disconnectedExitCode
            }
        }
        #expect(
            outcome.lines == [
                "generation 1 device - node true SIGINT default true", "waiting \(node)",
                "generation 2 device \(node) node true SIGINT default true",
            ])
        #expect(outcome.ending == .exited(0))
    }

    @Test("A generation killed while the terminal is raw: the launcher puts the terminal settings back")
    func terminalRestoredAfterKilledGeneration() throws {
        let pseudoTerminal = try PseudoTerminal.open()
        let master = pseudoTerminal.master
        defer { close(master) }
        let terminal = pseudoTerminal.slavePath
        let outcome = Self.runForked { say in
            // The launcher's stdin is the pseudo-terminal, in its normal (canonical) mode.
            let descriptor = open(terminal, O_RDWR | O_NOCTTY)
            dup2(descriptor, STDIN_FILENO)
            var settings = termios()
            tcgetattr(STDIN_FILENO, &settings)
            say("canonical before: \(settings.c_lflag & tcflag_t(ICANON) != 0)")
            let ending = CameraGenerations.run(Self.settings("/nonexistent/video9"), waiting: { _ in }) { _ in
                // The live view's raw mode, then death by a signal before it can restore anything (as SIGSYS would).
                var raw = termios()
                tcgetattr(STDIN_FILENO, &raw)
                raw.c_lflag &= ~tcflag_t(ECHO | ICANON | ISIG)
                tcsetattr(STDIN_FILENO, TCSANOW, &raw)
                raise(SIGKILL)
                return 0
            }
            tcgetattr(STDIN_FILENO, &settings)
            say(
                "canonical after: \(settings.c_lflag & tcflag_t(ICANON) != 0), killed: \(ending == .signalled(SIGKILL))"
            )
            return .exited(0)
        }
        #expect(outcome.lines == ["canonical before: true", "canonical after: true, killed: true"])
        #expect(outcome.ending == .exited(0))
    }

    @Test("Any other exit code ends the launcher with that code, without waiting")
    func otherExitCodeEnds() {
        let outcome = Self.runForkedWithoutNode { generation, say in
            say("generation \(generation.number)")
            return 3
        }
        #expect(outcome.lines == ["generation 1"])
        #expect(outcome.ending == .exited(3))
    }

    @Test("Ctrl-C while waiting for the node ends the launcher (by SIGINT); no further generation starts")
    func interruptWhileWaiting() throws {
        let node = try Self.makeNode()
        defer { try? FileManager.default.removeItem(atPath: (node as NSString).deletingLastPathComponent) }
        let outcome = Self.runForked(onLine: { line, pid in
            if line.hasPrefix("waiting ") {
                usleep(100_000)
                kill(pid, SIGINT)
            }
        }) { say in
            CameraGenerations.run(Self.settings(node), waiting: { say("waiting \($0)") }) { generation in
                say("generation \(generation.number)")
                unlink(node)
                return CameraGenerations.disconnectedExitCode
            }
        }
        #expect(outcome.lines == ["generation 1", "waiting \(node)"])
        #expect(outcome.ending == .signalled(SIGINT))
    }

    @Test("Ctrl-C while a generation runs reaches the generation only: the launcher ignores it and carries on")
    func interruptDuringGenerationIsIgnored() {
        let outcome = Self.runForkedWithoutNode { _, say in
            kill(getppid(), SIGINT)  // as Ctrl-C reaches the whole process group
            usleep(100_000)
            say("generation done")
            return 0
        }
        #expect(outcome.lines == ["generation done"])
        #expect(outcome.ending == .exited(0))
    }

    @Test("Right after a re-plug a generation that cannot open the node yet is retried quietly; outside that, exit 1")
    func openRetriedAfterReplug() throws {
        let node = try Self.makeNode()
        defer { try? FileManager.default.removeItem(atPath: (node as NSString).deletingLastPathComponent) }
        let outcome = Self.runForked(onLine: { line, _ in
            if line.hasPrefix("waiting ") { Self.plugIn(node) }
        }) { say in
            CameraGenerations.run(Self.settings(node), waiting: { say("waiting \($0)") }) { generation in
                say("generation \(generation.number) reports \(generation.reportsOpenFailure)")
                switch generation.number {
                case 1:
                    unlink(node)
                    return CameraGenerations.disconnectedExitCode
                case 2, 3: return CameraGenerations.cameraUnavailableExitCode  // udev has not set permissions yet
                default: return 0
                }
            }
        }
        #expect(
            outcome.lines == [
                "generation 1 reports true", "waiting \(node)", "generation 2 reports false",
                "generation 3 reports false",
                "generation 4 reports false",
            ])
        #expect(outcome.ending == .exited(0))

        let first = Self.runForked { say in
            CameraGenerations.run(Self.settings(node), waiting: { say("waiting \($0)") }) { generation in
                say("generation \(generation.number) reports \(generation.reportsOpenFailure)")
                return CameraGenerations.cameraUnavailableExitCode
            }
        }
        #expect(first.lines == ["generation 1 reports true"], "the first open failure is reported and final")
        #expect(first.ending == .exited(1))
    }

    @Test("A node that never becomes openable: retried for the grace period, then one reported attempt, then exit 1")
    func openGraceRunsOut() throws {
        let node = try Self.makeNode()
        defer { try? FileManager.default.removeItem(atPath: (node as NSString).deletingLastPathComponent) }
        let started = Date()
        let outcome = Self.runForked(onLine: { line, _ in
            if line.hasPrefix("waiting ") { Self.plugIn(node) }
        }) { say in
            var settings = Self.settings(node)
            settings.pollNanoseconds = 50_000_000
            settings.openGraceNanoseconds = 400_000_000
            return CameraGenerations.run(settings, waiting: { say("waiting \($0)") }) { generation in
                say("reports \(generation.reportsOpenFailure)")
                if generation.number == 1 {
                    unlink(node)
                    return CameraGenerations.disconnectedExitCode
                }
                return CameraGenerations.cameraUnavailableExitCode
            }
        }
        #expect(outcome.ending == .exited(1))
        #expect(outcome.lines.first == "reports true" && outcome.lines.last == "reports true")
        let quiet = outcome.lines.filter { $0 == "reports false" }.count
        #expect((3 ... 9).contains(quiet), "\(outcome.lines)")
        #expect(
            Date().timeIntervalSince(started) >= 0.35, "the last, reported attempt comes within a poll of the grace")
    }
}
