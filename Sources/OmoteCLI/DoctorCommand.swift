import ArgumentParser
import CPrivacyShim
import Foundation
import Omote

/// Checks everything Omote needs on this machine and says what to do about each problem.
struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "doctor", abstract: "Check libraries, model files, kernel privacy features and camera access.")

    static let requiredFiles: [(path: String, what: String, package: String)] = [
        ("/usr/share/dlib/shape_predictor_68_face_landmarks.dat", "dlib 68-point landmark model", "libdlib-data"),
        ("/usr/share/opencv4/lbpcascades/lbpcascade_frontalface_improved.xml", "OpenCV LBP face cascade (default)", "opencv-data"),
        ("/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml", "OpenCV Haar face cascade", "opencv-data"),
        ("/usr/share/opencv4/haarcascades/haarcascade_frontalface_alt2.xml", "OpenCV Haar face cascade (alt2)", "opencv-data"),
    ]

    func run() throws {
        var problems = 0
        func report(_ ok: Bool, _ line: String, fix: String? = nil) {
            print("\(ok ? "ok  " : "FAIL") \(line)")
            if !ok {
                problems += 1
                if let fix { print("     → \(fix)") }
            }
        }

        // Libraries: they are linked, so reaching here proves they load; check they initialise.
        report((try? JPEGDecoder()) != nil, "libturbojpeg initialises", fix: "sudo apt-get install libturbojpeg0")
        report(true, "libv4l2 linked")

        for file in Self.requiredFiles {
            let readable = FileManager.default.isReadableFile(atPath: file.path)
            report(readable, "\(file.what): \(file.path)", fix: "sudo apt-get install \(file.package)")
        }

        let abi = omote_landlock_abi_version()
        report(abi > 0, "Landlock ABI \(abi)\(abi >= 4 ? " (filesystem + TCP)" : abi > 0 ? " (filesystem only)" : "")",
               fix: "boot a kernel with CONFIG_SECURITY_LANDLOCK=y and 'landlock' in the lsm= list (Linux ≥ 5.13)")
        let seccompAvailable = omote_prctl(PR_GET_SECCOMP_VALUE, 0, 0, 0, 0) >= 0
        report(seccompAvailable, "seccomp filters available", fix: "boot a kernel with CONFIG_SECCOMP_FILTER=y")

        let devices = ((try? FileManager.default.contentsOfDirectory(atPath: "/dev")) ?? []).filter { $0.hasPrefix("video") }.sorted()
        if devices.isEmpty {
            print("note no /dev/video* camera nodes: live capture needs a V4L2 webcam; replay of SampleFrames still works")
        }
        for device in devices {
            let path = "/dev/" + device
            let accessible = access(path, R_OK | W_OK) == 0
            report(accessible, "\(path) readable and writable", fix: "add yourself to the 'video' group: sudo usermod -aG video $USER, then log in again")
        }
        if problems > 0 {
            print("\(problems) problem(s) found.")
            throw ExitCode(1)
        }
        print("All checks passed.")
    }
}

/// PR_GET_SECCOMP from <linux/prctl.h> (a macro Swift imports fine, but spelled here to avoid a header for one constant).
private let PR_GET_SECCOMP_VALUE: Int32 = 21
