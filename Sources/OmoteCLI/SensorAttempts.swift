import CGuardSelfTest
import Omote
import OmotePrivacy

#if canImport(Glibc)
import Glibc
#endif

/// The sensor's confinement, on a terminal or not: a sensor process (forked as `omote replay` and `omote live` fork it, and
/// engaged by the same `SensorProcess.engage`) tries to write the marker to descriptors 0, 1 and 2 and to the
/// controlling terminal, and to push input into it, then reports each errno to the presenter side in one note record —
/// the only thing it may write. Run under a terminal (OmotePrivacyTests does, on a pseudo-terminal), nothing the
/// sensor tried may appear on it.
enum SensorAttempts {
    /// Written by every attempt: a test reading the terminal must never see it.
    static let marker = "SENSOR-LEAK"
    static let acts = [
        "write-fd0", "write-fd1", "write-fd2", "open-tty-for-write", "write-tty-read-only", "tiocsti-tty",
        "tiocsti-fd0", "ioctl-winsize-fd1", "only-records-and-commands", "stdio-null-before-engaging",
    ]

    static func run() -> [AttemptResult] {
        let started = try? SensorProcess.start { ends in
            // Before its guard: 0–2 must already be /dev/null (character device 1:3), not the terminal.
            let silentBefore = (0 ... 2).allSatisfy { descriptor in
                var info = stat()
                return fstat(Int32(descriptor), &info) == 0 && info.st_mode & S_IFMT == S_IFCHR
                    && info.st_rdev == (1 << 8 | 3)  // makedev(1, 3), the memory devices' null
            }
            guard let writer = try? SensorRecordWriter(descriptor: ends.records),
                SensorProcess.engage(ends, cameraDevice: nil, writer: writer) != nil
            else { return 2 }
            let open = DescriptorHygiene.openDescriptors() ?? []
            func outcome(_ body: () -> Int) -> String {
                errno = 0
                return body() >= 0 ? "ok" : GuardAttempts.errnoName(errno)
            }
            var byte = UInt8(ascii: "x")
            var size = winsize()
            let tty = Glibc.open("/dev/tty", O_RDONLY | O_NOCTTY)
            let outcomes = [
                outcome { Int(write(STDIN_FILENO, marker, marker.utf8.count)) },
                outcome { Int(write(STDOUT_FILENO, marker, marker.utf8.count)) },
                outcome { Int(write(STDERR_FILENO, marker, marker.utf8.count)) },
                outcome { Int(Glibc.open("/dev/tty", O_WRONLY | O_NOCTTY)) },
                // Opening the terminal to read is allowed when the sensor has one as its controlling terminal; it still
                // cannot write to it or push input into it.
                tty < 0 ? "no-tty" : outcome { Int(write(tty, marker, marker.utf8.count)) },
                tty < 0 ? "no-tty" : outcome { omote_attempt_ioctl(tty, 0x5412 /* TIOCSTI */, &byte) },
                outcome { omote_attempt_ioctl(STDIN_FILENO, 0x5412 /* TIOCSTI */, &byte) },
                outcome { omote_attempt_ioctl(STDOUT_FILENO, 0x5413 /* TIOCGWINSZ */, &size) },
                open == [0, 1, 2, ends.records, ends.commands].sorted() ? "ok" : "open: \(open)",
                silentBefore ? "ok" : "terminal",
            ]
            writer.send(.note(zip(acts, outcomes).map { "\($0)=\($1)" }.joined(separator: " ")))
            return 0
        }
        guard let sensor = started, let reader = try? SensorRecordReader(descriptor: sensor.records) else {
            return [AttemptResult(scope: "sensor", act: "start", outcome: "failed", expected: "ok")]
        }
        var rows: [String: String] = [:]
        var face = FaceFrameResult()
        while reader.next(timeoutMilliseconds: 10_000) == .record {
            if case let .message(.note(text)) = SensorRecord.decode(reader.bytes, face: &face) {
                for pair in text.split(separator: " ") {
                    let parts = pair.split(separator: "=", maxSplits: 1)
                    if parts.count == 2 { rows[String(parts[0])] = String(parts[1]) }
                }
            }
        }
        close(sensor.records)
        close(sensor.commands)
        let ending = SensorProcess.wait(sensor.pid)
        guard ending == .exited(0), !rows.isEmpty else {
            return [AttemptResult(scope: "sensor", act: "report", outcome: "\(ending)", expected: "exited(0)")]
        }
        // Without a controlling terminal (the suite's pipes), the /dev/tty rows cannot be tried.
        let ttyExpected = rows["write-tty-read-only"] == "no-tty" ? "no-tty" : "EPERM"
        let expected = ["EPERM", "EPERM", "EPERM", "EPERM", ttyExpected, ttyExpected, "EPERM", "EPERM", "ok", "ok"]
        return zip(acts, expected).map { act, want in
            AttemptResult(scope: "sensor", act: act, outcome: rows[act] ?? "no result", expected: want)
        }
    }
}
