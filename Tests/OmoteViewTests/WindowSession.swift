import Foundation
import OmoteCore
import OmoteTestSupport
import OmoteView
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `omote replay … --view window` running on a virtual display, both output streams collected.
final class WindowSession {
    let process = Process()
    private let output = LockedData()
    private let errors = LockedData()

    /// Runs `omote arguments`, or `tracer + [omote] + arguments` (e.g. strace) when a tracer is given.
    init(display: String?, arguments: [String], tracer: [String] = []) throws {
        let omote = try #require(TestPaths.omoteBinary, "build the omote executable first (swift build)")
        process.executableURL = URL(fileURLWithPath: tracer.first ?? omote)
        process.arguments = tracer.isEmpty ? arguments : Array(tracer.dropFirst()) + [omote] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["DISPLAY"] = display
        process.environment = environment
        process.currentDirectoryURL = URL(fileURLWithPath: TestPaths.repositoryRoot)
        process.standardInput = FileHandle.nullDevice
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let (output, errors) = (output, errors)
        Thread { output.set(out.fileHandleForReading.readDataToEndOfFile()) }.start()
        Thread { errors.set(err.fileHandleForReading.readDataToEndOfFile()) }.start()
    }

    deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

    /// The session's window, once it is mapped and titled (nil after `seconds`, or when omote exited first).
    func window(on client: X11TestClient, within seconds: Double = 120) -> UInt32? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline && process.isRunning {
            if let window = try? client.windows(titled: "Omote — ").first { return window }
            usleep(20_000)
        }
        return nil
    }

    /// Seconds until the process exited (nil if it still runs after `seconds`). Polls: Process.waitUntilExit runs
    /// the run loop, which hung under Swift Testing's concurrent tests.
    func exit(within seconds: Double) -> Double? {
        let start = Date()
        while process.isRunning {
            if Date().timeIntervalSince(start) > seconds { return nil }
            usleep(2000)
        }
        return Date().timeIntervalSince(start)
    }

    /// Everything printed, once the process has exited and its pipes are drained.
    var transcript: String {
        let deadline = Date().addingTimeInterval(10)
        while !(output.isSet && errors.isSet) && Date() < deadline { usleep(2000) }
        return String(decoding: output.value, as: UTF8.self) + String(decoding: errors.value, as: UTF8.self)
    }
}

/// How many pixels differ between two same-size pictures.
func differingPixels(_ a: [UInt32], _ b: [UInt32]) -> Int { zip(a, b).count { $0 != $1 } }
