import CV4L2Shim
import Foundation
import SystemPackage

/// The capability bits of VIDIOC_QUERYCAP that matter for picking a camera node.
public struct V4L2Capabilities: OptionSet, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let videoCapture = V4L2Capabilities(rawValue: OMOTE_V4L2_CAP_VIDEO_CAPTURE)
    public static let videoOutput = V4L2Capabilities(rawValue: OMOTE_V4L2_CAP_VIDEO_OUTPUT)
    public static let videoOverlay = V4L2Capabilities(rawValue: OMOTE_V4L2_CAP_VIDEO_OVERLAY)
    public static let videoCaptureMultiplanar = V4L2Capabilities(rawValue: OMOTE_V4L2_CAP_VIDEO_CAPTURE_MPLANE)
    public static let memoryToMemory = V4L2Capabilities(rawValue: OMOTE_V4L2_CAP_VIDEO_M2M)
    public static let memoryToMemoryMultiplanar = V4L2Capabilities(rawValue: OMOTE_V4L2_CAP_VIDEO_M2M_MPLANE)
    public static let extendedPixelFormat = V4L2Capabilities(rawValue: OMOTE_V4L2_CAP_EXT_PIX_FORMAT)
    public static let metadataCapture = V4L2Capabilities(rawValue: OMOTE_V4L2_CAP_META_CAPTURE)
    public static let readWrite = V4L2Capabilities(rawValue: OMOTE_V4L2_CAP_READWRITE)
    public static let streaming = V4L2Capabilities(rawValue: OMOTE_V4L2_CAP_STREAMING)
    public static let touch = V4L2Capabilities(rawValue: OMOTE_V4L2_CAP_TOUCH)
    public static let mediaController = V4L2Capabilities(rawValue: OMOTE_V4L2_CAP_IO_MC)
    public static let deviceCaps = V4L2Capabilities(rawValue: OMOTE_V4L2_CAP_DEVICE_CAPS)

    static let names: [(V4L2Capabilities, String)] = [
        (.videoCapture, "capture"), (.videoCaptureMultiplanar, "capture-mplane"), (.videoOutput, "output"),
        (.videoOverlay, "overlay"), (.memoryToMemory, "m2m"), (.memoryToMemoryMultiplanar, "m2m-mplane"),
        (.metadataCapture, "metadata"), (.streaming, "streaming"), (.readWrite, "read/write"),
        (.extendedPixelFormat, "ext-pix-format"), (.touch, "touch"), (.mediaController, "media-controller"),
    ]

    public var description: String {
        let known = Self.names.filter { contains($0.0) }.map(\.1)
        return known.isEmpty ? String(format: "0x%08x", rawValue) : known.joined(separator: ", ")
    }
}

/// VIDIOC_QUERYCAP, decoded.
struct V4L2CapabilityReport {
    var driver: String
    var card: String
    var busInfo: String
    var version: UInt32
    /// What this node can do (device_caps when the driver reports them, else the whole device's capabilities).
    var capabilities: V4L2Capabilities

    var versionString: String { "\(version >> 16).\((version >> 8) & 0xFF).\(version & 0xFF)" }
}

/// A NUL-terminated string in a fixed-size C char array (imported by Swift as a tuple).
func cString<Tuple>(_ tuple: Tuple) -> String {
    withUnsafeBytes(of: tuple) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
}

/// Read-only V4L2 queries on an open node, shared by discovery and negotiation.
struct V4L2Queries {
    let driver: any V4L2Driver
    let descriptor: DeviceDescriptor

    func capability() throws(Errno) -> V4L2CapabilityReport {
        var raw = v4l2_capability()
        try driver.ioctl(descriptor, .queryCapability, &raw)
        let all = V4L2Capabilities(rawValue: raw.capabilities)
        let node = all.contains(.deviceCaps) ? V4L2Capabilities(rawValue: raw.device_caps) : all
        return V4L2CapabilityReport(
            driver: cString(raw.driver), card: cString(raw.card), busInfo: cString(raw.bus_info),
            version: raw.version, capabilities: node)
    }

    /// VIDIOC_ENUM_FMT until EINVAL, retrying on EINTR.
    func formats() throws(Errno) -> [(format: V4L2PixelFormat, description: String, flags: UInt32)] {
        var result: [(format: V4L2PixelFormat, description: String, flags: UInt32)] = []
        try forEachEntry(.enumerateFormat, endsWith: [.invalidArgument]) { index in
            var raw = v4l2_fmtdesc()
            raw.index = index
            raw.type = OMOTE_V4L2_BUF_TYPE_VIDEO_CAPTURE
            return raw
        } take: { raw in
            result.append((V4L2PixelFormat(rawValue: raw.pixelformat), cString(raw.description), raw.flags))
            return true
        }
        return result
    }

