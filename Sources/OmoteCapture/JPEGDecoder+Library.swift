import CTurboJPEG
import OmoteCore

/// libturbojpeg is loaded at run time, not linked, so that only a process that decodes ever maps it: the sensor (or
/// bench) loads it before engaging its guard; the presenter never does, which its /proc/PID/maps shows (issue 22).
extension JPEGDecoder {
    /// Loads libturbojpeg.so.0 and resolves the functions the decoder calls, once per process (idempotent,
    /// thread-safe). Call before engaging the guard in every process that decodes: the guard forbids mapping it later.
    public static func loadLibrary() throws(OmoteError) {
        guard omote_tj_is_loaded() == 0 else { return }
        if let failure = RuntimeLibraryLoad.failure({ omote_tj_load($0, $1) }) { throw .decoderLibraryMissing(failure) }
    }

    /// Whether `loadLibrary()` has succeeded in this process.
    public static var isLibraryLoaded: Bool { omote_tj_is_loaded() != 0 }

    /// Loads the library on first use when the guard has not engaged (tests, `omote doctor`); once it has, a process
    /// that did not load it first gets a clear error instead of a refused open or mmap.
    static func requireLibrary() throws(OmoteError) {
        guard !isLibraryLoaded else { return }
        guard !GuardEngagement.isEngagedInThisProcess else { throw .decoderLibraryNotLoaded }
        try loadLibrary()
    }
}
