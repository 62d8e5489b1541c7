import CPrivacyShim
import OmoteCore

#if canImport(Glibc)
import Glibc
#endif

/// The descriptors the guarded process keeps. A parent can start Omote with any descriptor open (a file, a connected
/// socket, a unix socket that passes more descriptors); none of them is Omote's, and every one is a way out. At
/// engagement: stdout or stderr that is a socket is refused (the guard cannot tell a peer from a terminal); every
/// descriptor above stderr is closed except the camera's (opened and mapped before engaging); a stdin that is not a
/// terminal is replaced by /dev/null opened read-only (only the interactive view reads keys from it), and a closed
/// stdin/stdout/stderr is filled the same way so a later open cannot land on 0–2.
package enum DescriptorHygiene {
    struct Result: Equatable {
        /// Descriptors kept because they are the camera node's.
        var camera: [Int32]
        /// How many inherited descriptors were closed.
        var closed: Int
    }

    static func apply(
        cameraDevice: String?, keeping: [Int32] = [], statusChannel: Int32? = nil, commandChannels: [Int32] = [],
        displayConnection: Int32? = nil
    )
        throws(OmoteError) -> Result
    {
        // The one socket a process may keep and write: its own connection to the X server (a unix socket), never
        // one it inherited or one with a network peer.
        if let displayConnection {
            var info = stat()
            var address = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let named = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(displayConnection, $0, &length) }
            }
            guard fstat(displayConnection, &info) == 0, info.st_mode & S_IFMT == S_IFSOCK, named == 0,
                address.ss_family == sa_family_t(AF_UNIX)
            else {
                throw OmoteError.privacyGuard(
                    .privacyDescriptors,
                    "the display connection (descriptor \(displayConnection)) is not a connected unix socket; the "
                        + "window view only talks to a local X server (use DISPLAY=:N, not a TCP display)")
            }
        }
        // Every descriptor the process may write besides stdout/stderr must be a pipe: never a file or a socket.
        for (descriptor, name) in (statusChannel.map { [($0, "status")] } ?? [])
            + commandChannels.map({ ($0, "command") })
        {
            var info = stat()
            guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFIFO else {
                throw OmoteError.privacyGuard(
                    .privacyDescriptors, "the \(name) channel (descriptor \(descriptor)) is not a pipe")
            }
        }
        for (descriptor, name) in [(STDOUT_FILENO, "stdout"), (STDERR_FILENO, "stderr")] where statusChannel == nil {
            var info = stat()
            if fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFSOCK {
                throw OmoteError.privacyGuard(
                    .privacyDescriptors,
                    "\(name) is a socket; Omote writes only to a terminal, a pipe or a file it was given, never to a socket (run it in a terminal, or redirect \(name) to a file)"
                )
            }
        }
        var cameraDevice_rdev: dev_t?
        if let cameraDevice {
            var info = stat()
            if stat(cameraDevice, &info) == 0, info.st_mode & S_IFMT == S_IFCHR { cameraDevice_rdev = info.st_rdev }
        }
        guard let open = openDescriptors() else {
            throw OmoteError.privacyGuard(
                .privacyDescriptors,
                "cannot list this process's descriptors (/proc/self/fd unreadable; is /proc mounted?)")
        }
        var camera: [Int32] = []
        var toClose: [Int32] = []
        let kept = Set(
            keeping + commandChannels + (statusChannel.map { [$0] } ?? []) + (displayConnection.map { [$0] } ?? []))
        for descriptor in open where descriptor > STDERR_FILENO && !kept.contains(descriptor) {
            var info = stat()
            if let rdev = cameraDevice_rdev, fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFCHR,
                info.st_rdev == rdev
            {
                camera.append(descriptor)
            } else {
                toClose.append(descriptor)
            }
        }
        try closeAll(except: camera + kept.filter { $0 > STDERR_FILENO })
        try fillStandardDescriptors(silencingOutput: statusChannel != nil)
        return Result(camera: camera, closed: toClose.count)
    }

    /// Descriptors open now (entries of /proc/self/fd, without the one listing them); the guard self-test lists them
    /// with this too.
    package static func openDescriptors() -> [Int32]? {
        guard let directory = opendir("/proc/self/fd") else { return nil }
        defer { closedir(directory) }
        let own = dirfd(directory)
        var descriptors: [Int32] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) {
                String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if let descriptor = Int32(name), descriptor != own { descriptors.append(descriptor) }
        }
        return descriptors.sorted()
    }

    /// close_range over every gap between the kept descriptors, from 3 to the largest possible.
    private static func closeAll(except kept: [Int32]) throws(OmoteError) {
        var first: UInt32 = 3
        for descriptor in kept.sorted() {
            let keep = UInt32(descriptor)
            if keep > first { try closeRange(first, keep - 1) }
            first = keep + 1
        }
        try closeRange(first, UInt32.max)
    }

    private static func closeRange(_ first: UInt32, _ last: UInt32) throws(OmoteError) {
        if omote_close_range(first, last) == 0 { return }
        let code = errno
        guard code == ENOSYS else {
            throw OmoteError.privacyGuard(.privacyDescriptors, "close_range(\(first), \(last)) failed", errno: code)
        }
        // Kernels before 5.9: close what is open, one by one.
        for descriptor in openDescriptors() ?? [] where UInt32(descriptor) >= first && UInt32(descriptor) <= last {
            _ = close(descriptor)
        }
    }

    /// A non-terminal stdin becomes /dev/null (read-only); a closed 0, 1 or 2 is filled with /dev/null too.
    /// `silencingOutput` (a sensor): stdout and stderr become /dev/null too.
    private static func fillStandardDescriptors(silencingOutput: Bool) throws(OmoteError) {
        for descriptor in [STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO] {
            let closed = fcntl(descriptor, F_GETFD) < 0
            let replace = closed || silencingOutput || (descriptor == STDIN_FILENO && isatty(descriptor) != 1)
            guard replace else { continue }
            let null = open("/dev/null", O_RDONLY | O_CLOEXEC)
            guard null >= 0 else {
                throw OmoteError.privacyGuard(
                    .privacyDescriptors, "cannot open /dev/null for an unused standard descriptor", errno: errno)
            }
            if null != descriptor {
                let duplicated = dup2(null, descriptor)
                _ = close(null)
                guard duplicated == descriptor else {
                    throw OmoteError.privacyGuard(
                        .privacyDescriptors, "cannot replace descriptor \(descriptor) with /dev/null", errno: errno)
                }
            }
        }
    }
}
