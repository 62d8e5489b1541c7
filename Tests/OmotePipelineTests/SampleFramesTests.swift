import Foundation
import OmotePipeline
import Testing

@Test("SampleFrames clips resolve by name from the repository root")
func resolveClips() throws {
    var root = URL(fileURLWithPath: #filePath)
    for _ in 0 ..< 3 { root.deleteLastPathComponent() }
    let previous = FileManager.default.currentDirectoryPath
    _ = FileManager.default.changeCurrentDirectoryPath(root.path)
    defer { _ = FileManager.default.changeCurrentDirectoryPath(previous) }
    for clip in SampleFrames.clipNames {
        #expect(SampleFrames.resolveClip(clip) != nil)
    }
    #expect(SampleFrames.resolveClip("no_such_clip") == nil)
}
