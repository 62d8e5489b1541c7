import ArgumentParser
import Omote

struct DevicesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "devices", abstract: "List V4L2 capture devices with their formats, sizes and frame rates.")

    func run() throws {
        throw NotYetAvailable(what: "Device discovery (omote devices)")
    }
}
