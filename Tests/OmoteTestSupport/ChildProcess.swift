import Foundation

/// A finished child process and everything it printed.
package struct ChildResult {
    package let status: Int32
    package let stdout: String
    package let stderr: String
    package var stdoutLines: [Substring] { stdout.split(separator: "\n") }
}

package enum ChildProcess {
    /// Runs `executable` with `arguments` from the repository root and collects both streams (read concurrently so
    /// neither pipe can fill up and stall the child).
    /// A child still running after `timeout` seconds is killed (a broken guard can leave one stopped, e.g. traced).
    /// Generous on purpose: a full replay through the mesh tracker in the portable checked build, with the rest of
    /// the suite running beside it on two cores, took over a minute.
    /// `environment` adds to (or replaces entries of) this process's environment.
    package static func run(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:], timeout: Double = 300
    ) throws -> ChildResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        process.currentDirectoryURL = URL(fileURLWithPath: TestPaths.repositoryRoot)
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let pid = process.processIdentifier
        let watchdog = DispatchWorkItem { kill(pid, SIGKILL) }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: watchdog)
        defer { watchdog.cancel() }
        let errorData = LockedData()
        let errorReader = Thread { errorData.set(err.fileHandleForReading.readDataToEndOfFile()) }
        errorReader.start()
        let outputData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !errorData.isSet { usleep(1000) }
        return ChildResult(
            status: process.terminationStatus, stdout: String(decoding: outputData, as: UTF8.self),
            stderr: String(decoding: errorData.value, as: UTF8.self))
    }

    /// A fresh, empty directory under the system temp dir (removed by the caller).
    package static func makeScratchDirectory() throws -> String {
        var template = Array((NSTemporaryDirectory() + "/omote-guard-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw CocoaError(.fileWriteUnknown) }
        return String(cString: made)
    }
}

/// Bytes one thread collects (a pipe read to its end) for another.
package final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var data: Data?
    package init() {}
    package func set(_ value: Data) { lock.withLock { data = value } }
    package var isSet: Bool { lock.withLock { data != nil } }
    package var value: Data { lock.withLock { data ?? Data() } }
}
