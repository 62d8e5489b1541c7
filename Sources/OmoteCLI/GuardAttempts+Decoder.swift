import Omote
import OmoteCore

#if canImport(Glibc)
import Glibc
#endif

/// guard-selftest decodes nothing and opens no camera through libv4l2, so it never loads libturbojpeg or libv4l2 (only
/// a process that decodes or opens a camera does, before engaging): neither is mapped, nor libv4l2's libjpeg, and a
/// decoder or camera asked for after engaging is refused with a clear error instead of dying on an open or mmap the
/// guard forbids.
extension GuardAttempts {
    static func decoderChecks() -> [AttemptResult] {
        let made: String
        do {
            _ = try JPEGDecoder()
            made = "made"
        } catch {
            made = error.code.rawValue
        }
        // A node that does not exist: were the library check missing, nothing real would be opened either.
        let opened: String
        do {
            _ = try V4L2Camera(options: V4L2CameraOptions(device: "/dev/video-omote-selftest"))
            opened = "opened"
        } catch {
            opened = error.code.rawValue
        }
        return [
            AttemptResult(
                scope: "decoder", act: "libturbojpeg-mapped", outcome: mapsMention("libturbojpeg"),
                expected: "not-mapped"),
            AttemptResult(
                scope: "decoder", act: "libjpeg-mapped", outcome: mapsMention("libjpeg"), expected: "not-mapped"),
            AttemptResult(
                scope: "decoder", act: "libv4l-mapped", outcome: mapsMention("libv4l"), expected: "not-mapped"),
            AttemptResult(
                scope: "decoder", act: "decoder-after-engaging", outcome: made, expected: "capture.decoderNotLoaded"),
            AttemptResult(
                scope: "decoder", act: "camera-after-engaging", outcome: opened,
                expected: "capture.cameraLibraryNotLoaded"),
        ]
    }

    /// "mapped" when a line of /proc/self/maps contains `name`, "not-mapped" when none does, or why it was unreadable.
    private static func mapsMention(_ name: String) -> String {
        let descriptor = open("/proc/self/maps", O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return errnoName(errno) }
        defer { close(descriptor) }
        var maps: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 { return errnoName(errno) }
            if count == 0 { break }
            maps += chunk[0 ..< count]
        }
        return String(decoding: maps, as: UTF8.self).contains(name) ? "mapped" : "not-mapped"
    }
}
