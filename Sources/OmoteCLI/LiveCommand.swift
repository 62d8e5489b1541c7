import ArgumentParser
import Omote

struct LiveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "live", abstract: "Track your face from a V4L2 webcam and drive the avatar on this terminal.")

    func run() throws {
        throw NotYetAvailable(what: "Live camera capture (omote live)")
    }
}
