import OmoteCore
import OmoteMesh
import OmoteNeural
import Testing

@testable import OmoteMesh

/// The geometry metadata reader on damaged bytes: every truncation and a sweep of corrupted bytes give an
/// `OmoteError` (mesh.modelUnreadable) or a valid model, never a crash or an oversized allocation.
@Suite struct GeometryMetadataDamageTests {
    static func metadata() throws -> [UInt8] {
        try ModelArchive.bytes(
            named: GeometryPipelineMetadata.member,
            archivePath: FaceLandmarkerNetworks.defaultPath())
    }

    @Test("truncations are refused with mesh.modelUnreadable unless they end between two basis entries")
    func truncationsAreRefused() throws {
        let bytes = try Self.metadata()
        let fullWeights = try FaceGeometryPipeline.canonicalFacts(metadata: bytes).weightedCount
        // Every length in debug would parse ~19k prefixes; a prime step still hits every field kind.
        var refused = 0
        var accepted = 0
        for length in stride(from: 0, to: bytes.count, by: 37) {
            do {
                // A protobuf prefix ending on a field boundary is itself a valid message: after the mesh, that is
                // a model with fewer basis weights. Anything else must be refused.
                let facts = try FaceGeometryPipeline.canonicalFacts(metadata: Array(bytes[..<length]))
                #expect(facts.vertexCount == 468 && facts.weightedCount < fullWeights)
                accepted += 1
            } catch {
                #expect(error.code == .meshModelUnreadable)
                #expect(error.subject == "metadata")
                refused += 1
            }
        }
        print("truncations: \(refused) refused, \(accepted) accepted (ending between basis entries)")
        #expect(refused > 10 * max(1, accepted))
    }

    @Test("corrupted bytes give an error or a model, never a crash")
    func corruptionIsHandled() throws {
        let bytes = try Self.metadata()
        var refused = 0
        for position in stride(from: 0, to: bytes.count, by: 53) {
            for value: UInt8 in [0x00, 0xFF, 0x7F, 0x0A] {
                var damaged = bytes
                damaged[position] = value
                do {
                    _ = try FaceGeometryPipeline(metadata: damaged, subject: "damaged")
                } catch {
                    #expect(error.code == .meshModelUnreadable)
                    refused += 1
                }
            }
        }
        #expect(refused > 0)
    }

    @Test("a huge length prefix is refused before anything is allocated for it")
    func hugeLengthIsRefused() {
        // Field 1 (canonical mesh), length-delimited, claiming 2^62 bytes.
        let bytes: [UInt8] = [0x0A, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40]
        do {
            _ = try FaceGeometryPipeline(metadata: bytes, subject: "huge")
            Issue.record("accepted")
        } catch {
            #expect(error.code == .meshModelUnreadable)
            #expect(error.description.contains("runs past"))
        }
    }

    @Test("a missing .task file is reported with its path")
    func missingTaskFile() {
        do {
            _ = try FaceGeometryPipeline(taskPath: "/nonexistent/face_landmarker.task")
            Issue.record("accepted")
        } catch {
            #expect(error.code == .meshModelUnreadable)
            #expect(error.subject.hasPrefix("/nonexistent/face_landmarker.task"))
        }
    }
}
