#if canImport(Glibc)
import Glibc
#endif

/// The process tracing this one (TracerPid in /proc/self/status), named for the status line. A tracer that attached
/// before the guard engaged sees and can change every syscall, including the guard's own read-backs: Omote says so
/// rather than claim a protection it cannot prove. (strace for verification is a legitimate tracer.)
public struct Tracer: Sendable, Equatable {
    public let processID: Int32
    public let name: String

    /// The tracer now, or nil when nothing traces this process.
    public static func current() -> Tracer? {
        guard let status = readSmallFile("/proc/self/status") else { return nil }
        guard let pid = tracerPID(fromStatus: status), pid > 0 else { return nil }
        let name = readSmallFile("/proc/\(pid)/comm")?.split(separator: "\n").first.map(String.init) ?? "unknown"
        return Tracer(processID: pid, name: name)
    }

    /// The TracerPid field of a /proc/PID/status text.
    static func tracerPID(fromStatus status: String) -> Int32? {
        for line in status.split(separator: "\n") where line.hasPrefix("TracerPid:") {
            return Int32(line.dropFirst("TracerPid:".count).trimmingCharacters(in: " \t"))
        }
        return nil
    }

    static func readSmallFile(_ path: String) -> String? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { _ = close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 8192)
        let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        guard count > 0 else { return nil }
        return String(decoding: buffer[0 ..< count], as: UTF8.self)
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: String) -> Substring {
        var result = self
        while let first = result.first, set.contains(first) { result = result.dropFirst() }
        while let last = result.last, set.contains(last) { result = result.dropLast() }
        return result
    }
}
