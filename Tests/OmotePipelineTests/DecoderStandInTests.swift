import Foundation
import OmoteTestSupport
import Testing

/// An exploited JPEG decoder, as close as a test gets: `Tools/privacy-stand-in/decoder-stand-in.c`, preloaded into
/// `omote replay`, acts from inside libjpeg-turbo's own `free` calls once the guard engaged — with bytes of the frame it
/// just decoded — and tries stdout (an OSC 52 clipboard sequence), stderr, stdin, the controlling terminal, a new
/// file, a socket and TIOCSTI. It ends the sensor with exit status 99 only when the kernel refused every attempt with
/// EPERM (100 + the first attempt that got through otherwise), and never acts when no guard engaged, so a missing or
/// leaky guard fails these tests. On a terminal and headless, nothing it sent may appear.
@Suite struct DecoderStandInTests {
    static let marker = "OMOTE-STAND-IN-LEAK"

    /// The omote binary, the stand-in built into a scratch directory (removed by the caller), and that directory.
    static func prepare() throws -> (omote: String, standIn: String, scratch: String) {
        let omote = try #require(TestPaths.omoteBinary)
        let scratch = try ChildProcess.makeScratchDirectory()
        return (omote, try buildStandIn(in: scratch), scratch)
    }

    /// The stand-in built with the machine's C compiler into `directory`.
    static func buildStandIn(in directory: String) throws -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let compiler = try #require(
            ["cc", "clang", "gcc"].lazy.flatMap { name in path.split(separator: ":").map { "\($0)/\(name)" } }
                .first { FileManager.default.isExecutableFile(atPath: $0) },
            "no C compiler (cc, clang, gcc) on PATH to build the decoder stand-in")
        let library = directory + "/decoder-stand-in.so"
        let source = TestPaths.repositoryRoot + "/Tools/privacy-stand-in/decoder-stand-in.c"
        let build = try ChildProcess.run(compiler, ["-shared", "-fPIC", "-O2", "-o", library, source, "-ldl"])
        try #require(build.status == 0, "building the stand-in failed:\n\(build.stderr)")
        return library
    }

    @Test("headless: a decoder stand-in in the sensor gets nothing to stdout or stderr; every attempt is EPERM")
    func headless() throws {
        let (omote, standIn, scratch) = try Self.prepare()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let result = try ChildProcess.run(omote, ["replay", "single_face"], environment: ["LD_PRELOAD": standIn])
        #expect(result.status == 1, "\(result.stdout)\n\(result.stderr)")
        #expect(
            result.stderr.contains("stopped: the sensor ended without saying why (it exited with status 99)"),
            "the stand-in did not finish its rounds with every attempt refused:\n\(result.stderr)")
        for text in [result.stdout, result.stderr] {
            #expect(!text.contains(Self.marker) && !text.contains("\u{1B}]52"), "\(text)")
        }
        #expect(!FileManager.default.fileExists(atPath: "/tmp/omote-stand-in-leak"))
    }

    @Test("on a terminal: a decoder stand-in in the sensor gets no byte and no OSC 52 sequence to the terminal")
    func onTerminal() throws {
        let (omote, standIn, scratch) = try Self.prepare()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let (status, output) = try PseudoTerminal.run(
            [omote, "replay", "single_face"], environment: ["LD_PRELOAD": standIn, "TERM": "xterm-256color"],
            quitOn: "stopped: the sensor ended without saying why")
        let text = String(decoding: output, as: UTF8.self)
        #expect(status >> 8 == 1, "\(text.suffix(2000))")
        #expect(text.contains("(it exited with status 99)"), "\(text.suffix(2000))")
        #expect(!text.contains(Self.marker), "the stand-in's bytes reached the terminal")
        #expect(!text.contains("\u{1B}]52"), "an OSC 52 sequence reached the terminal")
        #expect(!FileManager.default.fileExists(atPath: "/tmp/omote-stand-in-leak"))
    }
}
