import Foundation
import OmoteCapture
import OmoteCore
import Testing

@testable import OmoteVision

/// Writes dlib's serialization format (the inverse of DlibReader) to build small models and damaged files in memory.
struct DlibWriter {
    var bytes: [UInt8] = []

    mutating func integer(_ value: Int64) {
        var magnitude = value.magnitude
        var payload: [UInt8] = []
        repeat {
            payload.append(UInt8(magnitude & 0xFF))
            magnitude >>= 8
        } while magnitude != 0
        bytes.append(UInt8(payload.count) | (value < 0 ? 0x80 : 0))
        bytes += payload
    }

    mutating func float(_ value: Float) {
        if value.isNaN {
            integer(0)
            integer(32002)
            return
        }
        if value.isInfinite {
            integer(0)
            integer(value > 0 ? 32000 : 32001)
            return
        }
        if value == 0 {
            integer(0)
            integer(0)
            return
        }
        let mantissa = Int64(value.significandBitPattern | (value.isNormal ? 1 << 23 : 0))
        integer(value < 0 ? -mantissa : mantissa)
        integer(Int64(value.isNormal ? Int(value.exponent) - 23 : -149))
    }

    mutating func column(_ values: [Float]) {
        integer(-Int64(values.count))
        integer(-1)
        for value in values { float(value) }
    }
}

/// A tiny but complete 68-point model: `levels` cascade levels of `trees` trees of depth 1 over a 2-pixel pool.
struct SyntheticModel {
    var version: Int64 = 1
    var parts = 68
    var levels = 1
    var trees = 2
    var splitsPerTree = 1
    var leavesPerTree = 2
    var leafLength = 136
    var featureIndex: UInt64 = 1
    var threshold: Float = 0
    var leafValue: Float = 0
    var anchor: UInt64 = 30
    var anchorLevels: Int?
    var deltaCount = 2
    var trailing: [UInt8] = []

    var bytes: [UInt8] {
        var writer = DlibWriter()
        writer.integer(version)
        writer.column(
            (0 ..< parts).flatMap { part -> [Float] in
                [Float(part % 10) / 10 + 0.05, Float(part / 10) / 7 + 0.05]
            })
        writer.integer(Int64(levels))
        for _ in 0 ..< levels {
            writer.integer(Int64(trees))
            for _ in 0 ..< trees {
                writer.integer(Int64(splitsPerTree))
                for _ in 0 ..< splitsPerTree {
                    writer.integer(0)
                    writer.integer(Int64(featureIndex))
                    writer.float(threshold)
                }
                writer.integer(Int64(leavesPerTree))
                for _ in 0 ..< leavesPerTree { writer.column(Array(repeating: leafValue, count: leafLength)) }
            }
        }
        writer.integer(Int64(anchorLevels ?? levels))
        for _ in 0 ..< (anchorLevels ?? levels) {
            writer.integer(2)
            writer.integer(0)
            writer.integer(Int64(anchor))
        }
        writer.integer(Int64(levels))
        for _ in 0 ..< levels {
            writer.integer(Int64(deltaCount))
            for index in 0 ..< deltaCount {
                writer.float(Float(index) * 0.01)
                writer.float(-0.02)
            }
        }
        return writer.bytes + trailing
    }

