import OmoteCapture
import OmoteCore

/// The one thing the sensor process (which holds frames) may send the presenter (which holds the terminal): a
/// fixed-size binary record, little-endian, written with one `write` (smaller than PIPE_BUF, so atomic). Every byte
/// has a meaning or must be zero, and `decode` checks every field, so a compromised sensor can move at most the
/// numbers a frame legitimately carries (Docs/privacy.md, "channel bandwidth bound"); the presenter turns them into
/// pixels and bars it draws itself and never writes a byte it received to the terminal.
///
/// Layout (byte offsets): 0 magic "OMR1" · 4 kind · 8 sequence (u64) · 16 tracking (u32: 0 searching, 1 tracking,
/// 2 lost; the ending's reason in an `ended` record) · 20 face id (u32) · 24 tracked mask (u64, bits 0…51) ·
/// 32 weights (52 × f32) · 240 rotation columns (9 × f32) · 276 translation in mm (3 × f32) · 288 stage times in ns
/// (5 × u64: decode, detect/track, landmarks, solve, rig) · 328 frames processed, dropped, corrupt (3 × u64; allowed
/// syscalls and closed descriptors in an `engaged` record) · 352 frame width, height (2 × u32) · 360 timestamp (u64)
/// · 368 capture time (u64, CLOCK_MONOTONIC ns, all ones for none; the presenter requires it within the last minute) · 376 fps × 1000 (u32) · 380 first damage (u32, the
/// `FrameDamage` number) · 384 source index (u32) · 388 text length (u32) · 392 text (printable ASCII, `note` and
/// `ended` only). A frame record has the calibration's progress at 388 instead: step (u8, 0 none, 1…6), tenths of a
/// second left (u8, at most 25), outcome (u8, 0…2), skipped steps (u8, bits 2…6). An `engaged` record from a camera generation carries the camera's FourCC at 344, its size at 352
/// and its rate at 376.
public enum SensorRecord {
    public enum Kind: UInt32, Sendable {
        /// The sensor's guard engaged.
        case engaged = 1
        /// One processed frame.
        case frame = 2
        /// A status note between frames (a stalled camera), or the empty note when frames flow again.
        case note = 3
        /// Processing stopped; the reason (and for a failure, the text) says why.
        case ended = 4
        /// One pass of a source ended (a clip of a headless replay): its counts and stage quantiles.
        case sourceSummary = 5
    }

    /// Why the sensor stopped.
    public enum Ending: UInt32, Sendable {
        case endOfInput = 1
        case failure = 2
        /// The camera was unplugged: the launcher waits for it (CameraGenerations).
        case disconnected = 3
        /// The presenter asked it to quit.
        case stopped = 4
    }

    /// The numbers of a frame record that are not expression data (the rest goes into a `FaceFrameResult`).
    public struct Counts: Sendable, Equatable {
        public var sequence: UInt64 = 0
        public var framesProcessed = 0
        public var framesDropped = 0
        public var framesCorrupt = 0
        public var framesPerSecond: Double = 0
        public var firstDamage: FrameDamage?
        /// When the frame was captured (or due, for a replay at nominal pace), CLOCK_MONOTONIC, which both processes
        /// share: the presenter times capture → its rig from it.
        public var capturedAtNanoseconds: UInt64?
        /// Which of the presenter's source names applies (the clip of a playlist); 0 for a camera.
        public var sourceIndex = 0
        public init() {}
    }

    /// The camera's negotiated format, as numbers only (the driver's card name is text the sensor does not send).
    public struct CameraFormat: Sendable, Equatable {
        public var fourCC: UInt32
        public var width: Int
        public var height: Int
        /// Frames per second × 1000; 0 when the driver does not say.
        public var millihertz: Int
        public init(fourCC: UInt32, width: Int, height: Int, millihertz: Int) {
            self.fourCC = fourCC
            self.width = width
            self.height = height
            self.millihertz = millihertz
        }
    }

    /// A decoded, validated record (a frame's expression data is decoded separately, into private memory).
    public enum Message: Sendable, Equatable {
        /// The sensor's guard engaged; a camera generation also says what the camera streams.
        case engaged(allowedSyscalls: Int, closedDescriptors: Int, camera: CameraFormat? = nil)
        case frame(Counts)
        case note(String)
        case ended(Ending, String)
        case sourceSummary(SourceSummary)
    }

