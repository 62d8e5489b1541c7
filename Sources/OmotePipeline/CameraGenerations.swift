import OmoteCapture
import OmoteCore

#if canImport(Glibc)
import Glibc
#endif

/// Re-plugging the camera resumes `omote live` without a restart, by generations. A guarded process can never reopen a
/// camera: seccomp refuses every writable open, Landlock grants write and ioctl only on the inode of the node opened
/// at engagement (a re-plugged node is a new inode) and V4L2 ioctls only on the engaged descriptors. Widening any of
/// that would open real exfiltration paths (a v4l2loopback output device), so instead this launcher, which never holds
/// a frame or expression data, forks a fresh generation for each plug-in: the generation opens the camera, engages its
/// own guard and runs exactly as a single session would. A generation whose camera was disconnected exits with
/// `disconnectedExitCode`; the launcher then waits for the node to come back and forks the next one. Any other ending
/// ends the launcher.
///
/// The launcher forks only while single-threaded (it never starts a thread). It saves the terminal state before each
/// generation and restores it afterwards (a generation killed by SIGSYS would leave the terminal raw). It ignores
/// SIGINT while a generation runs (the generation handles Ctrl-C) and ends on SIGINT while it waits.
public enum CameraGenerations {
    /// A generation's exit code when its camera was disconnected mid-stream (EX_TEMPFAIL).
    public static let disconnectedExitCode: Int32 = 75
    /// A generation's exit code when it could not open the camera: missing, no permission (yet), busy, gone again.
    /// Right after a re-plug the launcher retries for `Settings.openGrace` (udev may not have set the node's
    /// permissions yet); otherwise the launcher ends with exit code 1 (the generation reported why).
    public static let cameraUnavailableExitCode: Int32 = 76

    public struct Settings: Sendable {
        /// The node to wait for; nil until a generation has announced the node it opened (see `Generation`).
        public var device: String?
        /// How often the node is looked for while waiting.
        public var pollNanoseconds: UInt64 = 250_000_000
        /// How long after the node reappears a generation that cannot open it yet is retried.
        public var openGraceNanoseconds: UInt64 = 5_000_000_000

        public init(device: String?) { self.device = device }
    }

    /// What one generation is told. It calls `announce(device:)` with the node it opened, before engaging its guard
    /// (the guard closes the announcement pipe anyway), so the launcher knows which node to wait for.
    public final class Generation {
        /// 1 for the first generation, counting up with each re-plug.
        public let number: Int
        /// The node to open: the one the user named or the previous generation announced; nil lets the generation
        /// pick the first camera.
        public let device: String?
        /// Whether a failure to open the camera should be reported: false for an attempt right after a re-plug that
        /// will be retried.
        public let reportsOpenFailure: Bool
        private var announcement: Int32

        init(number: Int, device: String?, reportsOpenFailure: Bool, announcement: Int32) {
            self.number = number
            self.device = device
            self.reportsOpenFailure = reportsOpenFailure
            self.announcement = announcement
        }

        /// Loads the JPEG decoder and camera libraries, opens this generation's camera (the re-plugged node, when the
        /// launcher named one) and announces it.
        public func openCamera(_ options: V4L2CameraOptions) throws(OmoteError) -> V4L2Camera {
            var options = options
            options.device = device ?? options.device
            // In the generation, before it engages its guard (which forbids mapping a library): only a process that
            // decodes maps libturbojpeg, and only one that opens the camera maps libv4l2 (and its libjpeg), never the
            // launcher or the presenter.
            try JPEGDecoder.loadLibrary()
            try V4L2SystemDriver.loadLibrary()
            let camera = try V4L2Camera(options: options)
            announce(device: camera.name)
            return camera
        }

        /// Tells the launcher which node this generation opened (only its path crosses, once).
        public func announce(device: String) {
            guard announcement >= 0 else { return }
            let bytes = Array(device.utf8.prefix(Int(PATH_MAX)))
            _ = bytes.withUnsafeBytes { write(announcement, $0.baseAddress, $0.count) }
            close(announcement)
            announcement = -1
        }
    }

    /// The exit code of a generation whose session ended: `disconnectedExitCode` when the camera was unplugged, 1 for
    /// any other failure, 0 for a normal stop.
    public static func exitCode(after runner: PipelineRunner) -> Int32 {
        guard runner.failureDescription != nil else { return 0 }
        return runner.failureCode == .captureDisconnected ? disconnectedExitCode : 1
    }

