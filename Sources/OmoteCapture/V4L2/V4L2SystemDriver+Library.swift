import CV4L2Shim
import OmoteCore

/// libv4l2 is loaded at run time, not linked: it brings libv4lconvert and libjpeg.so.62 (a second JPEG decoder), so
/// only a process that opens a camera maps it. A camera generation's sensor loads it before engaging its guard;
/// `omote devices` and `omote doctor`, which are not guarded, load it on first use; the presenter never does, which its
/// /proc/PID/maps shows (issue 22).
extension V4L2SystemDriver {
    /// Loads libv4l2.so.0 and resolves the functions the driver calls, once per process (idempotent, thread-safe).
    /// Call before engaging the guard in every process that opens a camera: the guard forbids mapping it later.
    public static func loadLibrary() throws(OmoteError) {
        guard omote_v4l2_is_loaded() == 0 else { return }
        if let failure = RuntimeLibraryLoad.failure({ omote_v4l2_load($0, $1) }) {
            throw .cameraLibraryMissing(failure)
        }
    }

    /// Whether `loadLibrary()` has succeeded in this process.
    public static var isLibraryLoaded: Bool { omote_v4l2_is_loaded() != 0 }

    /// Loads the library on first use when the guard has not engaged; once it has, a process that did not load it
    /// first gets a clear error instead of a refused open or mmap.
    public func prepare() throws(OmoteError) {
        guard !Self.isLibraryLoaded else { return }
        guard !GuardEngagement.isEngagedInThisProcess else { throw .cameraLibraryNotLoaded }
        try Self.loadLibrary()
    }
}
