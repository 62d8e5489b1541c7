import ArgumentParser
import CGuardSelfTest
import Omote
import OmotePrivacy

#if canImport(Glibc)
import Glibc
#endif

/// Issue 22, item 3: after engaging, code inside the sensor process and inside the presenter (a compromised libjpeg,
/// say) copies a marker into the memory /proc/PID/cmdline and /proc/PID/environ show, then both hold still while the
/// privacy tests poll /proc from outside. The marker is random and printed only on stdout, so no command line or
/// environment that starts the test can contain it.
enum ArgumentAreaAttempts {
    /// Stores into the argument and environment strings (addresses from /proc/self/stat, as the kernel knows them),
    /// and making the argument area's page writable again first (after which both stores are repeated).
    static let acts = ["store-argument-area", "store-environment-area", "mprotect-argument-area-writable"]
    static let expected = ["EFAULT", "EFAULT", "EPERM"]

    static func run(holdMilliseconds: Int) throws -> [AttemptResult] {
        let marker = "omote-published-" + String(UInt64.random(in: 1 ... .max), radix: 16)
        print("marker\t\(marker)")
        let bytes = Array(marker.utf8)

        let sensor = try SensorProcess.start { ends in
            guard let writer = try? SensorRecordWriter(descriptor: ends.records),
                SensorProcess.engage(ends, cameraDevice: nil, writer: writer) != nil
            else { return 2 }
            writer.send(.note(publish(bytes).map(String.init).joined(separator: " ")))
            hold(holdMilliseconds)
            return 0
        }
        do { _ = try Presenter.engage(sensor) } catch {
            print("guard-selftest: \(error)")
            throw ExitCode(2)
        }
        let own = publish(bytes)
        // The sensor's `engaged` record, then its note of errno values.
        var reported: [UInt64]?
        var face = FaceFrameResult()
        let reader = try SensorRecordReader(descriptor: sensor.records)
        while reported == nil, reader.next(timeoutMilliseconds: 10_000) == .record {
            if case let .message(.note(text)) = SensorRecord.decode(reader.bytes, face: &face) {
                reported = text.split(separator: " ").compactMap { UInt64($0) }
            }
        }
        var results = rows(scope: "main", own)
        results += reported.map { rows(scope: "sensor", Array($0.prefix(acts.count))) } ?? []
        print("publish\tholding \(getpid()) \(sensor.pid)")
        fflush(nil)
        hold(holdMilliseconds)
        close(sensor.records)
        close(sensor.commands)
        let ending = SensorProcess.wait(sensor.pid)
        if reported == nil || ending != .exited(0) {
            results.append(AttemptResult(scope: "sensor", act: "report", outcome: "\(ending)", expected: "exited(0)"))
        }
        return results
    }

    private static func rows(scope: String, _ values: [UInt64]) -> [AttemptResult] {
        zip(acts, zip(values, expected)).map { act, pair in
            let code = Int32(truncatingIfNeeded: pair.0)
            return AttemptResult(
                scope: scope, act: act, outcome: code == 0 ? "ok" : GuardAttempts.errnoName(code), expected: pair.1)
        }
    }

    /// The attempts of one process; each value is 0 (it worked) or the errno.
    static func publish(_ marker: [UInt8]) -> [UInt64] {
        guard let area = areaAddresses() else { return [UInt64(EIO), UInt64(EIO), UInt64(EIO)] }
        func store(at address: UInt) -> UInt64 {
            errno = 0
            let stored = marker.withUnsafeBytes {
                omote_attempt_store(UnsafeMutableRawPointer(bitPattern: address), $0.baseAddress, $0.count)
            }
            return stored == 0 ? 0 : UInt64(errno)
        }
        let argument = store(at: area.argument)
        let environment = store(at: area.environment)
        let pageSize = UInt(sysconf(Int32(_SC_PAGESIZE)))
        let page = UnsafeMutableRawPointer(bitPattern: area.argument & ~(pageSize - 1))
        let writable = mprotect(page, Int(pageSize), PROT_READ | PROT_WRITE) == 0 ? 0 : UInt64(errno)
        if writable == 0 {
            _ = store(at: area.argument)
            _ = store(at: area.environment)
        }
        return [argument, environment, writable]
    }

    /// arg_start and env_start (fields 48 and 50 of /proc/self/stat): what cmdline and environ read.
    private static func areaAddresses() -> (argument: UInt, environment: UInt)? {
        let descriptor = open("/proc/self/stat", O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        guard count > 0, let close = buffer[0 ..< count].lastIndex(of: UInt8(ascii: ")")) else { return nil }
        // Fields after the command name's ")" start at field 3.
        let fields = buffer[(close + 1) ..< count].split { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\n") }.map {
            UInt(String(decoding: $0, as: UTF8.self))
        }
        guard fields.count > 50 - 3, let argument = fields[48 - 3], let environment = fields[50 - 3] else { return nil }
        return (argument, environment)
    }

    private static func hold(_ milliseconds: Int) {
        MonotonicClock.sleep(untilNanoseconds: MonotonicClock.nanoseconds() + UInt64(milliseconds) * 1_000_000)
    }
}