    public enum Decoded: Sendable, Equatable {
        case message(Message)
        /// What was wrong, for "stopped: the sensor sent …".
        case violation(String)
    }

    public static let size = 1024
    public static let textCapacity = size - 392
    public static let weightCount = ARKitBlendshape.allCases.count
    /// Timed stages a record carries (every stage but drawing, which the presenter times itself).
    public static let stages: [PipelineStage] = [.decode, .detectTrack, .landmarks, .solve, .rig]
    static let magic: UInt32 = 0x4F4D_5231  // "OMR1"
    /// Bounds a real sensor stays far inside: a stage slower than 10 s, a frame larger than 16384 pixels a side or
    /// a pose farther than 100 m is not a frame being tracked.
    static let maximumStageNanoseconds: UInt64 = 10_000_000_000
    static let maximumSide: UInt32 = 16384
    static let maximumTranslationMillimetres: Float = 100_000
    static let maximumCount: UInt64 = 1 << 40
    /// A calibration prompt lasts 2.5 s of tracked face; only its expression prompts (2…6) can be skipped.
    static let maximumCalibrationDeciseconds: UInt8 = 25
    static let skippableSteps: UInt8 = 0b0111_1100
    /// |RᵀR − I| per element, and |det R − 1|: an orthonormalised float rotation is within 1e-5.
    static let rotationTolerance: Float = 1e-3

    // MARK: - Encoding (the sensor)

    /// Writes a frame record into `bytes` (at least `size` bytes).
    public static func encodeFrame(
        _ face: FaceFrameResult, counts: Counts, into bytes: UnsafeMutableRawBufferPointer
    ) {
        start(.frame, in: bytes)
        put(counts.sequence, 8, bytes)
        switch face.tracking {
        case .searching: put(UInt32(0), 16, bytes)
        case let .tracking(faceID):
            put(UInt32(1), 16, bytes)
            put(UInt32(truncatingIfNeeded: faceID), 20, bytes)
        case .lost: put(UInt32(2), 16, bytes)
        }
        put(face.weights.trackedMask & ((1 << UInt64(weightCount)) - 1), 24, bytes)
        for index in 0 ..< weightCount { put(face.weights.values[index].bitPattern, 32 + 4 * index, bytes) }
        let r = face.headPose.rotation
        for row in 0 ..< 3 {
            put(r.c0[row].bitPattern, 240 + 4 * row, bytes)
            put(r.c1[row].bitPattern, 252 + 4 * row, bytes)
            put(r.c2[row].bitPattern, 264 + 4 * row, bytes)
        }
        for axis in 0 ..< 3 { put(face.headPose.translation[axis].bitPattern, 276 + 4 * axis, bytes) }
        for (index, stage) in stages.enumerated() { put(face.timings[stage], 288 + 8 * index, bytes) }
        put(UInt64(max(counts.framesProcessed, 0)), 328, bytes)
        put(UInt64(max(counts.framesDropped, 0)), 336, bytes)
        put(UInt64(max(counts.framesCorrupt, 0)), 344, bytes)
        put(UInt32(clamping: face.frameSize.x), 352, bytes)
        put(UInt32(clamping: face.frameSize.y), 356, bytes)
        put(face.timestampNanoseconds, 360, bytes)
        put(counts.capturedAtNanoseconds ?? .max, 368, bytes)
        let fps = counts.framesPerSecond.isFinite ? (counts.framesPerSecond * 1000).rounded() : 0
        put(UInt32(clamping: Int(max(0, min(fps, 4e9)))), 376, bytes)
        put(UInt32(counts.firstDamage?.rawValue ?? 0), 380, bytes)
        put(UInt32(clamping: counts.sourceIndex), 384, bytes)
        let calibration = face.calibration
        bytes[388] = calibration.step?.rawValue ?? 0
        bytes[389] = calibration.decisecondsLeft
        bytes[390] = calibration.outcome.rawValue
        bytes[391] = calibration.skippedSteps
    }

