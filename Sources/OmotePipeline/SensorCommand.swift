#if canImport(Glibc)
import Glibc
#endif

/// What the presenter may tell the sensor, on the second pipe (the only one the sensor reads): a fixed 8-byte command,
/// magic "OMC1" then the command's number. Keys become commands in the presenter; the sensor never sees a key byte.
public enum SensorCommand: UInt32, Sendable, CaseIterable {
    /// Stop processing and end (q, Ctrl-C, Esc).
    case quit = 1
    /// Forget the face and start searching again (r).
    case reset = 2
    /// Start the guided calibration (c).
    case calibrate = 3

    public static let size = 8
    static let magic: UInt32 = 0x4F4D_4331  // "OMC1"

    /// The encoded command.
    public var bytes: (UInt32, UInt32) { (Self.magic.littleEndian, rawValue.littleEndian) }

    /// Decodes one command; nil for anything a presenter does not send.
    public static func decode(_ words: (UInt32, UInt32)) -> SensorCommand? {
        guard UInt32(littleEndian: words.0) == magic else { return nil }
        return SensorCommand(rawValue: UInt32(littleEndian: words.1))
    }

    /// Sends the command with one write (atomic: far below PIPE_BUF); false when the sensor is gone.
    @discardableResult
    public func send(to descriptor: Int32) -> Bool {
        var words = bytes
        while true {
            let written = write(descriptor, &words, Self.size)
            if written == Self.size { return true }
            if written < 0, errno == EINTR { continue }
            return false
        }
    }

    /// What the sensor found on its command pipe.
    public enum Received: Sendable, Equatable {
        case command(SensorCommand)
        /// Nothing yet.
        case none
        /// The presenter closed the pipe (it is gone or done): stop.
        case closed
        /// Bytes that are not a command: stop.
        case malformed
    }

    /// Waits up to `timeoutMilliseconds` for one command on `descriptor`.
    public static func receive(from descriptor: Int32, timeoutMilliseconds: Int32) -> Received {
        var request = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        let ready = poll(&request, 1, timeoutMilliseconds)
        guard ready > 0 else { return .none }
        var words: (UInt32, UInt32) = (0, 0)
        var filled = 0
        while filled < size {
            let count = withUnsafeMutableBytes(of: &words) { read(descriptor, $0.baseAddress! + filled, size - filled) }
            if count < 0, errno == EINTR { continue }
            if count <= 0 { return filled == 0 ? .closed : .malformed }
            filled += count
        }
        return decode(words).map { .command($0) } ?? .malformed
    }
}
