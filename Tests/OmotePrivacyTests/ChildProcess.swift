import Foundation

/// Paths the privacy tests need (inputs are read, never written).
enum PrivacyTestPaths {
    static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0 ..< 3 { url.deleteLastPathComponent() }
        return url.path
    }()
    static let sampleManifest = repositoryRoot + "/SampleFrames/single_face/manifest.tsv"
    static let sampleFrame = repositoryRoot + "/SampleFrames/single_face/0000.jpg"
    /// What a session reads besides the clip: the tracker's model (fetched by Scripts/setup.sh) and an avatar.
    static let trackerModel: String = {
        let environment = ProcessInfo.processInfo.environment
        if let explicit = environment["OMOTE_FACE_LANDMARKER"], !explicit.isEmpty { return explicit }
        let cache = environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory() + "/.cache"
        return cache + "/omote/face_landmarker.task"
    }()
    static let avatar = repositoryRoot + "/Tests/OmoteRigTests/Fixtures/sample-face.glb"

    /// The built `omote` executable: `$OMOTE_BINARY`, else the one beside this test bundle (SwiftPM puts both in the
    /// build's bin directory), else .build/{debug,release}/omote under the repository.
    static let omoteBinary: String? = {
        var candidates: [String] = []
        if let fromEnvironment = ProcessInfo.processInfo.environment["OMOTE_BINARY"] {
            candidates.append(fromEnvironment)
        }
        let testExecutable =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var directory = URL(fileURLWithPath: testExecutable).deletingLastPathComponent()
        for _ in 0 ..< 4 {  // bin dir, or up from inside an .xctest bundle
            candidates.append(directory.appendingPathComponent("omote").path)
            directory.deleteLastPathComponent()
        }
        if let bundle = Bundle.main.executableURL?.deletingLastPathComponent() {
            candidates.append(bundle.appendingPathComponent("omote").path)
        }
        candidates += [repositoryRoot + "/.build/debug/omote", repositoryRoot + "/.build/release/omote"]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()
}

/// A finished child process and everything it printed.
struct ChildResult {
    let status: Int32
    let stdout: String
    let stderr: String
    var stdoutLines: [Substring] { stdout.split(separator: "\n") }
}

enum ChildProcess {
    /// Runs `executable` with `arguments` from the repository root and collects both streams (read concurrently so
    /// neither pipe can fill up and stall the child).
    /// A child still running after `timeout` seconds is killed (a broken guard can leave one stopped, e.g. traced).
    /// Generous on purpose: a full replay through the mesh tracker in the portable checked build, with the rest of
    /// the suite running beside it on two cores, took over a minute.
    static func run(_ executable: String, _ arguments: [String], timeout: Double = 300) throws -> ChildResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: PrivacyTestPaths.repositoryRoot)
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
    static func makeScratchDirectory() throws -> String {
        var template = Array((NSTemporaryDirectory() + "/omote-guard-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw CocoaError(.fileWriteUnknown) }
        return String(cString: made)
    }
}

private final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var data: Data?
    func set(_ value: Data) { lock.withLock { data = value } }
    var isSet: Bool { lock.withLock { data != nil } }
    var value: Data { lock.withLock { data ?? Data() } }
}
