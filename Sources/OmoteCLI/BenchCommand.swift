import ArgumentParser
import Omote

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench", abstract: "Replay SampleFrames through the real pipeline and print per-stage timings.")

    func run() throws {
        throw NotYetAvailable(what: "The pipeline benchmark (omote bench)")
    }
}
