import Foundation
import OmoteCapture
import OmoteCore
import OmoteView
import Testing

@testable import OmotePipeline

/// The sensor → presenter records: fixed size, every field checked, every malformation refused with its reason.
@Suite("Sensor records") struct SensorRecordTests {
    /// A frame as a real sensor sends it: tracking, a few weights, a turned head.
    static func sampleFace() -> FaceFrameResult {
        var face = FaceFrameResult()
        face.tracking = .tracking(faceID: 3)
        face.weights[.jawOpen] = 0.5
        face.weights[.mouthSmileLeft] = 1
        face.weights.trackedMask = (1 << 52) - 1
        face.headPose = HeadPose(
            rotation: Rotation3(rotationVector: SIMD3(0.1, -0.2, 0.05)), translation: SIMD3(12, -30, 550))
        face.timings[.decode] = 700_000
        face.timings[.landmarks] = 8_000_000
        face.frameSize = SIMD2(640, 360)
        face.timestampNanoseconds = 33_333_333
        return face
    }

    /// `capturedAt`: a presenter refuses a capture time more than a minute before its clock (feed tests give now).
    static func sampleCounts(capturedAt: UInt64? = 12_000_000) -> SensorRecord.Counts {
        var counts = SensorRecord.Counts()
        counts.sequence = 7
        counts.framesProcessed = 7
        counts.framesDropped = 2
        counts.framesCorrupt = 1
        counts.framesPerSecond = 29.97
        counts.firstDamage = FrameDamage.allCases.first
        counts.capturedAtNanoseconds = capturedAt
        return counts
    }

    static func encodedFrame(_ face: FaceFrameResult = sampleFace(), counts: SensorRecord.Counts = sampleCounts())
        -> [UInt8]
    {
        var bytes = [UInt8](repeating: 0xAA, count: SensorRecord.size)
        bytes.withUnsafeMutableBytes { SensorRecord.encodeFrame(face, counts: counts, into: $0) }
        return bytes
    }

    static func decode(_ bytes: [UInt8]) -> (SensorRecord.Decoded, FaceFrameResult) {
        var face = FaceFrameResult()
        let decoded = bytes.withUnsafeBytes { SensorRecord.decode($0, face: &face) }
        return (decoded, face)
    }

    static func violation(_ bytes: [UInt8]) -> String? {
        if case let .violation(text) = decode(bytes).0 { return text }
        return nil
    }

    static func put<T: FixedWidthInteger>(_ value: T, at offset: Int, in bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { $0.storeBytes(of: value.littleEndian, toByteOffset: offset, as: T.self) }
    }

    static func putFloat(_ value: Float, at offset: Int, in bytes: inout [UInt8]) {
        put(value.bitPattern, at: offset, in: &bytes)
    }

    @Test("a frame record carries the calibration's prompt, time left, outcome and skipped prompts; nothing else fits")
    func calibrationProgress() {
        var face = Self.sampleFace()
        face.calibration.step = .smile
        face.calibration.decisecondsLeft = 17
        face.calibration.outcome = .noFace
        face.calibration.skippedSteps = 1 << CalibrationProgress.Step.pucker.rawValue
        let bytes = Self.encodedFrame(face)
        let (decoded, got) = Self.decode(bytes)
        #expect(decoded == .message(.frame(Self.sampleCounts())))
        #expect(got.calibration == face.calibration)
        #expect(got.calibration.statusLine == "calibration 3/6, 1.7 s: smile widely")
        for (offset, value) in [(388, 7), (389, 26), (390, 3), (391, 1 << 1), (391, 1 << 7), (392, 1)] {
            var damaged = bytes
            damaged[offset] = UInt8(value)
            #expect(Self.violation(damaged) != nil, "byte \(offset) = \(value)")
        }
    }

    @Test("a frame record round-trips every field, fits in one atomic pipe write, and carries only 52 weights")
    func frameRoundTrip() throws {
        #expect(SensorRecord.size == 1024 && SensorRecord.size <= Int(PIPE_BUF))
        let face = Self.sampleFace()
        let (decoded, got) = Self.decode(Self.encodedFrame(face))
        guard case let .message(.frame(counts)) = decoded else {
            Issue.record("not a frame: \(decoded)")
            return
        }
        #expect(counts == Self.sampleCounts())
        #expect(got.tracking == face.tracking)
        #expect(got.weights == face.weights)
        #expect(got.headPose == face.headPose)
        #expect(got.timings == face.timings)
        #expect(got.frameSize == face.frameSize)
        #expect(got.timestampNanoseconds == face.timestampNanoseconds)
    }