    /// Writes a record without expression data: `engaged`, `note` or `ended`.
    public static func encode(_ message: Message, into bytes: UnsafeMutableRawBufferPointer) {
        switch message {
        case let .engaged(allowed, closed, camera):
            start(.engaged, in: bytes)
            put(UInt64(max(allowed, 0)), 328, bytes)
            put(UInt64(max(closed, 0)), 336, bytes)
            if let camera {
                put(camera.fourCC, 344, bytes)
                put(UInt32(clamping: camera.width), 352, bytes)
                put(UInt32(clamping: camera.height), 356, bytes)
                put(UInt32(clamping: camera.millihertz), 376, bytes)
            }
        case let .note(text):
            start(.note, in: bytes)
            putText(text, bytes)
        case let .ended(ending, text):
            start(.ended, in: bytes)
            put(ending.rawValue, 16, bytes)
            putText(text, bytes)
        case let .sourceSummary(summary):
            encodeSummary(summary, into: bytes)
        case .frame:
            preconditionFailure("frame records are encoded with encodeFrame")
        }
    }

    static func start(_ kind: Kind, in bytes: UnsafeMutableRawBufferPointer) {
        precondition(bytes.count >= size)
        bytes.baseAddress!.initializeMemory(as: UInt8.self, repeating: 0, count: size)
        put(magic, 0, bytes)
        put(kind.rawValue, 4, bytes)
    }

    /// Printable ASCII only (anything else becomes "?"), at most `textCapacity` bytes: the presenter shows it on
    /// its status line, so no escape sequence may cross.
    private static func putText(_ text: String, _ bytes: UnsafeMutableRawBufferPointer) {
        var length = 0
        for byte in text.utf8.prefix(textCapacity) {
            bytes[392 + length] = (0x20 ... 0x7E).contains(byte) ? byte : UInt8(ascii: "?")
            length += 1
        }
        put(UInt32(length), 388, bytes)
    }

    @inline(__always)
    static func put<T: FixedWidthInteger>(_ value: T, _ offset: Int, _ bytes: UnsafeMutableRawBufferPointer) {
        bytes.storeBytes(of: value.littleEndian, toByteOffset: offset, as: T.self)
    }

    // MARK: - Decoding and validation (the presenter)

