import CV4L2Shim
import OmoteCore

/// One `/dev/video*` node as `omote devices` shows it: identity, capabilities and every format/size/rate it offers.
public struct V4L2DeviceInfo: Sendable, Equatable {
    public struct Format: Sendable, Equatable {
        public var pixelFormat: V4L2PixelFormat
        public var description: String
        public var isCompressed: Bool
        /// Offered by libv4l2 converting another format (not by the camera itself).
        public var isEmulated: Bool
        /// Each size with the frame intervals offered at it (at the largest size, for a stepwise range).
        public var sizes: [(sizes: V4L2FrameSizes, intervals: V4L2FrameIntervals)]
        public var isSupportedByOmote: Bool { pixelFormat.isSupported }

        public static func == (lhs: Format, rhs: Format) -> Bool {
            lhs.pixelFormat == rhs.pixelFormat && lhs.description == rhs.description
                && lhs.isCompressed == rhs.isCompressed
                && lhs.isEmulated == rhs.isEmulated && lhs.sizes.map(\.sizes) == rhs.sizes.map(\.sizes)
                && lhs.sizes.map(\.intervals) == rhs.sizes.map(\.intervals)
        }
    }

    public var path: String
    public var card = ""
    public var driver = ""
    public var busInfo = ""
    public var driverVersion = ""
    public var capabilities: V4L2Capabilities = []
    public var formats: [Format] = []
    /// Why the node could not be inspected (e.g. permission denied), or nil.
    public var problem: String?

    public init(path: String) { self.path = path }

    /// Single-planar video capture with streaming I/O: a node Omote can take frames from.
    public var isCamera: Bool { capabilities.isSuperset(of: [.videoCapture, .streaming]) }
    /// A UVC metadata node (every UVC camera has one beside its image node): no pictures.
    public var isMetadataOnly: Bool { capabilities.contains(.metadataCapture) && !capabilities.contains(.videoCapture) }

    public var role: String {
        if problem != nil { return "not inspected" }
        if isMetadataOnly { return "metadata only (not a picture node)" }
        if isCamera { return "capture" }
        if capabilities.contains(.videoCaptureMultiplanar) { return "multi-planar capture (not supported)" }
        return "not a capture node"
    }

    /// Lists every `/dev/video*` node. A node that cannot be opened is listed with its problem rather than skipped.
    public static func enumerate(driver: any V4L2Driver = V4L2SystemDriver()) -> [V4L2DeviceInfo] {
        driver.deviceNodes().map { inspect($0, driver: driver) }
    }

    /// Inspects one node (QUERYCAP, then for capture nodes ENUM_FMT / ENUM_FRAMESIZES / ENUM_FRAMEINTERVALS).
    public static func inspect(_ path: String, driver: any V4L2Driver = V4L2SystemDriver()) -> V4L2DeviceInfo {
        var info = V4L2DeviceInfo(path: path)
        do { try driver.prepare() } catch {
            info.problem = error.description
            return info
        }
        let descriptor: DeviceDescriptor
        do { descriptor = try driver.open(path, emulateFormats: false) } catch {
            info.problem =
                OmoteError.camera(error, device: path, operation: "inspect the node", during: "open").description
            return info
        }
        defer { driver.close(descriptor) }
        let queries = V4L2Queries(driver: driver, descriptor: descriptor)
        do {
            let capability = try queries.capability()
            info.card = capability.card
            info.driver = capability.driver
            info.busInfo = capability.busInfo
            info.driverVersion = capability.versionString
            info.capabilities = capability.capabilities
            guard capability.capabilities.contains(.videoCapture) else { return info }
            for entry in try queries.formats() {
                var format = Format(
                    pixelFormat: entry.format, description: entry.description,
                    isCompressed: entry.flags & OMOTE_V4L2_FMT_FLAG_COMPRESSED != 0,
                    isEmulated: entry.flags & OMOTE_V4L2_FMT_FLAG_EMULATED != 0, sizes: [])
                for sizes in try queries.frameSizes(entry.format) {
                    let probe: FrameSize
                    switch sizes {
                    case let .discrete(size): probe = size
                    case let .stepwise(_, maximum, _): probe = maximum
                    }
                    format.sizes.append((sizes, try queries.frameIntervals(entry.format, size: probe)))
                }
                info.formats.append(format)
            }
        } catch {
            info.problem =
                OmoteError.camera(error, device: path, operation: "inspect the node", during: "querying the device")
                .description
        }
        return info
    }

    /// The multi-line listing `omote devices` prints for this node.
    public var report: String {
        var lines = ["\(path): \(card.isEmpty ? "(unknown)" : card) — \(role)"]
        if let problem {
            lines.append("  \(problem)")
            return lines.joined(separator: "\n")
        }
        lines.append("  driver \(driver) \(driverVersion), bus \(busInfo)")
        lines.append("  capabilities: \(capabilities)")
        for format in formats {
            var notes: [String] = []
            if format.isCompressed { notes.append("compressed") }
            if format.isEmulated { notes.append("converted by libv4l2") }
            if !format.isSupportedByOmote { notes.append("not readable by Omote") }
            lines.append(
                "  \(format.pixelFormat.fourCC) \(format.description)\(notes.isEmpty ? "" : " (\(notes.joined(separator: ", ")))")"
            )
            for entry in format.sizes { lines.append("    \(entry.sizes): \(entry.intervals)") }
        }
        if isCamera && formats.isEmpty { lines.append("  (no pixel formats listed)") }
        return lines.joined(separator: "\n")
    }
}
