import Foundation
import OmoteMesh
import OmoteNeural
import OmoteTestSupport

/// The TensorFlow Lite reference fixtures in Fixtures/tflite (format: that folder's README.md): a manifest row per
/// stored tensor, raw little-endian float32 or uint8 files.
struct TFLiteFixtures {
    struct Row {
        let caseName: String
        let network: String
        let role: String
        let tensor: String
        let dtype: String
        let file: String
    }

    static let directory = TestPaths.fixtures(of: "OmoteNeuralTests") + "/tflite"

    let rows: [Row]

    init() throws {
        rows = try FixtureFile.tabSeparated(Self.directory + "/manifest.tsv").dropFirst().map { line in
            let fields = line.map(String.init)
            return Row(
                caseName: fields[0], network: fields[1], role: fields[2], tensor: fields[3], dtype: fields[5],
                file: fields[7])
        }
    }

    func cases(of network: String) -> [String] {
        var seen: [String] = []
        for row in rows where row.network == network && !seen.contains(row.caseName) {
            seen.append(row.caseName)
        }
        return seen
    }

    func rows(_ network: String, _ caseName: String, role: String) -> [Row] {
        rows.filter { $0.network == network && $0.caseName == caseName && $0.role == role }
    }

    static func bytes(_ file: String) throws -> [UInt8] { try FixtureFile.bytes(directory + "/" + file) }

    static func floats(_ file: String) throws -> [Float] { try FixtureFile.floats(directory + "/" + file) }

    /// The float tensor a network got: f32 files as stored, u8 images normalised as that network's metadata says.
    static func input(_ row: Row, network: String) throws -> [Float] {
        if row.dtype == "f32" {
            return try floats(row.file)
        }
        let pixels = try bytes(row.file)
        // Computed in double and rounded once, as the fixture script did.
        if network == FaceLandmarkerNetworks.detectorMember.replacingOccurrences(of: ".tflite", with: "") {
            return pixels.map { Float((Double($0) - 127.5) / 127.5) }
        }
        return pixels.map { Float(Double($0) / 255) }
    }

    /// Runs `network` on every case of the fixtures and returns, per output name, the largest |difference| seen.
    static func largestDifferences(_ network: NeuralNetwork, fixtures: TFLiteFixtures, name: String) throws
        -> [String: (difference: Float, caseName: String)]
    {
        var largest: [String: (difference: Float, caseName: String)] = [:]
        for caseName in fixtures.cases(of: name) {
            guard let inputRow = fixtures.rows(name, caseName, role: "in").first else { continue }
            let input = try Self.input(inputRow, network: name)
            let buffer = network.input(0)
            precondition(input.count == buffer.count, "fixture \(inputRow.file) has \(input.count) values")
            _ = buffer.update(from: input)
            network.run()
            for outputRow in fixtures.rows(name, caseName, role: "out") {
                guard let index = network.outputIndex(named: outputRow.tensor) else {
                    throw FixtureMismatch(what: "network \(name) has no output \(outputRow.tensor)")
                }
                let expected = try floats(outputRow.file)
                let actual = network.output(index)
                guard expected.count == actual.count else {
                    throw FixtureMismatch(
                        what: "\(outputRow.file): \(expected.count) values, engine gives \(actual.count)")
                }
                var worst: Float = 0
                for (value, reference) in zip(actual, expected) {
                    let difference = abs(value - reference)
                    worst = difference.isNaN ? .infinity : max(worst, difference)
                }
                if worst >= largest[outputRow.tensor]?.difference ?? -1 {
                    largest[outputRow.tensor] = (worst, caseName)
                }
            }
        }
        return largest
    }
}

struct FixtureMismatch: Error, CustomStringConvertible {
    let what: String
    var description: String { what }
}