    @Test("engaged, note and ended records round-trip; text is printable ASCII only")
    func messages() {
        let messages: [SensorRecord.Message] = [
            .engaged(allowedSyscalls: 92, closedDescriptors: 0), .note("camera stalled: waiting for the camera"),
            .engaged(
                allowedSyscalls: 92, closedDescriptors: 1,
                camera: .init(fourCC: 0x4750_4A4D, width: 1280, height: 720, millihertz: 30000)),
            .ended(.disconnected, "the camera was unplugged"), .ended(.endOfInput, ""),
        ]
        for message in messages {
            var bytes = [UInt8](repeating: 0xAA, count: SensorRecord.size)
            bytes.withUnsafeMutableBytes { SensorRecord.encode(message, into: $0) }
            #expect(Self.decode(bytes).0 == .message(message))
        }
        // A sensor's text with an escape sequence (OSC 52, the clipboard) is sent with the escape replaced.
        var bytes = [UInt8](repeating: 0, count: SensorRecord.size)
        bytes.withUnsafeMutableBytes { SensorRecord.encode(.note("\u{1B}]52;c;aGk=\u{07}"), into: $0) }
        #expect(Self.decode(bytes).0 == .message(.note("?]52;c;aGk=?")))
    }

    /// One way to damage a valid frame record, and the violation it must produce.
    enum FrameFault: String, CaseIterable, Sendable {
        case wrongMagic, unknownKind, sequenceZero, trackingSeven, searchingWithFaceID, maskBeyond52, nanWeight
        case weightAboveOne, negativeWeight, infiniteRotation, scaledRotation, nanTranslation, translationOneKilometre
        case stageElevenSeconds, corruptAboveDropped, frameTooWide, damage250, textInFrame, tailByte

        func apply(to b: inout [UInt8]) {
            switch self {
            case .wrongMagic: put(UInt32(0x1234), at: 0, in: &b)
            case .unknownKind: put(UInt32(9), at: 4, in: &b)
            case .sequenceZero: put(UInt64(0), at: 8, in: &b)
            case .trackingSeven: put(UInt32(7), at: 16, in: &b)
            case .searchingWithFaceID: put(UInt32(0), at: 16, in: &b)
            case .maskBeyond52: put(UInt64(1) << 60, at: 24, in: &b)
            case .nanWeight: putFloat(.nan, at: 32 + 4 * 5, in: &b)
            case .weightAboveOne: putFloat(1.5, at: 32, in: &b)
            case .negativeWeight: putFloat(-0.25, at: 32 + 4 * 51, in: &b)
            case .infiniteRotation: putFloat(.infinity, at: 244, in: &b)
            case .scaledRotation: putFloat(1.1, at: 240, in: &b)
            case .nanTranslation: putFloat(.nan, at: 280, in: &b)
            case .translationOneKilometre: putFloat(1e6, at: 284, in: &b)
            case .stageElevenSeconds: put(UInt64(11_000_000_000), at: 288 + 16, in: &b)
            case .corruptAboveDropped: put(UInt64(5), at: 344, in: &b)
            case .frameTooWide: put(UInt32(20000), at: 352, in: &b)
            case .damage250: put(UInt32(250), at: 380, in: &b)
            case .textInFrame: b[392] = UInt8(ascii: "x")
            case .tailByte: b[1000] = 1
            }
        }

        var reason: String {
            switch self {
            case .wrongMagic: "a record with a wrong magic number"
            case .unknownKind: "a record of unknown kind 9"
            case .sequenceZero: "a frame record with sequence number 0"
            case .trackingSeven: "a frame record with unknown tracking state 7"
            case .searchingWithFaceID: "a frame record with face id 3 for tracking state 0"
            case .maskBeyond52: "a tracked-shape mask naming shapes beyond the 52"
            case .nanWeight: "weight 5 (cheekPuff) = nan, outside [0, 1]"
            case .weightAboveOne: "weight 0 (browDownLeft) = 1.5, outside [0, 1]"
            case .negativeWeight: "weight 51 (tongueOut) = -0.25, outside [0, 1]"
            case .infiniteRotation: "a head rotation that is not finite"
            case .scaledRotation: "a head rotation that is not orthonormal"
            case .nanTranslation: "a head translation of nan mm (not finite, or beyond 100 m)"
            case .translationOneKilometre: "a head translation of 1000000.0 mm (not finite, or beyond 100 m)"
            case .stageElevenSeconds: "a landmarks time of 11000000000 ns (more than 10 s)"
            case .corruptAboveDropped: "impossible frame counts (7 processed, 2 dropped, 5 corrupt)"
            case .frameTooWide: "a frame size of 20000×360"
            case .damage250: "a damage number (250) outside the catalogue"
            case .textInFrame, .tailByte: "a frame record with text or data after its fields"
            }
        }
    }

