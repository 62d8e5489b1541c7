import Foundation

/// Readers for the committed reference fixtures (Tests/*/Fixtures): raw tensors and tab-separated tables.
package enum FixtureFile {
    /// The file's bytes.
    package static func bytes(_ path: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// The file as raw little-endian float32 values (a trailing partial value is ignored).
    package static func floats(_ path: String) throws -> [Float] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return data.withUnsafeBytes { raw in
            (0 ..< raw.count / 4).map {
                Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self)))
            }
        }
    }

    /// A tab-separated text file as lines of fields, the header line first (empty fields are kept).
    package static func tabSeparated(_ path: String) throws -> [[Substring]] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return text.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false) }
    }
}
