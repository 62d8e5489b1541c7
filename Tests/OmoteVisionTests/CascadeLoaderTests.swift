import Foundation
import OmoteCore
import Testing

@testable import OmoteVision

/// CascadeClassifier's loader: the stock cascades load with the right shape, and every kind of bad file is refused
/// with a message that names the file and says what to do.
@Suite struct CascadeLoaderTests {
    @Test func stockCascadesLoad() throws {
        let lbp = try #require(try DetectionTestSupport.cascades["lbp"]?.get())
        #expect(lbp.featureType == .lbp && lbp.windowWidth == 45 && lbp.windowHeight == 45)
        #expect(lbp.maxNodesPerTree == 1 && lbp.subsets.count == lbp.nodes.count * 8)
        let haar = try #require(try DetectionTestSupport.cascades["haar"]?.get())
        #expect(haar.featureType == .haar && haar.windowWidth == 24 && haar.stageCount == 25)
        #expect(haar.maxNodesPerTree == 1 && !haar.hasTiltedFeatures)
        let alt2 = try #require(try DetectionTestSupport.cascades["alt2"]?.get())
        #expect(alt2.windowWidth == 20 && alt2.stageCount == 20 && alt2.maxNodesPerTree == 2)
        // Stage thresholds are stored minus OpenCV's 1e-5 epsilon (float).
        #expect(haar.stages[0].threshold == Float(-5.0425500869750977) - Float(1e-5))
    }

    @Test func tiltedCascadeLoads() throws {
        let path = "/usr/share/opencv4/haarcascades/haarcascade_upperbody.xml"
        try #require(FileManager.default.fileExists(atPath: path))
        let cascade = try CascadeClassifier(contentsOfFile: path)
        #expect(cascade.hasTiltedFeatures)
    }

    static func load(_ text: String, name: String = "cascade.xml") throws -> OmoteError? {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "omote-cascade-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        do throws(OmoteError) {
            _ = try CascadeClassifier(contentsOfFile: url.path)
            return nil
        } catch {
            #expect(error.description.contains(url.path), "the message names the file")
            return error
        }
    }

    static var lbpText: String {
        get throws { try String(contentsOfFile: DetectionTestSupport.cascadePaths["lbp"]!, encoding: .utf8) }
    }

    @Test func missingFile() {
        #expect(throws: OmoteError.self) { try CascadeClassifier(contentsOfFile: "/nonexistent/cascade.xml") }
        do throws(OmoteError) {
            _ = try CascadeClassifier(contentsOfFile: "/nonexistent/cascade.xml")
        } catch {
            #expect(error.code == .cascadeMissing)
            #expect(error.description.contains("/nonexistent/cascade.xml") && error.description.contains("opencv-data"))
        }
    }

    @Test func truncatedXML() throws {
        let text = try Self.lbpText
        let error = try Self.load(String(text.prefix(text.count / 2)))
        #expect(error?.code == .cascadeMalformedXML)
        #expect(error?.description.contains("line") == true)
    }

    @Test func garbage() throws {
        #expect(try Self.load("\u{1}\u{2}PNG garbage \u{7f} not a cascade")?.code == .cascadeNotXML)
        #expect(try Self.load("")?.code == .cascadeNotXML)
        #expect(try Self.load("<?xml version=\"1.0\"?><opencv_storage><cascade>")?.code == .cascadeMalformedXML)
        #expect(
            try Self.load("<?xml version=\"1.0\"?><opencv_storage><x>1</x></opencv_storage>")?.code == .cascadeMalformed
        )
    }

    @Test func oldFormat() throws {
        let old = """
            <?xml version="1.0"?>
            <opencv_storage>
            <haarcascade_frontalface type_id="opencv-haar-classifier">
              <size>20 20</size>
              <stages>
                <_>
                  <trees>
                    <_><_><feature><rects><_>3 7 14 4 -1.</_><_>3 9 14 2 2.</_></rects><tilted>0</tilted></feature>
                    <threshold>4.0e-03</threshold><left_val>0.03</left_val><right_val>0.8</right_val></_></_>
                  </trees>
                  <stage_threshold>0.82</stage_threshold><parent>-1</parent><next>-1</next></_>
              </stages>
            </haarcascade_frontalface>
            </opencv_storage>
            """
        let error = try Self.load(old)
        #expect(error?.code == .cascadeOldFormat)
        #expect(error?.description.contains("old") == true)
    }

    @Test func unknownFeatureType() throws {
        let text = try Self.lbpText.replacingOccurrences(
            of: "<featureType>LBP</featureType>",
            with: "<featureType>HOG</featureType>")
        #expect(try Self.load(text)?.code == .cascadeUnsupportedFeatureType)
    }

    @Test func outOfRangeIndices() throws {
        // A node that uses a feature past the end of <features>.
        let text = try Self.lbpText
        let badFeature = text.replacingOccurrences(
            of: "0 -1 26 -1 -1 -17409 -1 -1 -1 -1 -1",
            with: "0 -1 99999 -1 -1 -17409 -1 -1 -1 -1 -1")
        #expect(badFeature != text)
        #expect(try Self.load(badFeature)?.code == .cascadeIndexOutOfRange)
        // A node pointing at a leaf that does not exist.
        let badLeaf = text.replacingOccurrences(
            of: "0 -1 26 -1 -1 -17409 -1 -1 -1 -1 -1",
            with: "0 -7 26 -1 -1 -17409 -1 -1 -1 -1 -1")
        #expect(try Self.load(badLeaf)?.code == .cascadeIndexOutOfRange)
        // A feature rectangle outside the 45×45 window.
        let badRect = text.replacingOccurrences(of: " 0 0 1 1</rect>", with: " 40 0 5 1</rect>")
        #expect(badRect != text)
        #expect(try Self.load(badRect)?.code == .cascadeIndexOutOfRange)
    }

    @Test func malformedNumbers() throws {
        let text = try Self.lbpText.replacingOccurrences(
            of: "<stageThreshold>-4.1617846488952637e+000</stageThreshold>",
            with: "<stageThreshold>minus four</stageThreshold>")
        let error = try Self.load(text)
        #expect(error?.code == .cascadeMalformed)
        #expect(error?.description.contains("stage 0") == true)
    }

    @Test func invalidDetectorParameters() throws {
        let lbp = try #require(try DetectionTestSupport.cascades["lbp"]?.get())
        #expect(throws: OmoteError.self) {
            try FaceDetector(cascade: lbp, parameters: .init(scaleFactor: 1.0))
        }
        #expect(throws: OmoteError.self) { try FaceDetector(cascade: lbp, parameters: .init(minNeighbors: -1)) }
    }
}
