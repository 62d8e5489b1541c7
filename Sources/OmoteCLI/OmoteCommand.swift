import ArgumentParser
import Omote

@main
struct OmoteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "omote",
        abstract:
            "Webcam facial capture for 3D avatars: 52 ARKit blendshapes, head pose and gaze, kept private by the kernel.",
        subcommands: [
            LiveCommand.self, ReplayCommand.self, DevicesCommand.self, DoctorCommand.self, BenchCommand.self,
            GuardSelfTestCommand.self,
        ]
    )

    /// The first thing the process does: re-execute with an empty argument area, the arguments handed over (see
    /// `ArgumentArea`); then, in that image, no_new_privs and not dumpable, so no same-user process can attach
    /// (ptrace) or read /proc/PID/mem from here on; the privacy guard engages later, before the first frame.
    static func main() {
        let arguments: [String]
        do { arguments = try ArgumentArea.startup() } catch { exit(withError: error) }
        PrivacyGuard.hardenAtStartup()
        main(Array(arguments.dropFirst()))
    }
}
