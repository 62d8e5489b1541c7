import Foundation

/// A private X server (Xvfb, 1280×1024 at depth 24, no TCP) for tests that open windows: started on a free display
/// number that Xvfb picks itself (-displayfd), stopped by `stop()` or when released.
package final class VirtualDisplay {
    /// ":N", to pass as the display name.
    package let name: String
    private let process: Process

    /// Why the virtual display could not be started; the test fails with this text.
    package struct StartFailure: Error, CustomStringConvertible {
        package let description: String
    }

    /// Starts Xvfb and waits (up to 10 s) until it accepts connections. Throws when Xvfb is not installed (run
    /// Scripts/setup.sh) or does not come up.
    package init() throws {
        guard let xvfb = Self.executable("Xvfb") else {
            throw StartFailure(
                description: "Xvfb is not installed, and the window tests need it: run Scripts/setup.sh "
                    + "(it installs the xvfb package)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: xvfb)
        // -displayfd 1: Xvfb picks a free display number and writes it to standard output once it is listening.
        process.arguments = ["-displayfd", "1", "-screen", "0", "1280x1024x24", "-nolisten", "tcp", "-noreset"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        self.process = process

        // Read the number on a thread, so that an Xvfb that never answers cannot hang the test.
        let number = LockedData()
        let reader = Thread {
            var line = Data()
            let handle = output.fileHandleForReading
            while !line.contains(UInt8(ascii: "\n")) {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                line.append(chunk)
            }
            number.set(line)
        }
        reader.start()
        let deadline = Date().addingTimeInterval(10)
        while !number.isSet && Date() < deadline && process.isRunning { usleep(5000) }
        let text = String(decoding: number.value, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let display = Int(text) else {
            process.terminate()
            process.waitUntilExit()
            throw StartFailure(
                description: "Xvfb did not report a display number within 10 s (it printed \"\(text)\", "
                    + "status \(process.isRunning ? "running" : "exited \(process.terminationStatus)"))")
        }
        name = ":\(display)"
        guard Self.acceptsConnections(display: display, until: deadline) else {
            stop()
            throw StartFailure(description: "Xvfb on \(name) does not accept connections on its socket")
        }
    }

    deinit { stop() }

    /// Terminates Xvfb and waits for it to exit; idempotent.
    package func stop() {
        guard process.isRunning else { return }
        // Signals and polling, not Process.waitUntilExit (which runs the current run loop: it hung under
        // Swift Testing's concurrent tests).
        let pid = process.processIdentifier
        kill(pid, SIGTERM)
        // Xvfb started from the test process may have SIGTERM blocked (an inherited signal mask): SIGKILL after 0.5 s.
        let deadline = Date().addingTimeInterval(0.5)
        while process.isRunning && Date() < deadline { usleep(2000) }
        if process.isRunning { kill(pid, SIGKILL) }
    }

    /// The first executable `name` on $PATH (or in /usr/bin).
    private static func executable(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin"
        return (path.split(separator: ":").map(String.init) + ["/usr/bin"]).map { $0 + "/" + name }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Whether /tmp/.X11-unix/X`display` takes a connection before `deadline`.
    private static func acceptsConnections(display: Int, until deadline: Date) -> Bool {
        let path = "/tmp/.X11-unix/X\(display)"
        repeat {
            let socketDescriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            guard socketDescriptor >= 0 else { return false }
            defer { close(socketDescriptor) }
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { bytes in
                for (index, byte) in path.utf8.prefix(bytes.count - 1).enumerated() { bytes[index] = byte }
            }
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(socketDescriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
            if connected == 0 { return true }
            usleep(10_000)
        } while Date() < deadline
        return false
    }
}
