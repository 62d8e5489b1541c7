import CV4L2Shim
import OmoteCore
import SystemPackage

/// The camera's driver buffers: requested and mapped once at open, queued when streaming starts, re-queued after
/// each frame is read out of them.
extension V4L2Camera {
    /// One driver buffer mapped into this process.
    struct MappedBuffer {
        let address: UnsafeMutableRawPointer
        let length: Int
    }

    /// REQBUFS + QUERYBUF + mmap for every granted buffer; on failure nothing stays mapped.
    static func mapBuffers(
        path: String,
        count: Int,
        driver: any V4L2Driver,
        descriptor: DeviceDescriptor,
        granted: inout Int
    ) throws(OmoteError) -> [MappedBuffer] {
        var request = v4l2_requestbuffers()
        request.count = UInt32(max(2, count))
        request.type = OMOTE_V4L2_BUF_TYPE_VIDEO_CAPTURE
        request.memory = OMOTE_V4L2_MEMORY_MMAP
        do {
            try retryingInterrupts { () throws(Errno) in try driver.ioctl(descriptor, .requestBuffers, &request) }
        } catch {
            throw .camera(error, device: path, during: "VIDIOC_REQBUFS")
        }
        guard request.count >= 2 else {
            throw .camera(
                .captureDriverFailure, device: path,
                "VIDIOC_REQBUFS granted \(request.count) buffer(s); streaming needs at least 2 (is the device low on "
                    + "memory?)")
        }
        granted = Int(request.count)
        var mapped: [MappedBuffer] = []
        mapped.reserveCapacity(granted)
        do throws(OmoteError) {
            for index in 0 ..< request.count {
                var buffer = v4l2_buffer()
                buffer.index = index
                buffer.type = OMOTE_V4L2_BUF_TYPE_VIDEO_CAPTURE
                buffer.memory = OMOTE_V4L2_MEMORY_MMAP
                do {
                    try retryingInterrupts { () throws(Errno) in
                        try driver.ioctl(descriptor, .queryBuffer, &buffer)
                    }
                } catch {
                    throw .camera(error, device: path, during: "VIDIOC_QUERYBUF \(index)")
                }
                let length = Int(buffer.length)
                do {
                    let address = try driver.mmap(descriptor, length: length, offset: Int(buffer.m.offset))
                    mapped.append(MappedBuffer(address: address, length: length))
                } catch {
                    throw .camera(error, device: path, during: "mmap of buffer \(index) (\(length) bytes)")
                }
            }
        } catch {
            for buffer in mapped { driver.munmap(buffer.address, length: buffer.length) }
            throw error
        }
        return mapped
    }

    /// Queues every buffer and turns streaming on (idempotent). `next(into:)` calls it on first use.
    public func start() throws(OmoteError) {
        guard !streaming, let descriptor else { return }
        for index in buffers.indices {
            var buffer = v4l2_buffer()
            buffer.index = UInt32(index)
            buffer.type = OMOTE_V4L2_BUF_TYPE_VIDEO_CAPTURE
            buffer.memory = OMOTE_V4L2_MEMORY_MMAP
            do {
                try retryingInterrupts { () throws(Errno) in try driver.ioctl(descriptor, .queueBuffer, &buffer) }
            } catch {
                let failure = OmoteError.camera(
                    error, device: name, operation: "start streaming", during: "VIDIOC_QBUF \(index)")
                stop()
                throw failure
            }
        }
        var type = Int32(bitPattern: OMOTE_V4L2_BUF_TYPE_VIDEO_CAPTURE)
        do {
            try retryingInterrupts { () throws(Errno) in try driver.ioctl(descriptor, .streamOn, &type) }
        } catch {
            // ENOSPC at stream-on is the USB bus refusing the bandwidth this format, size and rate need.
            let failure: OmoteError =
                error == .noSpace
                ? .camera(
                    .captureInsufficientBandwidth, device: name, operation: "start streaming",
                    "VIDIOC_STREAMON with \(format.pixelFormat.fourCC) \(format.size)", errno: error)
                : .camera(error, device: name, operation: "start streaming", during: "VIDIOC_STREAMON")
            stop()
            throw failure
        }
        streaming = true
    }

    /// Hands a buffer back to the driver to be filled again.
    func requeue(_ buffer: inout v4l2_buffer) throws(OmoteError) {
        guard let descriptor else { return }
        buffer.flags = 0
        do {
            try retryingInterrupts { () throws(Errno) in try driver.ioctl(descriptor, .queueBuffer, &buffer) }
        } catch {
            throw streamFailure(error, during: "VIDIOC_QBUF")
        }
    }
}
