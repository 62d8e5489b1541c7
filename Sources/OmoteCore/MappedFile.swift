import SystemPackage

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension OmoteError.Code {
    /// A model or data file could not be opened, sized or mapped.
    public static let fileUnreadable = Self("file.unreadable")
    /// A model or data file is empty.
    public static let fileEmpty = Self("file.empty")
}

/// A whole file mapped read-only (no copy: the kernel pages it in from the page cache as the parser reads it).
/// Models are mapped once at load, before the privacy guard engages, and read in place.
public struct MappedFile: ~Copyable {
    public let path: String
    public let bytes: UnsafeRawBufferPointer

    /// Maps `path`; `what` names the file's role in errors ("the landmark model").
    public init(path: String, what: String = "file") throws(OmoteError) {
        self.path = path
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw Self.failure(path, what, "cannot open it") }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw Self.failure(path, what, "cannot stat it") }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw OmoteError(
                .fileUnreadable,
                operation: "read \(what)",
                subject: path,
                reason: "it is not a regular file",
                remedy: "Pass the path of the file itself."
            )
        }
        let size = Int(status.st_size)
        guard size > 0 else {
            throw OmoteError(
                .fileEmpty,
                operation: "read \(what)",
                subject: path,
                reason: "the file is empty",
                remedy: "Download or reinstall it."
            )
        }
        guard let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), address != MAP_FAILED else {
            throw Self.failure(path, what, "cannot map it")
        }
        _ = madvise(address, size, MADV_WILLNEED)
        bytes = UnsafeRawBufferPointer(start: address, count: size)
    }

    deinit { munmap(UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count) }

    private static func failure(_ path: String, _ what: String, _ action: String) -> OmoteError {
        let code = Errno(rawValue: errno)
        return OmoteError(
            .fileUnreadable,
            operation: "read \(what)",
            subject: path,
            reason: action,
            remedy: "Check the path and its permissions.",
            errno: code
        )
    }
}
