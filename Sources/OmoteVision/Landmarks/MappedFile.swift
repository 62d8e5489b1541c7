#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A whole file mapped read-only (no copy: the kernel pages it in from the page cache as the parser reads it).
struct MappedFile: ~Copyable {
    let bytes: UnsafeRawBufferPointer

    init(path: String) throws(ShapePredictorError) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw Self.failure(path, "cannot open") }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw Self.failure(path, "cannot stat") }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw ShapePredictorError(.unreadable, path: path, reason: "not a regular file")
        }
        let size = Int(status.st_size)
        guard size > 0 else { throw ShapePredictorError(.truncated, path: path, offset: 0, reason: "the file is empty") }
        guard let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), address != MAP_FAILED else {
            throw Self.failure(path, "cannot map")
        }
        _ = madvise(address, size, MADV_SEQUENTIAL)
        _ = madvise(address, size, MADV_WILLNEED)
        bytes = UnsafeRawBufferPointer(start: address, count: size)
    }

    deinit { munmap(UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count) }

    private static func failure(_ path: String, _ what: String) -> ShapePredictorError {
        let code = errno
        return ShapePredictorError(.unreadable, path: path, reason: "\(what) (\(String(cString: strerror(code))), errno \(code))")
    }
}
