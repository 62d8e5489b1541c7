import CV4L2Shim
import OmoteCore
import SystemPackage

/// The frame loop: wait for the newest finished buffer, decode it into the caller's frame, hand the buffer back.
extension V4L2Camera {
    /// Waits for the newest frame and decodes it into `frame`. Returns nil once the camera is stopped, or when a signal
    /// interrupts the wait and `stopRequested` says so.
    /// Throws `.captureStalled` when no frame arrives within the poll timeout and `.captureFramesDamaged` when every
    /// frame for that long was damaged (the camera stays open: call again to keep waiting, or `stop()`);
    /// `.captureDisconnected` when the device goes away and `.captureFormatChanged` when the driver switched to another
    /// format mid-stream (the camera has then stopped itself).
    public func next(into frame: inout VideoFrame) throws(OmoteError) -> FrameDelivery? {
        guard descriptor != nil, !ended else { return nil }
        try start()
        var skipped = 0
        while true {
            guard var buffer = try newestBuffer(skipped: &skipped) else { return nil }
            let started = MonotonicClock.nanoseconds()
            let damage = decode(buffer, into: &frame)
            let decodeTime = MonotonicClock.nanoseconds() - started
            // QBUF rewrites the struct: keep what the frame needs first.
            let (sequence, flags, timestamp) = (buffer.sequence, buffer.flags, buffer.timestamp)
            try requeue(&buffer)
            if let damage {
                // A corrupt or truncated frame: skip it (counted as corrupt and dropped) and keep streaming, unless
                // every frame has been damaged for the poll timeout.
                countDamaged(damage, skipped: &skipped)
                lastSequence = sequence
                try checkDamageRun(skipped: &skipped)
                continue
            }
            damageRun = DamageRun()
            if flags & OMOTE_V4L2_BUF_FLAG_TIMESTAMP_MASK == OMOTE_V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC {
                frame.timestampNanoseconds = UInt64(timestamp.tv_sec) * 1_000_000_000 + UInt64(timestamp.tv_usec) * 1000
            } else {
                frame.timestampNanoseconds = started
            }
            frame.sequence = UInt64(sequence)
            // Frames the driver itself dropped (no free buffer) show as gaps in the sequence numbers.
            var dropped = skipped
            if let last = lastSequence, sequence > last { dropped = max(dropped, Int(sequence - last) - 1) }
            lastSequence = sequence
            stats.dropped += dropped
            stats.delivered += 1
            return FrameDelivery(
                decodeNanoseconds: decodeTime,
                droppedSincePrevious: dropped,
                capturedAtMonotonicNanoseconds: frame.timestampNanoseconds
            )
        }
    }

    /// Decodes the frame in `buffer`'s mapping into `frame` as RGB. Returns why a frame cannot be decoded (corrupt,
    /// truncated or larger than negotiated): it is skipped; nil when it decoded. MJPEG damage builds no error at all; a
    /// raw frame's name is an autoclosure argument, built only when that frame fails.
    private func decode(_ buffer: v4l2_buffer, into frame: inout VideoFrame) -> FrameDamage? {
        let mapping = buffers[Int(buffer.index)]
        let payload = UnsafeRawBufferPointer(start: mapping.address, count: min(Int(buffer.bytesused), mapping.length))
        do throws(OmoteError) {
            switch encoding {
            case .jpeg:
                if let damage = try decoder.decodeFrame(
                    payload, into: &frame, scaleDenominator: options.scaleDenominator)
                {
                    return damage
                }
            case let .raw(colour):
                // Opening refused a scale other than 1/1 for raw formats.
                try RawColour.convert(
                    payload, layout: colour, width: format.size.width, height: format.size.height,
                    bytesPerLine: format.bytesPerLine, into: &frame, source: "\(name) frame \(buffer.sequence)")
            }
            return nil
        } catch {
            return FrameDamage(error)
        }
    }

    /// Polls until at least one buffer is done, then dequeues every done buffer and keeps only the newest, re-queueing
    /// the others (and any the driver flagged as errored). Returns nil if the camera was stopped meanwhile.
    private func newestBuffer(skipped: inout Int) throws(OmoteError) -> v4l2_buffer? {
        let timeout = UInt64(options.pollTimeoutMilliseconds) * 1_000_000
        var deadline = MonotonicClock.nanoseconds() + timeout
        while true {
            guard let descriptor else { return nil }
            var newest: v4l2_buffer?
            while true {
                var buffer = v4l2_buffer()
                buffer.type = OMOTE_V4L2_BUF_TYPE_VIDEO_CAPTURE
                buffer.memory = OMOTE_V4L2_MEMORY_MMAP
                do { try driver.ioctl(descriptor, .dequeueBuffer, &buffer) } catch {
                    if error == .interrupted {
                        if stopRequested?() == true {
                            if var held = newest { try? requeue(&held) }
                            return nil
                        }
                        continue
                    }
                    if error == .resourceTemporarilyUnavailable { break }  // EAGAIN: no more finished buffers
                    if var held = newest { try? requeue(&held) }
                    throw streamFailure(error, during: "VIDIOC_DQBUF")
                }
                guard Int(buffer.index) < buffers.count else {
                    throw streamFailure(
                        .invalidArgument, during: "VIDIOC_DQBUF returned buffer \(buffer.index) of \(buffers.count)")
                }
                if buffer.flags & OMOTE_V4L2_BUF_FLAG_ERROR != 0 || buffer.bytesused == 0 {
                    // The driver says this frame is damaged (or empty): return it and count it.
                    countDamaged(buffer.bytesused == 0 ? .emptyBuffer : .driverFlagged, skipped: &skipped)
                    lastSequence = buffer.sequence
                    // A frame did arrive: not a stall (`checkDamageRun` reports a run of damaged ones).
                    deadline = MonotonicClock.nanoseconds() + timeout
                    try requeue(&buffer)
                    continue
                }
                if var older = newest {
                    skipped += 1
                    try requeue(&older)
                }
                newest = buffer
            }
            if let newest { return newest }
            try checkDamageRun(skipped: &skipped)

            let now = MonotonicClock.nanoseconds()
            guard now < deadline else { throw stalled() }
            let remaining = Int32(min(UInt64(Int32.max), (deadline - now + 999_999) / 1_000_000))
            let events: PollEvents
            do { events = try driver.poll(descriptor, timeoutMilliseconds: remaining) } catch {
                if error == .interrupted {
                    if stopRequested?() == true { return nil }
                    continue
                }
                throw streamFailure(error, during: "poll")
            }
            if events.isFailure {
                let event = events.contains(.hangUp) ? "POLLHUP" : events.contains(.invalid) ? "POLLNVAL" : "POLLERR"
                throw streamFailure(.operationNotSupportedByDevice, during: "poll reported \(event)")
            }
            if events.isEmpty { throw stalled() }
        }
    }

    private func stalled() -> OmoteError {
        .camera(
            .captureStalled, device: name, operation: "get a frame",
            "no frame for \(options.pollTimeoutMilliseconds) ms after \(stats.delivered) frame(s)")
    }

    /// A failure mid-stream. A vanished device (ENODEV, EIO from a failed queue, POLLERR) stops the camera cleanly.
    func streamFailure(_ error: Errno, during call: String) -> OmoteError {
        if error == .operationNotSupportedByDevice || error == .ioError || error == .noSuchAddressOrDevice {
            stop()
            ended = true
            return .camera(
                .captureDisconnected, device: name, operation: "get a frame",
                "\(call) after \(stats.delivered) frame(s)", errno: error)
        }
        return .camera(error, device: name, operation: "get a frame", during: call)
    }
}