    @inline(__always)
    static func get<T: FixedWidthInteger>(_ offset: Int, _ bytes: UnsafeRawBufferPointer) -> T {
        T(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
    }

    @inline(__always)
    static func float(_ offset: Int, _ bytes: UnsafeRawBufferPointer) -> Float {
        Float(bitPattern: get(offset, bytes))
    }

    /// Whether bytes `range` are all zero.
    static func zero(_ range: Range<Int>, _ bytes: UnsafeRawBufferPointer) -> Bool {
        var offset = range.lowerBound
        while offset + 8 <= range.upperBound {
            if get(offset, bytes) as UInt64 != 0 { return false }
            offset += 8
        }
        while offset < range.upperBound {
            if bytes[offset] != 0 { return false }
            offset += 1
        }
        return true
    }

    /// Checks one record and decodes it; a frame's tracking state, weights, pose, size and stage times go into
    /// `face` (the caller's private memory) and only when the whole record is valid. Anything not exactly as a sensor
    /// writes it — wrong magic, unknown kind, a NaN or infinity, a weight outside [0, 1], a rotation that is not
    /// orthonormal, an impossible time or count, a non-zero unused byte, a text with a control character — is a
    /// violation naming the first fault found.
    public static func decode(_ bytes: UnsafeRawBufferPointer, face: inout FaceFrameResult) -> Decoded {
        guard bytes.count == size else { return .violation("a record of \(bytes.count) bytes instead of \(size)") }
        guard get(0, bytes) as UInt32 == magic else { return .violation("a record with a wrong magic number") }
        let rawKind: UInt32 = get(4, bytes)
        guard let kind = Kind(rawValue: rawKind) else { return .violation("a record of unknown kind \(rawKind)") }
        switch kind {
        case .frame: return decodeFrame(bytes, face: &face)
        case .sourceSummary: return decodeSummary(bytes)
        case .engaged:
            guard zero(8 ..< 328, bytes), zero(348 ..< 352, bytes), zero(360 ..< 376, bytes), zero(380 ..< size, bytes)
            else { return .violation("an engaged record with data in unused fields") }
            let allowed: UInt64 = get(328, bytes)
            let closed: UInt64 = get(336, bytes)
            guard allowed > 0, allowed <= 1024, closed <= 1 << 20 else {
                return .violation("an engaged record with impossible counts (\(allowed) syscalls, \(closed) closed)")
            }
            // A camera's format, or all zero (replay).
            let fourCC: UInt32 = get(344, bytes)
            let width: UInt32 = get(352, bytes)
            let height: UInt32 = get(356, bytes)
            let millihertz: UInt32 = get(376, bytes)
            var camera: CameraFormat?
            if fourCC != 0 || width != 0 || height != 0 || millihertz != 0 {
                guard printable(fourCC), (1 ... maximumSide).contains(width), (1 ... maximumSide).contains(height),
                    millihertz <= 1_000_000
                else { return .violation("an engaged record with an impossible camera format") }
                camera = CameraFormat(
                    fourCC: fourCC, width: Int(width), height: Int(height), millihertz: Int(millihertz))
            }
            return .message(.engaged(allowedSyscalls: Int(allowed), closedDescriptors: Int(closed), camera: camera))
        case .note, .ended:
            let rawEnding: UInt32 = get(16, bytes)
            let ending = Ending(rawValue: rawEnding)
            if kind == .ended, ending == nil { return .violation("an ended record with unknown reason \(rawEnding)") }
            guard zero(8 ..< 16, bytes), kind == .ended || rawEnding == 0, zero(20 ..< 388, bytes) else {
                return .violation("\(kind == .note ? "a note" : "an ended") record with data in unused fields")
            }
            let length = Int(get(388, bytes) as UInt32)
            guard length <= textCapacity else { return .violation("a text longer than \(textCapacity) bytes") }
            let text = UnsafeRawBufferPointer(rebasing: bytes[392 ..< 392 + length])
            guard text.allSatisfy({ (0x20 ... 0x7E).contains($0) }) else {
                return .violation("a text with a byte that is not printable ASCII")
            }
            guard zero(392 + length ..< size, bytes) else { return .violation("data after the end of a text") }
            let string = String(decoding: text, as: UTF8.self)
            return .message(kind == .note ? .note(string) : .ended(ending!, string))
        }
    }

    private static func decodeFrame(_ bytes: UnsafeRawBufferPointer, face: inout FaceFrameResult) -> Decoded {
        var counts = Counts()
        counts.sequence = get(8, bytes)
        guard counts.sequence > 0 else { return .violation("a frame record with sequence number 0") }
        let tracking: TrackingState
        let rawTracking: UInt32 = get(16, bytes)
        let faceID: UInt32 = get(20, bytes)
        switch rawTracking {
        case 0 where faceID == 0: tracking = .searching
        case 1 where faceID > 0: tracking = .tracking(faceID: Int(faceID))
        case 2 where faceID == 0: tracking = .lost
        case 0 ... 2: return .violation("a frame record with face id \(faceID) for tracking state \(rawTracking)")
        default: return .violation("a frame record with unknown tracking state \(rawTracking)")
        }
        let mask: UInt64 = get(24, bytes)
        guard mask >> UInt64(weightCount) == 0 else {
            return .violation("a tracked-shape mask naming shapes beyond the \(weightCount)")
        }
        var weights = BlendshapeWeights()
        weights.trackedMask = mask
        for index in 0 ..< weightCount {
            let weight = float(32 + 4 * index, bytes)
            // NaN fails both comparisons.
            guard weight >= 0, weight <= 1 else {
                return .violation(
                    "weight \(index) (\(ARKitBlendshape(rawValue: index)?.name ?? "?")) = \(weight), "
                        + "outside [0, 1]")
            }
            weights.values[index] = weight
        }
        func column(_ index: Int) -> SIMD3<Float> {
            SIMD3(float(240 + 12 * index, bytes), float(244 + 12 * index, bytes), float(248 + 12 * index, bytes))
        }
        let rotation = Rotation3(column(0), column(1), column(2))
        if let fault = orthonormalityFault(rotation) { return .violation("a head rotation that is \(fault)") }
        var translation = SIMD3<Float>.zero
        for axis in 0 ..< 3 {
            translation[axis] = float(276 + 4 * axis, bytes)
            guard abs(translation[axis]) <= maximumTranslationMillimetres else {
                return .violation("a head translation of \(translation[axis]) mm (not finite, or beyond 100 m)")
            }
        }
        var timings = StageTimings()
        for (index, stage) in stages.enumerated() {
            let nanoseconds: UInt64 = get(288 + 8 * index, bytes)
            guard nanoseconds <= maximumStageNanoseconds else {
                return .violation("a \(stage.label) time of \(nanoseconds) ns (more than 10 s)")
            }
            timings[stage] = nanoseconds
        }
        let processed: UInt64 = get(328, bytes)
        let dropped: UInt64 = get(336, bytes)
        let corrupt: UInt64 = get(344, bytes)
        guard processed <= maximumCount, dropped <= maximumCount, corrupt <= dropped else {
            return .violation(
                "impossible frame counts (\(processed) processed, \(dropped) dropped, \(corrupt) corrupt)")
        }
        let width: UInt32 = get(352, bytes)
        let height: UInt32 = get(356, bytes)
        guard width <= maximumSide, height <= maximumSide else {
            return .violation("a frame size of \(width)×\(height)")
        }
        let fps: UInt32 = get(376, bytes)
        guard fps <= 1_000_000 else { return .violation("a rate of \(Double(fps) / 1000) frames per second") }
        let damage: UInt32 = get(380, bytes)
        if damage != 0 {
            guard damage <= UInt32(UInt8.max), let first = FrameDamage(rawValue: UInt8(damage)) else {
                return .violation("a damage number (\(damage)) outside the catalogue")
            }
            counts.firstDamage = first
        }
        var calibration = CalibrationProgress()
        let step = bytes[388]
        guard step == 0 || CalibrationProgress.Step(rawValue: step) != nil, bytes[389] <= maximumCalibrationDeciseconds,
            let outcome = CalibrationProgress.Outcome(rawValue: bytes[390]), bytes[391] & ~skippableSteps == 0
        else {
            return .violation(
                "a calibration progress of step \(step), \(bytes[389]) tenths left, outcome \(bytes[390]), "
                    + "skipped \(bytes[391])")
        }
        calibration.step = CalibrationProgress.Step(rawValue: step)
        calibration.decisecondsLeft = bytes[389]
        calibration.outcome = outcome
        calibration.skippedSteps = bytes[391]
        guard zero(392 ..< size, bytes) else { return .violation("a frame record with text or data after its fields") }
        counts.framesProcessed = Int(processed)
        counts.framesDropped = Int(dropped)
        counts.framesCorrupt = Int(corrupt)
        counts.framesPerSecond = Double(fps) / 1000
        // Checked against the presenter's clock when presented (`SensorFeed`): decoding is a function of the bytes.
        let captured: UInt64 = get(368, bytes)
        counts.capturedAtNanoseconds = captured == .max ? nil : captured
        counts.sourceIndex = Int(get(384, bytes) as UInt32)
        face.tracking = tracking
        face.weights = weights
        face.headPose = HeadPose(rotation: rotation, translation: translation)
        face.timings = timings
        face.frameSize = SIMD2(Int(width), Int(height))
        face.timestampNanoseconds = get(360, bytes)
        face.calibration = calibration
        return .message(.frame(counts))
    }

    /// Whether all four bytes of a FourCC are printable ASCII (as every V4L2 format's are).
    static func printable(_ fourCC: UInt32) -> Bool {
        (0 ..< 4).allSatisfy { (0x20 ... 0x7E).contains(UInt8(truncatingIfNeeded: fourCC >> (8 * UInt32($0)))) }
    }

    /// Nil when `r` is a finite proper rotation within `rotationTolerance`; otherwise what is wrong with it.
    static func orthonormalityFault(_ r: Rotation3) -> String? {
        for axis in 0 ..< 3 where !(r.c0[axis].isFinite && r.c1[axis].isFinite && r.c2[axis].isFinite) {
            return "not finite"
        }
        // The six distinct entries of RᵀR against the identity's.
        let squares = SIMD3((r.c0 * r.c0).sum(), (r.c1 * r.c1).sum(), (r.c2 * r.c2).sum()) - 1
        let products = SIMD3((r.c0 * r.c1).sum(), (r.c0 * r.c2).sum(), (r.c1 * r.c2).sum())
        let worst = max(squares.max(), -squares.min(), products.max(), -products.min())
        guard worst <= rotationTolerance else { return "not orthonormal" }
        let c = r.c1
        let cross = SIMD3(c.y * r.c2.z - c.z * r.c2.y, c.z * r.c2.x - c.x * r.c2.z, c.x * r.c2.y - c.y * r.c2.x)
        guard abs((r.c0 * cross).sum() - 1) <= rotationTolerance else { return "a reflection" }
        return nil
    }
}
