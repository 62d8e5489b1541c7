import CPrivacyShim
import Omote
import OmotePrivacy

#if canImport(Glibc)
import Glibc
#endif

/// `guard-selftest --report-startup`: what the re-executed image runs with, for the test that the arguments, the
/// environment and the process name survive the re-exec (and that the handoff's descriptor is gone). Strings are
/// printed as hex, byte for byte.
enum StartupReport {
    static func print() {
        for argument in LaunchArguments.all { line("argument", Array(argument.utf8)) }
        if var entry = omote_environment() {
            while let string = entry.pointee {
                line("environment", Array(UnsafeRawBufferPointer(start: string, count: strlen(string))))
                entry += 1
            }
        }
        var name = [UInt8](repeating: 0, count: 17)
        _ = name.withUnsafeMutableBytes { omote_prctl(PR_GET_NAME, UInt(bitPattern: $0.baseAddress), 0, 0, 0) }
        line("process-name", Array(name.prefix { $0 != 0 }))
        Swift.print("handoff-open\t\(ArgumentArea.findHandoff().map { "descriptor \($0)" } ?? "no")")
        Swift.print("argument-area\t\(ArgumentArea.protection.summary)")
    }

    private static func line(_ kind: String, _ bytes: [UInt8]) {
        let hex = bytes.map { String($0, radix: 16) }.map { $0.count == 1 ? "0" + $0 : $0 }.joined()
        Swift.print("\(kind)\t\(hex)")
    }
}