    func load() throws(OmoteError) -> ShapePredictorModel {
        let result = bytes.withUnsafeBytes { raw -> Result<ShapePredictorModel, OmoteError> in
            do throws(OmoteError) {
                return .success(try ShapePredictorModel(serialized: raw, path: "synthetic.dat"))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}

func loadError(_ bytes: UnsafeRawBufferPointer) -> OmoteError? {
    do throws(OmoteError) {
        _ = try ShapePredictorModel(serialized: bytes, path: "test.dat")
        return nil
    } catch { return error }
}

func loadError(_ model: SyntheticModel) -> OmoteError? {
    do throws(OmoteError) {
        _ = try model.load()
        return nil
    } catch { return error }
}

@Suite("Landmark model loading")
struct LandmarkModelTests {
    @Test("dlib's 68-point model loads: 15 levels × 500 trees of depth 4 over 500-pixel pools")
    func loadsTheRealModel() throws {
        let model = try LandmarkTestSupport.model.get()
        #expect(model.levels.count == 15)
        #expect(
            model.levels.allSatisfy { $0.treeCount == 500 && $0.featureCount == 500 && $0.paddedFeatureCount == 504 })
        #expect(model.depth == 4 && model.splitCount == 15 && model.leafCount == 16)
        // The mean shape lies in the normalized face box (roughly 0…1).
        for index in 0 ..< 136 { #expect(model.initialShape[index] > -0.5 && model.initialShape[index] < 1.5) }
        #expect(model.byteCount > 60_000_000 && model.byteCount < 70_000_000)
    }

    @Test("A small synthetic model loads and predicts its mean shape mapped onto dlib's box corners")
    func syntheticModelPredictsMeanShape() throws {
        var spec = SyntheticModel()
        spec.leafValue = 0
        let predictor = try ShapePredictor(model: try spec.load())
        let pixels = [UInt8](repeating: 128, count: 64 * 48)
        var landmarks = try FaceLandmarks()
        pixels.withUnsafeBufferPointer { buffer in
            let image = LumaImage(pixels: buffer.baseAddress!, width: 64, height: 48, rowStride: 64)
            predictor.predict(image, in: FaceRect(dlibLeft: 10, top: 5, right: 40, bottom: 35), into: &landmarks)
        }
        // Part 12: normalized (0.25, 1/7 + 0.05) → (10 + 30·x, 5 + 30·y).
        #expect(abs(landmarks[12].x - (10 + 30 * (Float(0.2) + 0.05))) < 1e-4)
        #expect(abs(landmarks[12].y - (5 + 30 * (Float(1) / 7 + 0.05))) < 1e-4)

        // Leaves of +0.01 on two trees move every coordinate by 2 · 0.01 · 30 px.
        spec.leafValue = 0.01
        let moved = try ShapePredictor(model: try spec.load())
        var shifted = try FaceLandmarks()
        pixels.withUnsafeBufferPointer { buffer in
            let image = LumaImage(pixels: buffer.baseAddress!, width: 64, height: 48, rowStride: 64)
            moved.predict(image, in: FaceRect(dlibLeft: 10, top: 5, right: 40, bottom: 35), into: &shifted)
        }
        #expect(abs(shifted[12].x - landmarks[12].x - 0.6) < 1e-3)
        #expect(abs(shifted[40].y - landmarks[40].y - 0.6) < 1e-3)
    }

    @Test("Missing, unreadable and empty files fail with the path and what to do")
    func unreadableFiles() {
        for path in ["/nonexistent/shape_predictor.dat", "/tmp", "/dev/null"] {
            do throws(OmoteError) {
                _ = try ShapePredictor(contentsOfFile: path)
                Issue.record("\(path) loaded")
            } catch {
                #expect(error.code == .landmarkModelUnreadable, "\(error)")
                #expect(error.subject == path && error.description.contains(path), "\(error)")
            }
        }
        #expect(loadError(UnsafeRawBufferPointer(start: nil, count: 0))?.code == .landmarkModelTruncated)
    }

    @Test("A file that is not a shape predictor (a JPEG, a text file) is refused")
    func wrongFiles() {
        let jpeg = LandmarkTestSupport.sampleFrames + "/single_face/0000.jpg"
        for path in [jpeg, LandmarkTestSupport.fixturePath] {
            do throws(OmoteError) {
                _ = try ShapePredictor(contentsOfFile: path)
                Issue.record("\(path) loaded")
            } catch {
                #expect(error.reason.hasPrefix("at byte 0:"), "\(error)")
                // The JPEG's 0xFF is no integer encoding; the text's "clip" reads as a version number ("lip").
                if path == jpeg {
                    #expect(error.code == .landmarkModelCorrupt, "\(error)")
                } else {
                    #expect(error.code == .landmarkModelUnsupportedVersion, "\(error)")
                    #expect(error.reason.contains("version \(0x70_69_6C)"), "\(error)")
                }
            }
        }
    }

    @Test("Wrong version and unsupported models are refused")
    func wrongVersionAndModels() {
        var spec = SyntheticModel()
        spec.version = 2
        #expect(loadError(spec)?.code == .landmarkModelUnsupportedVersion)
        #expect(loadError(spec)?.reason.contains("version 2 ") == true)
        spec = SyntheticModel()
        spec.parts = 5
        #expect(loadError(spec)?.code == .landmarkModelUnsupported)
        spec = SyntheticModel()
        spec.splitsPerTree = 2
        spec.leavesPerTree = 3
        #expect(loadError(spec)?.code == .landmarkModelCorrupt, "2 splits is not a complete tree")
        #expect(loadError(SyntheticModel())?.code == nil, "the unmodified synthetic model loads")
    }

    @Test("Truncated copies of the real model are reported as truncated, wherever they end")
    func truncatedRealModel() throws {
        let file = try MappedFile(path: LandmarkTestSupport.modelPath)
        let size = file.bytes.count
        for length in [1, 2, 3, 7, 100, 1_000, 123_457, size / 2, size - 1] {
            let error = loadError(UnsafeRawBufferPointer(rebasing: file.bytes[0 ..< length]))
            #expect(error?.code == .landmarkModelTruncated, "cut at \(length): \(String(describing: error))")
        }
    }

    @Test("Corrupt fields are found: integer and float encodings, indices, sizes, non-finite values, trailing bytes")
    func corruptFields() throws {
        // Damage the real model's first bytes: 01 01 | 81 88 81 01 | 03 … (version, matrix −136 × −1, first float).
        let file = try MappedFile(path: LandmarkTestSupport.modelPath)
        var head = [UInt8](UnsafeRawBufferPointer(rebasing: file.bytes[0 ..< 4096]))
        head[2] = 0x0F  // a 15-byte integer
        #expect(loadError(head.withUnsafeBytes { $0 })?.code == .landmarkModelCorrupt)
        head = [UInt8](UnsafeRawBufferPointer(rebasing: file.bytes[0 ..< 4096]))
        head[6] = 0x33  // not a binary float control byte
        #expect(head.withUnsafeBytes { loadError($0) }?.code == .landmarkModelCorrupt)
        head = [UInt8](UnsafeRawBufferPointer(rebasing: file.bytes[0 ..< 4096]))
        head[3] = 0x87  // 135 rows: not a column of pairs
        #expect(head.withUnsafeBytes { loadError($0) }?.code == .landmarkModelCorrupt)

        var spec = SyntheticModel()
        spec.featureIndex = 2  // pool has 2 pixels
        #expect(loadError(spec)?.code == .landmarkModelCorrupt)
        spec = SyntheticModel()
        spec.anchor = 68
        #expect(loadError(spec)?.code == .landmarkModelCorrupt)
        spec = SyntheticModel()
        spec.leafLength = 134
        #expect(loadError(spec)?.code == .landmarkModelCorrupt)
        spec = SyntheticModel()
        spec.threshold = .nan
        #expect(loadError(spec)?.code == .landmarkModelCorrupt)
        spec = SyntheticModel()
        spec.leafValue = .infinity
        #expect(loadError(spec)?.code == .landmarkModelCorrupt)
        spec = SyntheticModel()
        spec.anchorLevels = 2
        #expect(loadError(spec)?.code != nil)
        spec = SyntheticModel()
        spec.deltaCount = 3
        #expect(loadError(spec)?.code == .landmarkModelCorrupt)
        spec = SyntheticModel()
        spec.leavesPerTree = 3
        #expect(loadError(spec)?.code == .landmarkModelCorrupt)
        spec = SyntheticModel()
        spec.trailing = [0]
        let trailing = loadError(spec)
        #expect(trailing?.code == .landmarkModelCorrupt && trailing?.description.contains("after the model") == true)
    }
}

@Suite("Landmark predictor keeps the fitted face in private memory")
struct PredictorPrivacyTests {
    @Test("the shape being fitted and the feature pixels are private scratch, wiped by forgetFace; the model is not")
    func scratchPrivateAndWiped() throws {
        let predictor = try ShapePredictor(model: try SyntheticModel().load())
        #expect(predictor.scratchIsPrivate)
        #expect(predictor.privateBytes > 0 && predictor.privateBytes <= 16 * 1024)
        let modelIsPrivate = predictor.model.initialShape.isPrivate
        #expect(!modelIsPrivate, "model constants stay in ordinary memory")
        let pixels = [UInt8](repeating: 128, count: 64 * 48)
        var landmarks = try FaceLandmarks()
        pixels.withUnsafeBufferPointer { buffer in
            let image = LumaImage(pixels: buffer.baseAddress!, width: 64, height: 48, rowStride: 64)
            predictor.predict(image, in: FaceRect(dlibLeft: 10, top: 5, right: 40, bottom: 35), into: &landmarks)
        }
        #expect(landmarks.isPrivate)
        #expect(!predictor.scratchHoldsOnlyZeros)
        predictor.forgetFace()
        #expect(predictor.scratchHoldsOnlyZeros)
    }
}
