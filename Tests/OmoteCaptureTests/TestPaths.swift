import Foundation

/// Repository paths for tests (inputs are read, never written).
enum TestPaths {
    static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0 ..< 3 { url.deleteLastPathComponent() }
        return url.path
    }()
    static let sampleFrames = repositoryRoot + "/SampleFrames"
    static let fixtures = repositoryRoot + "/Tests/OmoteCaptureTests/Fixtures"
}
