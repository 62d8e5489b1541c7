import Foundation
import OmotePipeline
import OmoteTestSupport
import Testing

@Test("SampleFrames clips resolve by name from the repository root")
func resolveClips() throws {
    let previous = FileManager.default.currentDirectoryPath
    _ = FileManager.default.changeCurrentDirectoryPath(TestPaths.repositoryRoot)
    defer { _ = FileManager.default.changeCurrentDirectoryPath(previous) }
    for clip in SampleFrames.clipNames {
        #expect(SampleFrames.resolveClip(clip) != nil)
    }
    #expect(SampleFrames.resolveClip("no_such_clip") == nil)
}
