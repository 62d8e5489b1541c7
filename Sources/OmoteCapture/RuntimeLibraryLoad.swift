/// The Swift side of a C shim's run-time library load (`omote_tj_load`, `omote_v4l2_load`).
enum RuntimeLibraryLoad {
    /// Runs `load` (a shim's loader: message buffer and its capacity in, 0 or -1 out); nil when it succeeded,
    /// otherwise why not (dlerror()'s text or the missing function).
    static func failure(_ load: (UnsafeMutablePointer<CChar>, Int) -> Int32) -> String? {
        var message = [CChar](repeating: 0, count: 512)
        guard load(&message, message.count) != 0 else { return nil }
        return message.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}
