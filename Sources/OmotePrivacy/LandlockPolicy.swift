import CPrivacyShim

/// What the Landlock ruleset handles at a given ABI: every filesystem right that creates, changes, removes, renames,
/// links, truncates or executes a file, TCP bind/connect, and the abstract-unix-socket and signal scopes. Handled and
/// not allowed by a rule means forbidden; reads are not handled, so the model, avatars and clips stay readable.
/// The only rule is the optional camera node: write (V4L2 needs O_RDWR) and device ioctls.
public struct LandlockPolicy: Sendable, Equatable {
    /// The newest ABI whose rights this code knows; a newer kernel is used at this level.
    public static let newestKnownABI = 7

    public let abi: Int
    public let handledFilesystem: UInt64
    public let handledNetwork: UInt64
    public let scoped: UInt64

    /// The policy for a kernel offering `kernelABI` (clamped to `newestKnownABI`).
    public init(kernelABI: Int) {
        abi = min(kernelABI, Self.newestKnownABI)
        var filesystem: UInt64 = 0
        if abi >= 1 {
            filesystem =
                UInt64(OMOTE_LANDLOCK_ACCESS_FS_EXECUTE) | UInt64(OMOTE_LANDLOCK_ACCESS_FS_WRITE_FILE)
                | UInt64(OMOTE_LANDLOCK_ACCESS_FS_REMOVE_DIR) | UInt64(OMOTE_LANDLOCK_ACCESS_FS_REMOVE_FILE)
                | UInt64(OMOTE_LANDLOCK_ACCESS_FS_MAKE_CHAR) | UInt64(OMOTE_LANDLOCK_ACCESS_FS_MAKE_DIR)
                | UInt64(OMOTE_LANDLOCK_ACCESS_FS_MAKE_REG) | UInt64(OMOTE_LANDLOCK_ACCESS_FS_MAKE_SOCK)
                | UInt64(OMOTE_LANDLOCK_ACCESS_FS_MAKE_FIFO) | UInt64(OMOTE_LANDLOCK_ACCESS_FS_MAKE_BLOCK)
                | UInt64(OMOTE_LANDLOCK_ACCESS_FS_MAKE_SYM)
        }
        if abi >= 2 { filesystem |= UInt64(OMOTE_LANDLOCK_ACCESS_FS_REFER) }
        if abi >= 3 { filesystem |= UInt64(OMOTE_LANDLOCK_ACCESS_FS_TRUNCATE) }
        if abi >= 5 { filesystem |= UInt64(OMOTE_LANDLOCK_ACCESS_FS_IOCTL_DEV) }
        handledFilesystem = filesystem
        handledNetwork =
            abi >= 4
            ? UInt64(OMOTE_LANDLOCK_ACCESS_NET_BIND_TCP) | UInt64(OMOTE_LANDLOCK_ACCESS_NET_CONNECT_TCP) : 0
        scoped =
            abi >= 6
            ? UInt64(OMOTE_LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET) | UInt64(OMOTE_LANDLOCK_SCOPE_SIGNAL) : 0
    }

    /// Rights granted on the camera node: writing (V4L2 is opened O_RDWR) and, where handled, device ioctls.
    public var cameraAllowed: UInt64 {
        (UInt64(OMOTE_LANDLOCK_ACCESS_FS_WRITE_FILE) | UInt64(OMOTE_LANDLOCK_ACCESS_FS_IOCTL_DEV)) & handledFilesystem
    }

    public var restrictsTruncate: Bool { handledFilesystem & UInt64(OMOTE_LANDLOCK_ACCESS_FS_TRUNCATE) != 0 }
    public var restrictsRefer: Bool { handledFilesystem & UInt64(OMOTE_LANDLOCK_ACCESS_FS_REFER) != 0 }
    public var restrictsDeviceIoctl: Bool { handledFilesystem & UInt64(OMOTE_LANDLOCK_ACCESS_FS_IOCTL_DEV) != 0 }
    public var restrictsTCP: Bool { handledNetwork != 0 }
    public var scopesSignalsAndAbstractSockets: Bool { scoped != 0 }

    /// "fs+net+scope" style summary of what is enforced at this ABI.
    public var coverage: String {
        var parts = ["fs"]
        if restrictsTCP { parts.append("net") }
        if scopesSignalsAndAbstractSockets { parts.append("scope") }
        return parts.joined(separator: "+")
    }

    /// A right this ABI lacks, the ABI that adds it, and what covers it meanwhile.
    public struct MissingRight: Sendable, Equatable {
        public let right: String
        public let abi: Int
        public let coveredBy: String
    }

    /// Protections this ABI lacks, each with the ABI that adds it and the seccomp rule that enforces it regardless
    /// (empty at ABI ≥ 6).
    public var missingProtections: [MissingRight] {
        var missing: [MissingRight] = []
        if !restrictsRefer {
            missing.append(
                MissingRight(
                    right: "cross-directory rename/link control", abi: 2,
                    coveredBy: "rename and link are refused by Landlock's ABI 1 rights already"))
        }
        if !restrictsTruncate {
            missing.append(
                MissingRight(
                    right: "truncate", abi: 3,
                    coveredBy: "truncate, ftruncate and fallocate are not on the allow-list (EPERM)"))
        }
        if !restrictsTCP {
            missing.append(
                MissingRight(
                    right: "TCP bind/connect", abi: 4, coveredBy: "no socket call is on the allow-list (EPERM)"))
        }
        if !restrictsDeviceIoctl {
            missing.append(
                MissingRight(
                    right: "device ioctl control", abi: 5,
                    coveredBy:
                        "ioctl is allowed only for terminal queries on stdin/stdout/stderr and V4L2 calls on the camera"
                ))
        }
        if !scopesSignalsAndAbstractSockets {
            missing.append(
                MissingRight(
                    right: "signal and abstract unix socket scoping", abi: 6,
                    coveredBy: "kill/tgkill only to this process; no socket calls (EPERM)"))
        }
        return missing
    }
}
