import ArgumentParser
import Omote

@main
struct OmoteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "omote",
        abstract: "Webcam facial capture for 3D avatars: 52 ARKit blendshapes, head pose and gaze, kept private by the kernel.",
        subcommands: [LiveCommand.self, ReplayCommand.self, DevicesCommand.self, DoctorCommand.self, BenchCommand.self, GuardSelfTestCommand.self]
    )
}
