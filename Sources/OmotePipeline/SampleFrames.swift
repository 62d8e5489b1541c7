import Foundation
import OmoteCore

/// Finds the repository's `SampleFrames/` folder (the public test clips) for replay, tests and benchmarks.
public enum SampleFrames {
    /// The clips, in the order replay plays them.
    public static let clipNames = ["single_face", "face_noface", "no_face"]

    /// `$OMOTE_SAMPLE_FRAMES`, else `./SampleFrames`, else the folder beside the package the executable was built in.
    public static func locate(executablePath: String = LaunchArguments.all.first ?? "") -> String? {
        var candidates: [String] = []
        if let fromEnvironment = ProcessInfo.processInfo.environment["OMOTE_SAMPLE_FRAMES"] {
            candidates.append(fromEnvironment)
        }
        candidates.append(FileManager.default.currentDirectoryPath + "/SampleFrames")
        // .build/<triple>/<config>/omote → package root is three or four levels up.
        var directory = URL(fileURLWithPath: executablePath).standardizedFileURL.deletingLastPathComponent()
        for _ in 0 ..< 5 where directory.path != "/" {
            candidates.append(directory.path + "/SampleFrames")
            directory.deleteLastPathComponent()
        }
        return candidates.first { FileManager.default.fileExists(atPath: $0 + "/single_face/manifest.tsv") }
    }

    /// Resolves a clip argument: a clip name inside SampleFrames ("single_face") or a folder path.
    public static func resolveClip(_ argument: String) -> String? {
        if FileManager.default.fileExists(atPath: argument + "/manifest.tsv") { return argument }
        guard let root = locate() else { return nil }
        let path = root + "/" + argument
        return FileManager.default.fileExists(atPath: path + "/manifest.tsv") ? path : nil
    }
}
