import CV4L2Shim
import Foundation
import OmoteCore
import SystemPackage

/// What the driver granted after negotiation.
public struct V4L2StreamFormat: Sendable, Equatable, CustomStringConvertible {
    public var device: String
    public var card: String
    public var pixelFormat: V4L2PixelFormat
    public var size: FrameSize
    public var bytesPerLine: Int
    public var imageSize: Int
    /// nil when the driver does not report its frame interval.
    public var framesPerSecond: Double?
    public var bufferCount: Int
    /// libv4l2 converts to this format from the camera's own.
    public var isEmulated: Bool
    /// Where the granted settings differ from what was asked, in words.
    public var adjustments: [String]

    public var description: String {
        let rate =
            framesPerSecond.map { $0 == $0.rounded() ? "\(Int($0)) fps" : String(format: "%.2f fps", $0) }
            ?? "driver-chosen rate"
        var text =
            "\(device) (\(card)): \(pixelFormat.fourCC)\(isEmulated ? " via libv4l2" : "") \(size) @ \(rate), \(bufferCount) buffers"
        if !adjustments.isEmpty { text += "; " + adjustments.joined(separator: "; ") }
        return text
    }
}

/// Negotiates format, size and rate on an opened node, step by step: check what the node is, choose a pixel format,
/// choose a size, set the format, set the rate. Each step settles its part or throws an error naming the device;
/// where the driver grants something other than what was asked, the difference is noted in `adjustments`.
struct V4L2Negotiation {
    typealias OfferedFormat = (format: V4L2PixelFormat, description: String, flags: UInt32)

    /// What negotiation settled: the stream format (buffer count still 0) and how its frames become RGB.
    struct Result {
        var format: V4L2StreamFormat
        var encoding: V4L2FrameEncoding
    }

    /// What VIDIOC_S_FMT granted.
    private struct GrantedFormat {
        var pixelFormat: V4L2PixelFormat
        var encoding: V4L2FrameEncoding
        var size: FrameSize
        var bytesPerLine: Int
        var imageSize: Int
    }

    let path: String
    let options: V4L2CameraOptions
    let driver: any V4L2Driver
    let descriptor: DeviceDescriptor
    private var adjustments: [String] = []

    init(path: String, options: V4L2CameraOptions, driver: any V4L2Driver, descriptor: DeviceDescriptor) {
        self.path = path
        self.options = options
        self.driver = driver
        self.descriptor = descriptor
    }

    private var queries: V4L2Queries { V4L2Queries(driver: driver, descriptor: descriptor) }

    mutating func run() throws(OmoteError) -> Result {
        let capability = try checkCapability()
        let offered: [OfferedFormat]
        do { offered = try queries.formats() } catch { throw failure(error, "VIDIOC_ENUM_FMT") }
        let offeredList =
            offered.isEmpty ? "none" : offered.map { "\($0.format.fourCC) (\($0.description))" }.joined(separator: ", ")
        let chosen = try chooseFormat(offered, offeredList: offeredList)
        let granted = try setFormat(chosen.format, size: requestedSize(for: chosen.format), offeredList: offeredList)
        let rate = try setRate(granted.pixelFormat, size: granted.size)
        let format = V4L2StreamFormat(
            device: path,
            card: capability.card,
            pixelFormat: granted.pixelFormat,
            size: granted.size,
            bytesPerLine: granted.bytesPerLine,
            imageSize: granted.imageSize,
            framesPerSecond: rate,
            bufferCount: 0,
            isEmulated: chosen.flags & OMOTE_V4L2_FMT_FLAG_EMULATED != 0,
            adjustments: adjustments
        )
        return Result(format: format, encoding: granted.encoding)
    }

    private func failure(_ errno: Errno, _ call: String) -> OmoteError { .camera(errno, device: path, during: call) }

    /// The node must be a streaming video-capture node (a metadata node is the most common wrong pick).
    private func checkCapability() throws(OmoteError) -> V4L2CapabilityReport {
        let capability: V4L2CapabilityReport
        do { capability = try queries.capability() } catch { throw failure(error, "VIDIOC_QUERYCAP") }
        let card = capability.card
        let capabilities = capability.capabilities
        if capabilities.contains(.metadataCapture) && !capabilities.contains(.videoCapture) {
            throw .camera(
                .captureNotACamera, device: path,
                "it is a metadata-only node of '\(card)' (its picture node is usually the one numbered just below)")
        }
        guard capabilities.contains(.videoCapture) else {
            throw .camera(
                .captureNotACamera, device: path, "'\(card)' has no video capture (capabilities: \(capabilities))")
        }
        guard capabilities.contains(.streaming) else {
            throw .camera(.captureNotACamera, device: path, "'\(card)' has no streaming I/O (only \(capabilities))")
        }
        return capability
    }

    /// The format asked for, else the first of `V4L2PixelFormat.preferenceOrder` offered natively, else emulated
    /// (a libv4l2-emulated format costs a conversion per frame).
    private func chooseFormat(_ offered: [OfferedFormat], offeredList: String) throws(OmoteError) -> OfferedFormat {
        if let wanted = options.format {
            guard wanted.isSupported else {
                throw .camera(
                    .captureUnsupportedFormat, device: path, "--format \(wanted.fourCC) is not one Omote can read")
            }
            guard let match = offered.first(where: { $0.format == wanted }) else {
                throw .camera(
                    .captureUnsupportedFormat, device: path,
                    "\(wanted.fourCC) is not offered (offered: \(offeredList)); drop --format or pick an offered one")
            }
            return match
        }
        let native = offered.filter { $0.flags & OMOTE_V4L2_FMT_FLAG_EMULATED == 0 }
        let emulated = offered.filter { $0.flags & OMOTE_V4L2_FMT_FLAG_EMULATED != 0 }
        func preferred(_ formats: [OfferedFormat]) -> OfferedFormat? {
            V4L2PixelFormat.preferenceOrder.lazy.compactMap { wanted in formats.first { $0.format == wanted } }.first
        }
        guard let match = preferred(native) ?? preferred(emulated) else {
            throw .camera(.captureUnsupportedFormat, device: path, "offered: \(offeredList)")
        }
        return match
    }

