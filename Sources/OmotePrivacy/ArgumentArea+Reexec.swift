import CPrivacyShim
import OmoteCore

#if canImport(Glibc)
import Glibc
#endif

extension ArgumentArea {
    /// The memfd that carries the arguments, the environment and the process name across the exec.
    static let handoffName = "omote-arguments"
    /// The running program, whatever its path; the exec's file name ends with it.
    static let executable = "/proc/self/exe"
    /// What cmdline can show of an unsealed re-executed image: the one byte of its empty argument. (A non-NUL last
    /// byte makes the kernel read on like setproctitle, but only into the environment strings, of which there are
    /// none unless loader variables are set; environ shows only those.)
    static let unsealedBytes = 1

    /// The image the user started: writes the handoff, then execs /proc/self/exe with `[""]` and only the loader's
    /// variables. Returns only when that failed, with the reason.
    static func reexecute() -> String {
        let arguments = (0 ..< Int(CommandLine.argc)).map { bytes(of: CommandLine.unsafeArgv[$0]) }
        var environment: [[UInt8]] = []
        if var entry = omote_environment() {
            while let string = entry.pointee {
                environment.append(bytes(of: string))
                entry += 1
            }
        }
        var name = [UInt8](repeating: 0, count: 17)
        _ = name.withUnsafeMutableBytes { omote_prctl(PR_GET_NAME, UInt(bitPattern: $0.baseAddress), 0, 0, 0) }
        let handoff = Handoff(arguments: arguments, environment: environment, processName: name.prefix { $0 != 0 })

        let descriptor = Int32(truncatingIfNeeded: omote_memfd_create_inheritable(handoffName))
        guard descriptor >= 0 else { return "cannot create the memfd that hands the arguments over (\(errnoText()))" }
        guard writeAll(handoff.encoded, to: descriptor) else {
            let reason = "cannot write the arguments to the handoff memfd (\(errnoText()))"
            _ = close(descriptor)
            return reason
        }
        // The dynamic loader reads its variables before main, so they must be in the new image's own environment.
        let loaderVariables = environment.filter(isLoaderVariable)
        let layout = Layout(
            pageSize: Int(sysconf(Int32(_SC_PAGESIZE))),
            fixedBytes: MemoryLayout<UnsafeRawPointer>.size + loaderVariables.reduce(1) { $0 + $1.count + 1 },
            sealable: omote_mseal(nil, 0) == 0)
        let strings = loaderVariables + (layout.padding.map { [Array($0.utf8)] } ?? [])
        execute(path: layout.path, environment: strings)
        let reason = "cannot re-execute \(executable) to empty the argument area (\(errnoText()))"
        _ = close(descriptor)
        return reason
    }

    /// LD_* and GLIBC_TUNABLES: read by the dynamic loader before any of Omote runs.
    static func isLoaderVariable(_ entry: [UInt8]) -> Bool {
        entry.starts(with: Array("LD_".utf8)) || entry.starts(with: Array("GLIBC_TUNABLES=".utf8))
    }

    private static func execute(path: String, environment: [[UInt8]]) {
        var argv: [UnsafeMutablePointer<CChar>?] = [strdup(""), nil]
        var envp: [UnsafeMutablePointer<CChar>?] =
            environment.map { entry in
                (entry + [0]).withUnsafeBufferPointer {
                    strdup(UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self))
                }
            } + [nil]
        _ = execve(path, &argv, &envp)
        let saved = errno
        for pointer in argv + envp { free(pointer) }
        errno = saved
    }

    private static func writeAll(_ data: [UInt8], to descriptor: Int32) -> Bool {
        var offset = 0
        while offset < data.count {
            let written = data.withUnsafeBytes { write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0, errno == EINTR { continue }
            guard written > 0 else { return false }
            offset += written
        }
        return true
    }

    static func bytes(of string: UnsafeMutablePointer<CChar>?) -> [UInt8] {
        guard let string else { return [] }
        return Array(UnsafeRawBufferPointer(start: string, count: strlen(string)))
    }

    static func errnoText(_ code: Int32 = errno) -> String { String(cString: strerror(code)) }

    /// The exec's file name (and, where that cannot do it, one extra environment string) sized so that the strings
    /// the kernel copies to the top of the new stack fill whole pages: the new image can then seal exactly them.
    /// Without mseal nothing is padded, so that an unsealed area is as small as it can be.
    struct Layout: Equatable {
        let path: String
        let padding: String?

        /// The longest file name execve takes, with its NUL (PATH_MAX).
        static let pathLimit = 4096

        /// `fixedBytes`: the kernel's end marker, the loader's variables and the empty argument, NULs included.
        init(pageSize: Int, fixedBytes: Int, sealable: Bool) {
            let shortest = ArgumentArea.executable.utf8.count + 1
            let needed = (pageSize - fixedBytes % pageSize) % pageSize
            guard sealable else {
                (path, padding) = (ArgumentArea.executable, nil)
                return
            }
            if needed >= shortest, needed <= Self.pathLimit {
                // Extra slashes: "//…//proc/self/exe" names the same file.
                path = String(repeating: "/", count: needed - shortest) + ArgumentArea.executable
                padding = nil
            } else {
                // The rest goes into a string without "=", which no lookup matches (the environment is rebuilt).
                path = ArgumentArea.executable
                let rest = ((needed - shortest) % pageSize + pageSize) % pageSize
                padding = String(repeating: "-", count: rest - 1)
            }
        }
    }
}
