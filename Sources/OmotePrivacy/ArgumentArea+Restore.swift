import CPrivacyShim
import OmoteCore

#if canImport(Glibc)
import Glibc
#endif

extension ArgumentArea {
    /// The re-executed image: takes the handoff, rebuilds the environment in heap memory, names the process as
    /// before (exec named it "exe"), and seals the argument area. Without a handoff (someone ran omote with argv
    /// [""]) it runs as started, unprotected; an unreadable handoff throws.
    static func restore() throws(OmoteError) -> (arguments: [String], protection: Protection) {
        guard let descriptor = findHandoff() else {
            return (
                CommandLine.arguments,
                .failed(reason: "started with one empty argument but without the handoff of a re-exec (/proc/self/fd)")
            )
        }
        let handoff = try readHandoff(descriptor)
        omote_empty_environment()
        for entry in handoff.environment {
            // NAME=VALUE; an entry without a name cannot be set again (setenv refuses it), nor looked up before. A
            // repeated name keeps its first value, the one getenv found.
            guard let equals = entry.firstIndex(of: UInt8(ascii: "=")), equals > 0 else { continue }
            _ = setenv(cString(entry[..<equals]), cString(entry[(equals + 1)...]), 0)
        }
        _ = cString(handoff.processName).withUnsafeBufferPointer {
            omote_prctl(PR_SET_NAME, UInt(bitPattern: $0.baseAddress), 0, 0, 0)
        }
        let arguments = handoff.arguments.map { String(decoding: $0, as: UTF8.self) }
        return (arguments, seal())
    }

    /// Makes the strings at the top of the stack — from argv[0] to the end marker above the exec's file name —
    /// read-only and seals them. They are whole pages by construction (`Layout`); if not, nothing is changed.
    static func seal() -> Protection {
        guard omote_mseal(nil, 0) == 0 else {
            return .unsealed(reason: "this kernel has no mseal, which needs Linux ≥ 6.10 (\(errnoText()))")
        }
        let pageSize = UInt(sysconf(Int32(_SC_PAGESIZE)))
        guard let argument = CommandLine.unsafeArgv[0], let fileName = omote_exec_file_name() else {
            return .unsealed(reason: "argv[0] or AT_EXECFN is missing")
        }
        let start = UInt(bitPattern: argument)
        let end = UInt(bitPattern: fileName) + UInt(strlen(fileName)) + 1 + UInt(MemoryLayout<UnsafeRawPointer>.size)
        guard start % pageSize == 0, end % pageSize == 0, end > start else {
            return .unsealed(reason: "the strings at the top of the stack do not fill whole pages")
        }
        let address = UnsafeMutableRawPointer(bitPattern: start)
        guard mprotect(address, Int(end - start), PROT_READ) == 0 else {
            return .unsealed(reason: "mprotect failed (\(errnoText()))")
        }
        guard omote_mseal(address, Int(end - start)) == 0 else {
            return .unsealed(reason: "mseal failed (\(errnoText()))")
        }
        return .sealed(bytes: Int(end - start))
    }

    private static func cString(_ bytes: some Collection<UInt8>) -> [CChar] {
        bytes.map { CChar(bitPattern: $0) } + [0]
    }
}