    /// The size asked for, else the smallest offered size covering 640×360 (the largest if none does).
    private func requestedSize(for format: V4L2PixelFormat) -> FrameSize {
        if let size = options.size { return size }
        let sizes = (try? queries.frameSizes(format)) ?? []
        let target = V4L2CameraOptions.defaultTargetSize
        let candidates = sizes.map { $0.closest(to: target) }
        let covering = candidates.filter { $0.width >= target.width && $0.height >= target.height }
        return covering.min { $0.area < $1.area } ?? candidates.max { $0.area < $1.area } ?? target
    }

    /// VIDIOC_S_FMT, and what the driver granted.
    private mutating func setFormat(
        _ format: V4L2PixelFormat,
        size: FrameSize,
        offeredList: String
    ) throws(OmoteError) -> GrantedFormat {
        var pixel = v4l2_format()
        pixel.type = OMOTE_V4L2_BUF_TYPE_VIDEO_CAPTURE
        pixel.fmt.pix.width = UInt32(size.width)
        pixel.fmt.pix.height = UInt32(size.height)
        pixel.fmt.pix.pixelformat = format.rawValue
        pixel.fmt.pix.field = OMOTE_V4L2_FIELD_ANY
        let driver = self.driver
        let descriptor = self.descriptor
        do {
            try retryingInterrupts { () throws(Errno) in try driver.ioctl(descriptor, .setFormat, &pixel) }
        } catch {
            throw failure(error, "VIDIOC_S_FMT \(format.fourCC) \(size)")
        }
        let grantedFormat = V4L2PixelFormat(rawValue: pixel.fmt.pix.pixelformat)
        guard let encoding = grantedFormat.frameEncoding else {
            throw .camera(
                .captureUnsupportedFormat, device: path,
                "asked for \(format.fourCC), the driver granted \(grantedFormat.fourCC) (offered: \(offeredList))")
        }
        if grantedFormat != format {
            adjustments.append("asked for \(format.fourCC), granted \(grantedFormat.fourCC)")
        }
        let grantedSize = FrameSize(width: Int(pixel.fmt.pix.width), height: Int(pixel.fmt.pix.height))
        guard grantedSize.width > 0, grantedSize.height > 0 else {
            throw .camera(
                .captureDriverFailure, device: path, "VIDIOC_S_FMT granted an empty frame size \(grantedSize)")
        }
        if let asked = options.size, asked != grantedSize {
            adjustments.append("asked for \(asked), granted \(grantedSize)")
        }
        return GrantedFormat(
            pixelFormat: grantedFormat,
            encoding: encoding,
            size: grantedSize,
            bytesPerLine: max(Int(pixel.fmt.pix.bytesperline), encoding.minimumBytesPerLine(width: grantedSize.width)),
            imageSize: Int(pixel.fmt.pix.sizeimage)
        )
    }

    /// The rate asked for, else the fastest offered up to 60 fps; nil when the driver does not report its rate.
    /// Frame-rate control is optional in V4L2: a driver without it keeps its own rate.
    private mutating func setRate(_ format: V4L2PixelFormat, size: FrameSize) throws(OmoteError) -> Double? {
        let intervals = (try? queries.frameIntervals(format, size: size)) ?? .unknown
        let rates = intervals.framesPerSecond
        let wantedRate =
            options.framesPerSecond
            ?? rates.first { $0 <= V4L2CameraOptions.defaultMaximumFramesPerSecond } ?? rates.last
        var parameters = v4l2_streamparm()
        parameters.type = OMOTE_V4L2_BUF_TYPE_VIDEO_CAPTURE
        let driver = self.driver
        let descriptor = self.descriptor
        var grantedRate: Double?
        do {
            try retryingInterrupts { () throws(Errno) in try driver.ioctl(descriptor, .getParameters, &parameters) }
            let canSetRate = parameters.parm.capture.capability & OMOTE_V4L2_CAP_TIMEPERFRAME != 0
            if let wantedRate, canSetRate {
                let interval = V4L2Fraction(framesPerSecond: wantedRate)
                parameters.parm.capture.timeperframe.numerator = interval.numerator
                parameters.parm.capture.timeperframe.denominator = interval.denominator
                try retryingInterrupts { () throws(Errno) in
                    try driver.ioctl(descriptor, .setParameters, &parameters)
                }
            } else if options.framesPerSecond != nil {
                adjustments.append("the driver does not let applications set the frame rate")
            }
            let period = parameters.parm.capture.timeperframe
            grantedRate = V4L2Fraction(numerator: period.numerator, denominator: period.denominator).framesPerSecond
        } catch {
            // EBUSY or ENODEV: the camera is taken or gone, not merely without rate control.
            if error == .resourceBusy || error == .operationNotSupportedByDevice {
                throw failure(error, "VIDIOC_S_PARM")
            }
            adjustments.append("frame rate left to the driver (VIDIOC_G/S_PARM: \(error) (errno \(error.rawValue)))")
        }
        if let asked = options.framesPerSecond, let granted = grantedRate, abs(asked - granted) > 0.01 {
            adjustments.append(String(format: "asked for %g fps, granted %g fps", asked, granted))
        }
        return grantedRate
    }
}
