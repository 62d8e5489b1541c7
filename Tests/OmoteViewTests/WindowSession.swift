import Foundation
import OmoteCore
import OmoteTestSupport
import OmoteView
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `omote replay … --view window` running on a virtual display, both output streams collected. Spawned and reaped
/// by pid (`SpawnedProcess`): Foundation's `Process` could report it running for seconds after it quit.
final class WindowSession {
    let process: SpawnedProcess

    /// Runs `omote arguments`, or `tracer + [omote] + arguments` (e.g. strace) when a tracer is given.
    init(display: String?, arguments: [String], tracer: [String] = []) throws {
        let omote = try #require(TestPaths.omoteBinary, "build the omote executable first (swift build)")
        var environment = ProcessInfo.processInfo.environment
        environment["DISPLAY"] = display
        process = try SpawnedProcess(
            tracer.first ?? omote, tracer.isEmpty ? arguments : Array(tracer.dropFirst()) + [omote] + arguments,
            environment: environment, directory: TestPaths.repositoryRoot)
    }

    /// The session's window, once it is mapped and titled (nil after `seconds`, or when omote exited first).
    func window(on client: X11TestClient, within seconds: Double = 120) -> UInt32? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline && process.isRunning {
            if let window = try? client.windows(titled: "Omote — ").first { return window }
            usleep(20_000)
        }
        return nil
    }

    /// Seconds until the process exited (nil if it still runs after `seconds`).
    func exit(within seconds: Double) -> Double? { process.exit(within: seconds) }

    /// Everything printed, once the process has exited and its pipes are drained.
    var transcript: String { process.transcript }
}

/// How many pixels differ between two same-size pictures.
func differingPixels(_ a: [UInt32], _ b: [UInt32]) -> Int { zip(a, b).count { $0 != $1 } }
