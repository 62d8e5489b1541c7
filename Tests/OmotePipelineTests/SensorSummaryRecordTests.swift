import Foundation
import OmoteCapture
import OmoteCore
import Testing

@testable import OmotePipeline

/// The headless records: a clip's summary round-trips and every malformation is refused; a headless presenter's
/// check for expression data catches any weight, tracked shape or pose.
@Suite("Sensor summary records") struct SensorSummaryRecordTests {
    static func sampleSummary() -> SensorRecord.SourceSummary {
        var summary = SensorRecord.SourceSummary()
        summary.sourceIndex = 1
        summary.framesDelivered = 72
        summary.framesCorrupt = 3
        summary.firstDamage = .bogusMarkerLength
        summary.width = 640
        summary.height = 360
        summary.median[.decode] = 550_000
        summary.percentile99[.decode] = 720_000
        summary.median[.landmarks] = 5_600_000
        summary.percentile99[.landmarks] = 7_800_000
        return summary
    }

    static func encoded(_ summary: SensorRecord.SourceSummary = sampleSummary()) -> [UInt8] {
        var bytes = [UInt8](repeating: 0xAA, count: SensorRecord.size)
        bytes.withUnsafeMutableBytes { SensorRecord.encode(.sourceSummary(summary), into: $0) }
        return bytes
    }

    @Test("a source summary round-trips every field")
    func roundTrip() {
        #expect(SensorRecordTests.decode(Self.encoded()).0 == .message(.sourceSummary(Self.sampleSummary())))
        #expect(SensorRecordTests.decode(Self.encoded(.init())).0 == .message(.sourceSummary(.init())))
    }

    @Test("malformed source summaries are refused, each with its reason")
    func malformed() {
        var unused = Self.encoded()
        unused[100] = 1  // where a frame record has weights
        #expect(SensorRecordTests.violation(unused) == "a source summary with data in unused fields")
        var inverted = Self.encoded()
        SensorRecordTests.put(UInt64(800_000), at: 288, in: &inverted)  // decode p50 above its p99
        #expect(
            SensorRecordTests.violation(inverted)
                == "a source summary whose decode times are impossible (p50 800000 ns, p99 720000 ns)")
        var slow = Self.encoded()
        SensorRecordTests.put(UInt64(20_000_000_000), at: 32, in: &slow)
        #expect(SensorRecordTests.violation(slow)?.hasPrefix("a source summary whose decode times") == true)
        var counts = Self.encoded()
        SensorRecordTests.put(UInt64.max, at: 8, in: &counts)
        #expect(SensorRecordTests.violation(counts)?.hasPrefix("a source summary with impossible counts") == true)
        var size = Self.encoded()
        SensorRecordTests.put(UInt32(20000), at: 352, in: &size)
        #expect(SensorRecordTests.violation(size) == "a source summary with a frame size of 20000×360")
        var damage = Self.encoded()
        SensorRecordTests.put(UInt32(200), at: 380, in: &damage)
        #expect(SensorRecordTests.violation(damage) == "a damage number (200) outside the catalogue")
        var undamaged = Self.encoded()
        SensorRecordTests.put(UInt32(0), at: 380, in: &undamaged)
        #expect(
            SensorRecordTests.violation(undamaged) == "a source summary with 3 corrupt frames and damage number 0")
    }

    @Test("a frame without expression carries none; any weight, tracked shape or pose does")
    func expressionCheck() {
        let face = SensorRecordTests.sampleFace()
        #expect(SensorRecord.carriesExpression(face))
        #expect(!SensorRecord.carriesExpression(face.withoutExpression))
        var shape = face.withoutExpression
        shape.weights.trackedMask = 1
        #expect(SensorRecord.carriesExpression(shape))
        var weight = face.withoutExpression
        weight.weights[.eyeBlinkLeft] = 0.01
        #expect(SensorRecord.carriesExpression(weight))
        var pose = face.withoutExpression
        pose.headPose.translation.x += 1
        #expect(SensorRecord.carriesExpression(pose))
    }
}
