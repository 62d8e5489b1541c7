import CV4L2Shim
import Foundation

/// A V4L2 pixel format (a FourCC such as `MJPG`).
public struct V4L2PixelFormat: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let mjpeg = V4L2PixelFormat(rawValue: OMOTE_V4L2_PIX_FMT_MJPEG)
    public static let jpeg = V4L2PixelFormat(rawValue: OMOTE_V4L2_PIX_FMT_JPEG)
    public static let yuyv = V4L2PixelFormat(rawValue: OMOTE_V4L2_PIX_FMT_YUYV)
    public static let uyvy = V4L2PixelFormat(rawValue: OMOTE_V4L2_PIX_FMT_UYVY)
    public static let nv12 = V4L2PixelFormat(rawValue: OMOTE_V4L2_PIX_FMT_NV12)
    public static let nv21 = V4L2PixelFormat(rawValue: OMOTE_V4L2_PIX_FMT_NV21)
    public static let yuv420 = V4L2PixelFormat(rawValue: OMOTE_V4L2_PIX_FMT_YUV420)
    public static let yvu420 = V4L2PixelFormat(rawValue: OMOTE_V4L2_PIX_FMT_YVU420)
    public static let grey = V4L2PixelFormat(rawValue: OMOTE_V4L2_PIX_FMT_GREY)

    /// Formats Omote turns into RGB, best first: MJPEG needs the least USB bandwidth (high resolution at full rate)
    /// and decodes cheaply with libjpeg-turbo; the raw YUV formats convert per pixel; GREY is what infrared cameras
    /// send.
    public static let preferenceOrder: [V4L2PixelFormat] = [
        .mjpeg, .jpeg, .yuyv, .uyvy, .nv12, .nv21, .yuv420, .yvu420, .grey,
    ]

    /// Builds a FourCC from its four characters ("MJPG").
    public init?(fourCC: String) {
        let bytes = Array(fourCC.utf8)
        guard bytes.count == 4 else { return nil }
        rawValue = UInt32(bytes[0]) | UInt32(bytes[1]) << 8 | UInt32(bytes[2]) << 16 | UInt32(bytes[3]) << 24
    }

    /// Parses a user's `--format` value: a name (mjpeg, yuyv, nv12, grey, …) or a FourCC.
    public init?(name: String) {
        switch name.lowercased() {
        case "mjpeg", "mjpg": self = .mjpeg
        case "jpeg": self = .jpeg
        case "yuyv", "yuy2": self = .yuyv
        case "uyvy": self = .uyvy
        case "nv12": self = .nv12
        case "nv21": self = .nv21
        case "yuv420", "yu12", "i420": self = .yuv420
        case "yvu420", "yv12": self = .yvu420
        case "grey", "gray", "y8": self = .grey
        default: self.init(fourCC: name.uppercased())
        }
    }

    /// The four characters, e.g. "MJPG" (non-printable bytes as '?').
    public var fourCC: String {
        String(
            decoding: (0 ..< 4).map { shift -> UInt8 in
                let byte = UInt8(truncatingIfNeeded: rawValue >> (8 * UInt32(shift)))
                return (0x20 ..< 0x7F).contains(byte) ? byte : UInt8(ascii: "?")
            }, as: UTF8.self)
    }

    public var description: String { fourCC }

    /// How a buffer of this format becomes RGB, or nil when Omote cannot read it.
    public var frameEncoding: V4L2FrameEncoding? {
        switch self {
        case .mjpeg, .jpeg: .jpeg
        default: colourLayout.map { .raw($0) }
        }
    }

    public var isSupported: Bool { frameEncoding != nil }

    /// Where an uncompressed format keeps its chroma, for RGB frames (nil for JPEG, which the decoder handles, and for
    /// formats Omote cannot read).
    public var colourLayout: RawColour.Layout? {
        switch self {
        case .yuyv: .packed422(luma: 0, u: 1, v: 3)
        case .uyvy: .packed422(luma: 1, u: 0, v: 2)
        case .nv12: .semiPlanar420(uFirst: true)
        case .nv21: .semiPlanar420(uFirst: false)
        case .yuv420: .planar420(uFirst: true)
        case .yvu420: .planar420(uFirst: false)
        case .grey: .grey
        default: nil
        }
    }
}

/// How a frame buffer becomes RGB.
public enum V4L2FrameEncoding: Sendable, Equatable {
    /// A JPEG stream (MJPEG): `JPEGDecoder` decodes it, optionally DCT-scaled.
    case jpeg
    /// Uncompressed samples: `RawColour` converts them at full size.
    case raw(RawColour.Layout)

    /// The fewest bytes one row of the first plane takes (0 for JPEG, whose rows are not addressable).
    func minimumBytesPerLine(width: Int) -> Int {
        switch self {
        case .jpeg: 0
        case .raw(.packed422): width * 2
        case .raw: width
        }
    }
}

/// A frame size in pixels.
public struct FrameSize: Hashable, Sendable, CustomStringConvertible {
    public var width: Int
    public var height: Int
    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    /// Parses "1280x720" (also "1280X720" and "1280×720").
    public init?(parsing text: String) {
        let parts = text.lowercased().replacingOccurrences(of: "×", with: "x").split(
            separator: "x", omittingEmptySubsequences: false)
        guard parts.count == 2, let width = Int(parts[0]), let height = Int(parts[1]), width > 0, height > 0,
            width <= 16384, height <= 16384
        else { return nil }
        self.init(width: width, height: height)
    }

    public var area: Int { width * height }
    public var description: String { "\(width)×\(height)" }
}

/// A V4L2 frame interval (seconds per frame as a fraction).
public struct V4L2Fraction: Hashable, Sendable, CustomStringConvertible {
    public var numerator: UInt32
    public var denominator: UInt32
    public init(numerator: UInt32, denominator: UInt32) {
        self.numerator = numerator
        self.denominator = denominator
    }

    /// The interval for a frame rate: 1/30 for 30, 1001/30000 for 29.97.
    public init(framesPerSecond: Double) {
        let rounded = framesPerSecond.rounded()
        if abs(framesPerSecond - rounded) < 1e-6 {
            self.init(numerator: 1, denominator: UInt32(max(1, rounded)))
        } else {
            self.init(numerator: 1000, denominator: UInt32(max(1, (framesPerSecond * 1000).rounded())))
        }
    }

    /// Frames per second, or nil for a zero interval (drivers use 0/0 for "not reported").
    public var framesPerSecond: Double? {
        numerator == 0 || denominator == 0 ? nil : Double(denominator) / Double(numerator)
    }

    public var description: String {
        guard let fps = framesPerSecond else { return "unknown rate" }
        return fps == fps.rounded() ? "\(Int(fps)) fps" : String(format: "%.2f fps", fps)
    }
}