    func frameSizes(_ format: V4L2PixelFormat) throws(Errno) -> [V4L2FrameSizes] {
        var result: [V4L2FrameSizes] = []
        try forEachEntry(.enumerateFrameSizes, endsWith: [.invalidArgument, .inappropriateIOCTLForDevice]) { index in
            var raw = v4l2_frmsizeenum()
            raw.index = index
            raw.pixel_format = format.rawValue
            return raw
        } take: { raw in
            if raw.type == OMOTE_V4L2_FRMSIZE_TYPE_DISCRETE {
                result.append(.discrete(FrameSize(width: Int(raw.discrete.width), height: Int(raw.discrete.height))))
                return true
            }
            let step = raw.stepwise
            result.append(
                .stepwise(
                    minimum: FrameSize(width: Int(step.min_width), height: Int(step.min_height)),
                    maximum: FrameSize(width: Int(step.max_width), height: Int(step.max_height)),
                    step: FrameSize(width: Int(max(1, step.step_width)), height: Int(max(1, step.step_height)))))
            return false  // a stepwise or continuous range is the only entry
        }
        return result
    }

    func frameIntervals(_ format: V4L2PixelFormat, size: FrameSize) throws(Errno) -> V4L2FrameIntervals {
        var discrete: [V4L2Fraction] = []
        var stepwise: V4L2FrameIntervals?
        try forEachEntry(.enumerateFrameIntervals, endsWith: [.invalidArgument, .inappropriateIOCTLForDevice]) {
            index in
            var raw = v4l2_frmivalenum()
            raw.index = index
            raw.pixel_format = format.rawValue
            raw.width = UInt32(size.width)
            raw.height = UInt32(size.height)
            return raw
        } take: { raw in
            if raw.type == OMOTE_V4L2_FRMIVAL_TYPE_DISCRETE {
                discrete.append(V4L2Fraction(numerator: raw.discrete.numerator, denominator: raw.discrete.denominator))
                return true
            }
            let step = raw.stepwise
            stepwise = .stepwise(
                minimum: V4L2Fraction(numerator: step.min.numerator, denominator: step.min.denominator),
                maximum: V4L2Fraction(numerator: step.max.numerator, denominator: step.max.denominator))
            return false  // a range is the only entry
        }
        if let stepwise { return stepwise }
        return discrete.isEmpty ? .unknown : .discrete(discrete)
    }

    /// Issues `request` on entries 0, 1, … (at most 256) of a driver list, retrying on EINTR, until the list ends
    /// (one of `ends`) or `take` returns false; one loop for the three VIDIOC_ENUM_* lists.
    private func forEachEntry<Raw>(
        _ request: V4L2Request, endsWith ends: [Errno], _ make: (UInt32) -> Raw, take: (Raw) -> Bool
    ) throws(Errno) {
        var index: UInt32 = 0
        while index < 256 {
            var raw = make(index)
            do { try driver.ioctl(descriptor, request, &raw) } catch {
                if error == .interrupted { continue }
                if ends.contains(error) { break }
                throw error
            }
            guard take(raw) else { break }
            index += 1
        }
    }
}

/// The sizes a format offers (VIDIOC_ENUM_FRAMESIZES).
public enum V4L2FrameSizes: Hashable, Sendable, CustomStringConvertible {
    case discrete(FrameSize)
    case stepwise(minimum: FrameSize, maximum: FrameSize, step: FrameSize)

    public var description: String {
        switch self {
        case let .discrete(size): size.description
        case let .stepwise(minimum, maximum, step): "\(minimum) to \(maximum) in steps of \(step.width)×\(step.height)"
        }
    }

    /// The size closest to `target` that this entry allows.
    func closest(to target: FrameSize) -> FrameSize {
        switch self {
        case let .discrete(size): return size
        case let .stepwise(minimum, maximum, step):
            func fit(_ value: Int, _ low: Int, _ high: Int, _ step: Int) -> Int {
                let clamped = min(max(value, low), high)
                return low + (clamped - low) / step * step
            }
            return FrameSize(
                width: fit(target.width, minimum.width, maximum.width, step.width),
                height: fit(target.height, minimum.height, maximum.height, step.height))
        }
    }
}

/// The frame intervals a format offers at one size (VIDIOC_ENUM_FRAMEINTERVALS).
public enum V4L2FrameIntervals: Hashable, Sendable, CustomStringConvertible {
    case discrete([V4L2Fraction])
    /// A range of intervals: `minimum` is the shortest interval (fastest rate).
    case stepwise(minimum: V4L2Fraction, maximum: V4L2Fraction)
    /// The driver does not enumerate intervals.
    case unknown

    public var description: String {
        switch self {
        case let .discrete(intervals):
            intervals.compactMap(\.framesPerSecond).map {
                $0 == $0.rounded() ? "\(Int($0))" : String(format: "%.2f", $0)
            }
            .joined(separator: ", ") + " fps"
        case let .stepwise(minimum, maximum): "\(maximum.description) to \(minimum.description)"
        case .unknown: "rates not listed"
        }
    }

    /// Frame rates on offer, fastest first (empty when unknown; the two ends of a range).
    var framesPerSecond: [Double] {
        switch self {
        case let .discrete(intervals): intervals.compactMap(\.framesPerSecond).sorted(by: >)
        case let .stepwise(minimum, maximum): [minimum.framesPerSecond, maximum.framesPerSecond].compactMap { $0 }
        case .unknown: []
        }
    }
}
