import Foundation
import OmoteCapture
import OmoteCore
import OmoteTestSupport
import Testing

@testable import OmotePrivacy

/// A JPEG header can claim any size; the frame buffer must not follow it beyond the source's bound.
@Suite("Frame buffers are bounded by the source, not by the header")
struct FrameBoundTests {
    /// SampleFrames' first frame with its SOF dimensions rewritten (the scan data stays 640×360).
    static func sampleFrame(claimingWidth width: UInt16, height: UInt16) throws -> [UInt8] {
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: TestPaths.sampleFrame)))
        var index = 2
        while index + 9 < bytes.count {
            guard bytes[index] == 0xFF else { break }
            let marker = bytes[index + 1]
            let length = Int(bytes[index + 2]) << 8 | Int(bytes[index + 3])
            if (0xC0 ... 0xC2).contains(marker) {
                bytes[index + 5] = UInt8(height >> 8)
                bytes[index + 6] = UInt8(height & 0xFF)
                bytes[index + 7] = UInt8(width >> 8)
                bytes[index + 8] = UInt8(width & 0xFF)
                return bytes
            }
            index += 2 + length
        }
        throw CocoaError(.fileReadCorruptFile)
    }

    @Test("a header claiming 65000×65000 is a corrupt frame that allocates nothing")
    func hugeHeaderAllocatesNothing() throws {
        let decoder = try JPEGDecoder()
        var frame = try VideoFrame(capacity: 640 * 360)
        let liveBefore = PrivateMemory.liveBufferCount
        let huge = try Self.sampleFrame(claimingWidth: 65000, height: 65000)
        let error = #expect(throws: OmoteError.self) {
            try huge.withUnsafeBytes { try decoder.decode($0, into: &frame, source: "huge.jpg") }
        }
        #expect(error?.code == .captureFrameTooLarge && error?.subject == "huge.jpg")
        #expect(error?.reason.contains("65000×65000") == true)
        #expect(frame.capacity == 640 * 360, "the buffer did not grow")
        #expect(PrivateMemory.liveBufferCount <= liveBefore, "no new private buffer was mapped")
        // The real frame still decodes into the same buffer afterwards.
        let real = [UInt8](try Data(contentsOf: URL(fileURLWithPath: TestPaths.sampleFrame)))
        try real.withUnsafeBytes { try decoder.decode($0, into: &frame, source: "0000.jpg") }
        #expect(frame.width == 640 && frame.height == 360)
    }

    @Test("a camera-sized bound refuses anything larger than the negotiated size")
    func negotiatedBound() throws {
        let decoder = try JPEGDecoder()
        var frame = try VideoFrame(capacity: 320 * 180, maximumPixelCount: 320 * 180)
        let real = [UInt8](try Data(contentsOf: URL(fileURLWithPath: TestPaths.sampleFrame)))
        let error = #expect(throws: OmoteError.self, "a 640×360 frame must not fit a 320×180 bound") {
            try real.withUnsafeBytes { try decoder.decode($0, into: &frame, source: "0000.jpg") }
        }
        #expect(error?.code == .captureFrameTooLarge)
        #expect(error?.description.contains("(0000.jpg): a 640×360 frame exceeds the 57600-pixel bound") == true)
        #expect(frame.capacity == 320 * 180)
        // At half scale it fits exactly.
        try real.withUnsafeBytes { try decoder.decode($0, into: &frame, scaleDenominator: 2, source: "0000.jpg") }
        #expect(frame.width == 320 && frame.height == 180)
    }

    @Test("sources without a negotiated size use the replay bound")
    func replayBound() {
        #expect(VideoFrame.defaultMaximumPixelCount == 4096 * 2304)
    }
}
