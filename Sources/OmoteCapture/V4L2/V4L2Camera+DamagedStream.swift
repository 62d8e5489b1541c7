import CV4L2Shim
import OmoteCore
import SystemPackage

/// A camera whose frames all arrive damaged: without this, `next(into:)` would skip them forever and say nothing.
/// When no good frame has come for the poll timeout while damaged ones keep coming, the format is read back from the
/// driver: if it is no longer the negotiated one (another program reconfigured the camera), capture stops cleanly with
/// `.captureFormatChanged`; otherwise `next` throws `.captureFramesDamaged` and the camera stays open, like a stall.
extension V4L2Camera {
    /// The damaged frames since the last good one (no allocation: two numbers and a catalogue entry).
    struct DamageRun {
        /// When the first of them arrived; nil while frames are good.
        var startedAt: UInt64?
        var first: FrameDamage?
        var count = 0

        mutating func note(_ damage: FrameDamage, at now: UInt64) {
            if startedAt == nil {
                startedAt = now
                first = damage
            }
            count += 1
        }

        /// Whether the run has lasted `timeout` nanoseconds by `now`.
        func hasLasted(_ timeout: UInt64, by now: UInt64) -> Bool {
            guard let startedAt else { return false }
            return now - min(now, startedAt) >= timeout
        }
    }

    /// Counts one damaged frame that was skipped (it is re-queued already).
    func countDamaged(_ damage: FrameDamage, skipped: inout Int) {
        stats.countCorrupt(damage)
        skipped += 1
        damageRun.note(damage, at: MonotonicClock.nanoseconds())
    }

    /// Throws when every frame for the poll timeout was damaged (see the type's comment); the frames `skipped` so far
    /// are then counted as dropped, as a delivery would have counted them.
    func checkDamageRun(skipped: inout Int) throws(OmoteError) {
        let timeout = UInt64(options.pollTimeoutMilliseconds) * 1_000_000
        guard damageRun.hasLasted(timeout, by: MonotonicClock.nanoseconds()) else { return }
        stats.dropped += skipped
        skipped = 0
        let first = damageRun.first?.description ?? "unknown"
        let count = damageRun.count
        // The next report comes after another full timeout of damaged frames.
        damageRun = DamageRun()
        if let changed = try formatChange() {
            stop()
            ended = true
            throw .camera(
                .captureFormatChanged, device: name, operation: "get a frame",
                "negotiated \(describe(format.pixelFormat, format.size)), the driver now reports \(changed) "
                    + "(\(count) damaged frame(s), first: \(first))")
        }
        throw .camera(
            .captureFramesDamaged, device: name, operation: "get a frame",
            "every frame for \(options.pollTimeoutMilliseconds) ms was damaged (\(count) frame(s), first: \(first))")
    }

    /// The driver's current format (VIDIOC_G_FMT) when it differs from the negotiated one, described; nil when it is
    /// the same.
    private func formatChange() throws(OmoteError) -> String? {
        guard let descriptor else { return nil }
        var current = v4l2_format()
        current.type = OMOTE_V4L2_BUF_TYPE_VIDEO_CAPTURE
        do {
            try retryingInterrupts { () throws(Errno) in try driver.ioctl(descriptor, .getFormat, &current) }
        } catch {
            throw streamFailure(error, during: "VIDIOC_G_FMT")
        }
        let pixelFormat = V4L2PixelFormat(rawValue: current.fmt.pix.pixelformat)
        let size = FrameSize(width: Int(current.fmt.pix.width), height: Int(current.fmt.pix.height))
        let sameLines = encoding == .jpeg || Int(current.fmt.pix.bytesperline) == format.bytesPerLine
        guard pixelFormat != format.pixelFormat || size != format.size || !sameLines else { return nil }
        return sameLines
            ? describe(pixelFormat, size)
            : "\(describe(pixelFormat, size)) with \(current.fmt.pix.bytesperline) bytes per line"
    }

    private func describe(_ pixelFormat: V4L2PixelFormat, _ size: FrameSize) -> String {
        "\(pixelFormat.fourCC) \(size)"
    }
}