    @Test("malformed frame records are refused, each with its reason", arguments: FrameFault.allCases)
    func malformedFrames(fault: FrameFault) {
        var bytes = Self.encodedFrame()
        #expect(Self.violation(bytes) == nil)
        fault.apply(to: &bytes)
        #expect(Self.violation(bytes) == fault.reason)
    }

    @Test("a reflection is not a rotation")
    func reflection() {
        var face = Self.sampleFace()
        face.headPose.rotation = Rotation3(SIMD3(-1, 0, 0), SIMD3(0, 1, 0), SIMD3(0, 0, 1))
        #expect(Self.violation(Self.encodedFrame(face)) == "a head rotation that is a reflection")
    }

    @Test("malformed note, ended and engaged records are refused, each with its reason")
    func malformedMessages() {
        func encoded(_ message: SensorRecord.Message) -> [UInt8] {
            var bytes = [UInt8](repeating: 0, count: SensorRecord.size)
            bytes.withUnsafeMutableBytes { SensorRecord.encode(message, into: $0) }
            return bytes
        }
        func engagedRecord(fourCC: UInt32) -> [UInt8] {
            encoded(
                .engaged(
                    allowedSyscalls: 92, closedDescriptors: 0,
                    camera: .init(fourCC: fourCC, width: 1280, height: 720, millihertz: 30000)))
        }
        var note = encoded(.note("ok"))
        note[393] = 0x1B  // ESC smuggled into the text
        #expect(Self.violation(note) == "a text with a byte that is not printable ASCII")
        var long = encoded(.note(""))
        Self.put(UInt32(SensorRecord.textCapacity + 1), at: 388, in: &long)
        #expect(Self.violation(long) == "a text longer than 632 bytes")
        var tail = encoded(.note("ok"))
        tail[600] = 0x41
        #expect(Self.violation(tail) == "data after the end of a text")
        var ended = encoded(.ended(.failure, "x"))
        Self.put(UInt32(17), at: 16, in: &ended)
        #expect(Self.violation(ended) == "an ended record with unknown reason 17")
        var smuggled = encoded(.ended(.failure, "x"))
        Self.putFloat(0.5, at: 40, in: &smuggled)
        #expect(Self.violation(smuggled) == "an ended record with data in unused fields")
        var engaged = encoded(.engaged(allowedSyscalls: 92, closedDescriptors: 0))
        Self.put(UInt64(5000), at: 328, in: &engaged)
        #expect(Self.violation(engaged) == "an engaged record with impossible counts (5000 syscalls, 0 closed)")
        var format = engagedRecord(fourCC: 0x4750_4A4D)
        Self.put(UInt32(0), at: 356, in: &format)
        #expect(Self.violation(format) == "an engaged record with an impossible camera format")
        var escape = engagedRecord(fourCC: 0x6331_1B1B)
        #expect(Self.violation(escape) == "an engaged record with an impossible camera format", "ESC in a FourCC")
        escape[344] = 0x4D
        #expect(Self.violation(escape) == "an engaged record with an impossible camera format")
        var padded = encoded(.engaged(allowedSyscalls: 92, closedDescriptors: 0))
        Self.put(UInt32(1), at: 348, in: &padded)
        #expect(Self.violation(padded) == "an engaged record with data in unused fields")
        #expect(Self.violation(Array(engaged.prefix(100))) == "a record of 100 bytes instead of 1024")
    }

    @Test("commands: only the two known ones decode")
    func commands() {
        for command in SensorCommand.allCases { #expect(SensorCommand.decode(command.bytes) == command) }
        #expect(SensorCommand.decode((0x4F4D_4331, 4)) == nil)
        #expect(SensorCommand.decode((0, 1)) == nil)
        var ends: [Int32] = [-1, -1]
        #expect(pipe(&ends) == 0)
        #expect(SensorCommand.receive(from: ends[0], timeoutMilliseconds: 0) == .none)
        #expect(SensorCommand.reset.send(to: ends[1]))
        #expect(SensorCommand.receive(from: ends[0], timeoutMilliseconds: 100) == .command(.reset))
        _ = write(ends[1], "garbage!", 8)
        #expect(SensorCommand.receive(from: ends[0], timeoutMilliseconds: 100) == .malformed)
        close(ends[1])
        #expect(SensorCommand.receive(from: ends[0], timeoutMilliseconds: 100) == .closed)
        close(ends[0])
    }
}
