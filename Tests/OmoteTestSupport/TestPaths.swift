import Foundation

/// Where tests find the repository's inputs (read, never written) and the built `omote` executable.
package enum TestPaths {
    /// The package root (this file is Tests/OmoteTestSupport/TestPaths.swift).
    package static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0 ..< 3 { url.deleteLastPathComponent() }
        return url.path
    }()
    /// The repository's SampleFrames/ folder.
    package static let sampleFrames = repositoryRoot + "/SampleFrames"
    package static let sampleManifest = sampleFrames + "/single_face/manifest.tsv"
    package static let sampleFrame = sampleFrames + "/single_face/0000.jpg"

    /// A test target's committed fixtures: Tests/`target`/Fixtures.
    package static func fixtures(of target: String) -> String { repositoryRoot + "/Tests/\(target)/Fixtures" }

    /// What a session reads besides the clip: the tracker's model (fetched by Scripts/setup.sh) and an avatar (the
    /// committed sample GLB).
    package static let trackerModel: String = {
        let environment = ProcessInfo.processInfo.environment
        if let explicit = environment["OMOTE_FACE_LANDMARKER"], !explicit.isEmpty { return explicit }
        let cache = environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory() + "/.cache"
        return cache + "/omote/face_landmarker.task"
    }()
    package static let avatar = fixtures(of: "OmoteRigTests") + "/sample-face.glb"

    /// The built `omote` executable: `$OMOTE_BINARY`, else the one beside this test bundle (SwiftPM puts both in the
    /// build's bin directory), else .build/{debug,release}/omote under the repository.
    package static let omoteBinary: String? = {
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
