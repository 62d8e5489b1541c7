import OmoteCore
import Testing

@testable import OmoteCapture

@Suite struct V4L2OptionParsingTests {
    @Test("--size parsing accepts WxH forms and rejects nonsense")
    func sizes() {
        #expect(FrameSize(parsing: "1280x720") == FrameSize(width: 1280, height: 720))
        #expect(FrameSize(parsing: "640X360") == FrameSize(width: 640, height: 360))
        #expect(FrameSize(parsing: "1920×1080") == FrameSize(width: 1920, height: 1080))
        for bad in ["", "720p", "1280x", "x720", "0x720", "-640x360", "1280x720x3", "99999x10"] {
            #expect(FrameSize(parsing: bad) == nil, "\(bad)")
        }
    }

    @Test("Frame rates become V4L2 intervals and back")
    func fractions() {
        #expect(V4L2Fraction(framesPerSecond: 30) == V4L2Fraction(numerator: 1, denominator: 30))
        #expect(V4L2Fraction(framesPerSecond: 29.97) == V4L2Fraction(numerator: 1000, denominator: 29970))
        #expect(V4L2Fraction(numerator: 1001, denominator: 30000).framesPerSecond! > 29.97)
        #expect(V4L2Fraction(numerator: 0, denominator: 0).framesPerSecond == nil)
        #expect(V4L2Fraction(numerator: 1, denominator: 60).description == "60 fps")
    }

    @Test("Every camera error message names the device, its code and a remedy")
    func messagesNameTheDevice() {
        let codes: [OmoteError.Code] = [
            .captureNoCamera, .captureDeviceMissing, .capturePermissionDenied, .captureDeviceBusy,
            .captureNotACamera, .captureUnsupportedFormat, .captureInsufficientBandwidth, .captureDisconnected,
            .captureStalled, .captureFramesDamaged, .captureFormatChanged, .captureDriverFailure,
        ]
        for code in codes {
            let error = OmoteError.camera(code, device: "/dev/video4", "d")
            #expect(error.code == code)
            #expect(error.description.contains("(/dev/video4)"), "\(code)")
            #expect(!error.remedy.isEmpty, "\(code)")
        }
        #expect(Set(codes.map(\.rawValue)).count == codes.count, "codes are distinct")
    }
}