    /// The exit code of a generation that could not open its camera (`cameraUnavailableExitCode` when the node is
    /// missing, not permitted yet, busy or gone) or engage its guard (1).
    public static func exitCode(openFailure error: OmoteError) -> Int32 {
        let unavailable: [OmoteError.Code] = [
            .captureDeviceMissing, .capturePermissionDenied, .captureDeviceBusy, .captureDisconnected, .captureNoCamera,
        ]
        return unavailable.contains(error.code) ? cameraUnavailableExitCode : 1
    }

    /// Why the launcher stopped starting generations.
    public typealias Ending = SensorProcess.Ending

    /// Runs generations of `body` (in forked children; each returns its exit code) until one ends for another reason
    /// than a disconnect, or SIGINT arrives while waiting for the node (`.signalled(SIGINT)`). `waiting` is called
    /// with the node's path each time the launcher starts waiting (print it, or send a record).
    public static func run(
        _ settings: Settings,
        waiting: (String) -> Void,
        generation body: (Generation) -> Int32
    ) -> Ending {
        var device = settings.device
        var number = 0
        var replugged: UInt64?  // when the node reappeared, while a generation may still fail to open it
        while true {
            number += 1
            let reportsOpenFailure =
                replugged.map {
                    MonotonicClock.nanoseconds() + settings.pollNanoseconds >= $0 + settings.openGraceNanoseconds
                }
                ?? true
            let run = runGeneration(number: number, device: device, reportsOpenFailure: reportsOpenFailure, body)
            if let announced = run.announced { device = announced }
            switch run.ending {
            case .exited(disconnectedExitCode):
                guard let device else { return .exited(1) }  // no node to wait for (the generation never said)
                waiting(device)
                guard WaitingForNode.wait(for: device, every: settings.pollNanoseconds) else {
                    return .signalled(SIGINT)
                }
                replugged = MonotonicClock.nanoseconds()
            case .exited(cameraUnavailableExitCode):
                guard !reportsOpenFailure, let device else { return .exited(1) }
                // Not ready yet (udev still setting permissions): look again shortly.
                guard WaitingForNode.pause(settings.pollNanoseconds),
                    WaitingForNode.wait(for: device, every: settings.pollNanoseconds)
                else { return .signalled(SIGINT) }
            default:
                return run.ending
            }
        }
    }

    /// Forks one generation and waits for it, with SIGINT ignored here and the terminal state restored afterwards.
    private static func runGeneration(
        number: Int, device: String?, reportsOpenFailure: Bool, _ body: (Generation) -> Int32
    ) -> (ending: Ending, announced: String?) {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { return (.exited(1), nil) }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        let terminal = SavedTerminal()
        var previous = sigaction()
        var ignore = sigaction()
        ignore.__sigaction_handler.sa_handler = SIG_IGN
        sigaction(SIGINT, &ignore, &previous)
        defer { sigaction(SIGINT, &previous, nil) }
        fflush(nil)  // the generation must not flush this process's buffered output a second time
        let pid = fork()
        if pid == 0 {
            close(ends[0])
            sigaction(SIGINT, &previous, nil)  // the generation handles Ctrl-C as a single session would
            let generation = Generation(
                number: number, device: device, reportsOpenFailure: reportsOpenFailure, announcement: ends[1])
            let code = body(generation)
            fflush(nil)
            _exit(code)  // not exit(): atexit handlers belong to the launcher's process
        }
        close(ends[1])
        defer { close(ends[0]) }
        guard pid > 0 else { return (.exited(1), nil) }
        let ending = SensorProcess.wait(pid)
        terminal.restore(afterSignal: ending.exitCodeIfExited == nil)
        return (ending, readAnnouncement(ends[0]))
    }

    /// The node a generation announced: a path under /dev of printable characters, else nil.
    private static func readAnnouncement(_ descriptor: Int32) -> String? {
        var bytes = [UInt8](repeating: 0, count: Int(PATH_MAX))
        var filled = 0
        while filled < bytes.count {
            let count = bytes.withUnsafeMutableBytes { read(descriptor, $0.baseAddress! + filled, $0.count - filled) }
            if count < 0, errno == EINTR { continue }
            if count <= 0 { break }
            filled += count
        }
        let path = bytes.prefix(filled)
        guard path.first == UInt8(ascii: "/"), path.allSatisfy({ (0x21 ... 0x7E).contains($0) }) else { return nil }
        return String(decoding: path, as: UTF8.self)
    }
}
