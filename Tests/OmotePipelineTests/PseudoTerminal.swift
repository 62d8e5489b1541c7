import Foundation
import Testing

/// A pseudo-terminal pair for tests that need a real terminal (raw mode, the live view).
struct PseudoTerminal {
    /// The master side (close it when done) and the path of the slave side.
    let master: Int32
    let slavePath: String

    /// Opens /dev/ptmx, unlocks the new slave (TIOCSPTLCK 0) and asks its number (TIOCGPTN). posix_openpt, unlockpt
    /// and ptsname are not visible to Swift here; the request codes are the generic Linux encodings
    /// (_IOW('T', 0x31, int), _IOR('T', 0x30, unsigned int)), the same on x86-64 and arm64.
    static func open() throws -> PseudoTerminal {
        let master = Glibc.open("/dev/ptmx", O_RDWR | O_NOCTTY)
        try #require(master >= 0)
        var unlock: Int32 = 0
        var number: UInt32 = 0
        guard ioctl(master, UInt(0x4004_5431), &unlock) == 0, ioctl(master, UInt(0x8004_5430), &number) == 0 else {
            close(master)
            throw POSIXError(.ENOTTY)
        }
        return PseudoTerminal(master: master, slavePath: "/dev/pts/\(number)")
    }
}
