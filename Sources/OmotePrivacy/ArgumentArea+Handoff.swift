import CPrivacyShim
import OmoteCore

#if canImport(Glibc)
import Glibc
#endif

extension ArgumentArea {
    /// What crosses the exec in the memfd: argument and environment strings as raw bytes (neither need be UTF-8),
    /// and the process name. Layout: argument count and environment count (UInt32, native order), then each string
    /// with its NUL, then the name with its NUL.
    struct Handoff: Equatable {
        var arguments: [[UInt8]]
        var environment: [[UInt8]]
        var processName: [UInt8]

        init(arguments: [[UInt8]], environment: [[UInt8]], processName: some Sequence<UInt8>) {
            self.arguments = arguments
            self.environment = environment
            self.processName = Array(processName)
        }

        /// Far above what execve accepts (a quarter of the stack limit), so a bigger memfd is not ours.
        static let sizeLimit = 64 << 20

        var encoded: [UInt8] {
            var data: [UInt8] = []
            for count in [arguments.count, environment.count] {
                withUnsafeBytes(of: UInt32(count)) { data += $0 }
            }
            for string in arguments + environment + [processName] { data += string + [0] }
            return data
        }

        init(decoding data: [UInt8]) throws(OmoteError) {
            guard data.count >= 8 else { throw ArgumentArea.handoffError("it is \(data.count) bytes long") }
            let counts = data.withUnsafeBytes {
                ($0.loadUnaligned(as: UInt32.self), $0.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
            }
            var strings = data[8...].split(separator: 0, omittingEmptySubsequences: false).map(Array.init)
            // Every string ends with a NUL, so splitting leaves one empty piece after the last.
            guard strings.last == [], Int(counts.0) + Int(counts.1) + 2 == strings.count, counts.0 >= 1 else {
                throw ArgumentArea.handoffError("its \(strings.count - 1) strings do not match its counts")
            }
            strings.removeLast()
            processName = strings.removeLast()
            arguments = Array(strings[0 ..< Int(counts.0)])
            environment = Array(strings[Int(counts.0)...])
        }
    }

    /// The handoff memfd the image that re-executed left open (found by its name, whatever its number).
    package static func findHandoff() -> Int32? {
        guard let directory = opendir("/proc/self/fd") else { return nil }
        defer { closedir(directory) }
        let own = dirfd(directory)
        let expected = Array("/memfd:\(handoffName) (deleted)".utf8)
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) {
                String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
            }
            // Any number, 0–2 included: started with stdin closed, the memfd took descriptor 0 (closed again once read).
            guard let descriptor = Int32(name), descriptor != own else { continue }
            var target = [UInt8](repeating: 0, count: 64)
            let length = target.withUnsafeMutableBytes {
                readlink("/proc/self/fd/\(descriptor)", $0.baseAddress!.assumingMemoryBound(to: CChar.self), $0.count)
            }
            if length == expected.count, Array(target[0 ..< length]) == expected { return descriptor }
        }
        return nil
    }

    /// Reads the whole handoff and closes it, so no later code (nor the guard's descriptor sweep) ever sees it.
    static func readHandoff(_ descriptor: Int32) throws(OmoteError) -> Handoff {
        defer { _ = close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw handoffError("fstat failed (\(errnoText()))") }
        let size = Int(info.st_size)
        guard size <= Handoff.sizeLimit else { throw handoffError("it is \(size) bytes long") }
        var data = [UInt8](repeating: 0, count: size)
        var offset = 0
        while offset < size {
            let count = data.withUnsafeMutableBytes {
                pread(descriptor, $0.baseAddress! + offset, size - offset, off_t(offset))
            }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { throw handoffError("reading it failed (\(errnoText()))") }
            offset += count
        }
        return try Handoff(decoding: data)
    }

    static func handoffError(_ problem: String) -> OmoteError {
        OmoteError.privacyGuard(
            .privacyArgumentArea, "the arguments handed over across the re-exec are unreadable: \(problem)")
    }
}
