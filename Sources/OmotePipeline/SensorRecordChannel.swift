import OmoteCore

#if canImport(Glibc)
import Glibc
#endif

/// The sensor's end of the record pipe. Each thread that sends (the processing thread for frames, the main thread for
/// notes and the ending) has its own writer: the record is encoded in the writer's private page (a frame record holds
/// expression data) and sent with one `write`, which the kernel keeps whole because it is smaller than PIPE_BUF.
public final class SensorRecordWriter {
    public let descriptor: Int32
    private let buffer: RigidPrivateBuffer<UInt8>

    public init(descriptor: Int32) throws(OmoteError) {
        self.descriptor = descriptor
        buffer = try RigidPrivateBuffer(count: SensorRecord.size)
    }

    /// Sends one frame; false when the presenter is gone.
    @discardableResult
    public func sendFrame(_ face: FaceFrameResult, counts: SensorRecord.Counts) -> Bool {
        SensorRecord.encodeFrame(face, counts: counts, into: buffer.bytes)
        defer { buffer.wipe() }
        return flush()
    }

    /// Sends an `engaged`, `note` or `ended` record; false when the presenter is gone.
    @discardableResult
    public func send(_ message: SensorRecord.Message) -> Bool {
        SensorRecord.encode(message, into: buffer.bytes)
        return flush()
    }

    private func flush() -> Bool {
        while true {
            let written = write(descriptor, buffer.baseAddress, SensorRecord.size)
            if written == SensorRecord.size { return true }
            if written < 0, errno == EINTR { continue }
            return false
        }
    }
}

/// The presenter's end of the record pipe: reads whole records into one private page (no allocation per record) and
/// hands them to `SensorRecord.decode`.
public final class SensorRecordReader {
    public let descriptor: Int32
    private let buffer: RigidPrivateBuffer<UInt8>

    /// What one `read` found.
    public enum Next: Equatable {
        /// A whole record is in `bytes`.
        case record
        /// Nothing within the timeout.
        case timeout
        /// The sensor closed its end (it exited).
        case end
        /// The pipe ended inside a record.
        case truncated
    }

    public init(descriptor: Int32) throws(OmoteError) {
        self.descriptor = descriptor
        buffer = try RigidPrivateBuffer(count: SensorRecord.size)
    }

    /// The record `next` read (valid until the next call).
    public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(buffer.bytes) }

    /// Waits up to `timeoutMilliseconds` (-1: forever) for the next whole record.
    public func next(timeoutMilliseconds: Int32) -> Next {
        var request = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&request, 1, timeoutMilliseconds) > 0 else { return .timeout }
        var filled = 0
        while filled < SensorRecord.size {
            let count = read(descriptor, buffer.baseAddress + filled, SensorRecord.size - filled)
            if count < 0, errno == EINTR { continue }
            if count <= 0 { return filled == 0 ? .end : .truncated }
            filled += count
        }
        return .record
    }

    /// Forgets the last record (it may be a frame's expression data).
    public func wipe() { buffer.wipe() }
}
