import ArgumentParser
import Foundation
import Omote
import OmotePrivacy

/// Checks everything Omote needs on this machine and says what to do about each problem.
struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor", abstract: "Check libraries, model files, kernel privacy features and camera access.")

    @Option(help: ArgumentHelp("The tracker's face_landmarker.task to check.", valueName: "file"))
    var meshModel: String?

    func run() throws {
        var problems = 0
        var warnings = 0
        func report(_ ok: Bool, _ line: String, fix: String? = nil) {
            report(ok ? .ok : .required, line, fix: fix)
        }
        func report(_ level: PrivacyCapabilities.Finding.Level, _ line: String, fix: String? = nil) {
            switch level {
            case .ok: print("ok   \(line)")
            case .warning: print("warn \(line)")
            case .required: print("FAIL \(line)")
            }
            if level == .required { problems += 1 }
            if level == .warning { warnings += 1 }
            if level != .ok, let fix { print("     → \(fix)") }
        }

        // Libraries: libturbojpeg and libv4l2 are loaded at run time (by the sensor only), so load them here the same
        // way and check the decoder initialises.
        do {
            try JPEGDecoder.loadLibrary()
            _ = try JPEGDecoder()
            report(
                true,
                "libturbojpeg loads and initialises (only the sensor, which decodes, loads it; the presenter never maps it)"
            )
        } catch {
            report(false, "\(error)")  // its remedy names the package
        }
        do {
            try V4L2SystemDriver.loadLibrary()
            report(
                true,
                "libv4l2 loads (only a camera's sensor, which opens it, loads it; the presenter never maps it or its "
                    + "libjpeg)")
        } catch {
            report(false, "\(error)")  // its remedy names the package
        }

        // The tracker's model: the .task file must load, which checks every member's CRC and every
        // network's structure, exactly as `live` does before the guard engages.
        let meshModel = self.meshModel ?? FaceLandmarkerNetworks.defaultPath()
        do {
            let started = MonotonicClock.nanoseconds()
            let lockedBefore = PrivateMemory.liveBytes
            let tracker = try MeshTracker(taskPath: meshModel)
            let milliseconds = Int((Double(MonotonicClock.nanoseconds() - started) / 1e6).rounded())
            let locked = Double(PrivateMemory.liveBytes - lockedBefore) / 1_048_576
            withExtendedLifetime(tracker) {}
            report(
                true,
                "tracker model: \(meshModel) loads (3 networks + face geometry, \(milliseconds) ms; "
                    + String(format: "%.1f MB of locked private memory for its state)", locked)
            )
        } catch {
            report(
                false, "tracker model: \(error)",
                fix: "run Scripts/setup.sh (fetches and checks face_landmarker.task)")
        }

        // What this kernel can enforce (the privacy guard engages before any frame; see Docs/privacy.md).
        let capabilities = PrivacyGuard.probe()
        for finding in capabilities.findings { report(finding.level, "privacy: \(finding.text)", fix: finding.fix) }
        // One verdict for the guard, derived from the same findings printed above.
        print("privacy verdict: \(capabilities.verdict) (verify: omote guard-selftest --scratch \"$(mktemp -d)\")")
        print(
            "note steady state: after its first frame the processing side adds a second seccomp filter: no opens or "
                + "path look-ups, no executable or file mappings, no prctl (\(SeccompFilter.refusedInSteadyStateNames.count) "
                + "calls refused)")
        // The process layout of a live session, so that what is guarded where is stated, not implied.
        print(
            "note live: an unguarded launcher (never opens the camera, holds no frame) forks one guarded session per "
                + "camera plug-in, so unplugging and replugging resumes; see Docs/privacy.md")
        print(
            "note split: sensor process (camera, decoder, networks; no terminal) writes only fixed-size records; "
                + "presenter process (rig, terminal) never holds a frame; each under its own guard")

        let devices = ((try? FileManager.default.contentsOfDirectory(atPath: "/dev")) ?? []).filter {
            $0.hasPrefix("video")
        }.sorted()
        if devices.isEmpty {
            print(
                "note no /dev/video* camera nodes: live capture needs a V4L2 webcam; replay of SampleFrames still works"
            )
        }
        for device in devices {
            let path = "/dev/" + device
            let accessible = access(path, R_OK | W_OK) == 0
            report(
                accessible, "\(path) readable and writable",
                fix: "add yourself to the 'video' group: sudo usermod -aG video $USER, then log in again")
        }
        if problems > 0 {
            print("\(problems) problem(s) found\(warnings > 0 ? ", \(warnings) warning(s)" : "").")
            throw ExitCode(1)
        }
        print(warnings > 0 ? "All required checks passed; \(warnings) warning(s) above." : "All checks passed.")
    }
}
