import CGuardSelfTest
import Omote
import OmoteCore

#if canImport(Glibc)
import Glibc
#endif

/// The window view's presenter keeps one more descriptor: its X server connection. guard-selftest --display opens a
/// small window before engaging (as `Presenter.openWindow` does) and shows that, afterwards, the window still draws and
/// reads back, while the connection carries nothing but the X protocol: no descriptor passed over it, no second
/// connection, no copy of it. (MIT-SHM would need a SysV segment: shmget kills the process, a fatal act tried in every
/// mode.)
extension GuardAttempts {
    static let windowSide = 32

    /// Opens the self-test's window on `display` (before engaging).
    static func openWindow(display: String) throws(OmoteError) -> X11Window {
        let window = try X11Window(
            display: display, title: "Omote — guard self-test", width: windowSide, height: windowSide,
            transparent: false)
        // The first Expose is consumed by the initialiser; present once so the window has content.
        let picture = windowPicture(seed: 1)
        try picture.withUnsafeBufferPointer { pixels throws(OmoteError) in
            try window.present(pixels, width: windowSide, height: windowSide)
        }
        return window
    }

    static func windowChecks(_ window: X11Window) -> [AttemptResult] {
        var results: [AttemptResult] = []
        func attempt(_ act: String, expect expected: String = "EPERM", _ body: () -> Int) {
            results.append(AttemptResult(scope: "window", act: act, expected: expected, attempting: body))
        }
        let connection = window.connectionDescriptor
        // The allowed use: a new picture goes out (writev) and reads back identically (the reply arrives by recvmsg).
        let picture = windowPicture(seed: 2)
        let drawn: String
        do throws(OmoteError) {
            try picture.withUnsafeBufferPointer { pixels throws(OmoteError) in
                try window.present(pixels, width: windowSide, height: windowSide)
            }
            let back = try window.readBack()
            drawn = back.map { $0 & 0xFF_FFFF } == picture.map { $0 & 0xFF_FFFF } ? "ok" : "differs"
        } catch {
            drawn = error.code.rawValue
        }
        results.append(AttemptResult(scope: "window", act: "present-and-read-back", outcome: drawn, expected: "ok"))
        // Everything else on that socket: passing a descriptor (stdout's) to the server, datagram-style sends, a
        // second connect, a copy of the descriptor.
        attempt("sendmsg-descriptor-over-display") { omote_selftest_send_descriptor(connection, STDOUT_FILENO) }
        attempt("sendto-display") { Int(sendto(connection, "x", 1, 0, nil, 0)) }
        attempt("connect-display-again") {
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            return withUnsafePointer(to: &address) {
                Int(
                    connect(
                        connection, UnsafeRawPointer($0).assumingMemoryBound(to: sockaddr.self),
                        socklen_t(MemoryLayout<sa_family_t>.size)))
            }
        }
        attempt("dup-display") { closing(dup(connection)) }
        return results
    }

    /// A picture no other seed draws (so a stale window content cannot pass for the new one).
    private static func windowPicture(seed: UInt32) -> [UInt32] {
        (0 ..< windowSide * windowSide).map { index in
            0xFF00_0000 | UInt32(index % windowSide) * 8 << 16 | UInt32(index / windowSide) * 8 << 8 | seed * 0x40
        }
    }
}
