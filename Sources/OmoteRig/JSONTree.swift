import Foundation
import OmoteCore

/// A JSON document as a tree (decoded with `Decodable` only), so the loader can walk glTF's loosely-typed JSON and
/// name the exact JSON path of anything wrong.
enum JSONValue: Decodable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    // Untyped: `Decodable` requires it; `parse` turns what it throws into an `OmoteError`.
    init(from decoder: Decoder) throws {
        if let object = try? decoder.container(keyedBy: Key.self) {
            var dict: [String: JSONValue] = [:]
            for key in object.allKeys { dict[key.stringValue] = try object.decode(JSONValue.self, forKey: key) }
            self = .object(dict)
        } else if var array = try? decoder.unkeyedContainer() {
            var items: [JSONValue] = []
            while !array.isAtEnd { items.append(try array.decode(JSONValue.self)) }
            self = .array(items)
        } else {
            let single = try decoder.singleValueContainer()
            if single.decodeNil() {
                self = .null
            } else if let b = try? single.decode(Bool.self) {
                self = .bool(b)
            } else if let d = try? single.decode(Double.self) {
                self = .number(d)
            } else {
                self = .string(try single.decode(String.self))
            }
        }
    }

    static func parse(_ data: Data, file: String) throws(OmoteError) -> JSONValue {
        do {
            return try JSONDecoder().decode(JSONValue.self, from: data)
        } catch let DecodingError.dataCorrupted(context) {
            let underlying = context.underlyingError.map { " (\($0))" } ?? ""
            throw OmoteError.rigLoad(
                .rigMalformedJSON, file: file, jsonPath: "$", context.debugDescription + underlying)
        } catch {
            throw OmoteError.rigLoad(.rigMalformedJSON, file: file, jsonPath: "$", "\(error)")
        }
    }
}

/// A position in a JSON tree plus its path, with typed accessors that fail with an `OmoteError` naming the path.
struct JSONCursor {
    let value: JSONValue?
    let path: String
    let file: String

    init(_ value: JSONValue?, path: String, file: String) {
        self.value = value
        self.path = path
        self.file = file
    }

    var exists: Bool {
        if case .none = value { return false }
        if case .some(.null) = value { return false }
        return true
    }

    subscript(key: String) -> JSONCursor {
        var child: JSONValue?
        if case .object(let dict)? = value { child = dict[key] }
        return JSONCursor(child, path: path.isEmpty ? key : "\(path).\(key)", file: file)
    }

    subscript(index: Int) -> JSONCursor {
        var child: JSONValue?
        if case .array(let items)? = value, items.indices.contains(index) { child = items[index] }
        return JSONCursor(child, path: "\(path)[\(index)]", file: file)
    }

    func error(_ detail: String, _ kind: OmoteError.Code = .rigInvalidValue) -> OmoteError {
        OmoteError.rigLoad(kind, file: file, jsonPath: path, detail)
    }

    /// Elements of an array (empty when absent).
    func array() throws(OmoteError) -> [JSONCursor] {
        guard exists else { return [] }
        guard case .array(let items)? = value else { throw error("expected an array") }
        return items.indices.map { self[$0] }
    }

    /// Keys of an object, sorted (empty when absent).
    func keys() throws(OmoteError) -> [String] {
        guard exists else { return [] }
        guard case .object(let dict)? = value else { throw error("expected an object") }
        return dict.keys.sorted()
    }

    var isObject: Bool {
        if case .object? = value { return true }
        return false
    }

    func optionalNumber() throws(OmoteError) -> Double? {
        guard exists else { return nil }
        guard case .number(let d)? = value, d.isFinite else { throw error("expected a number") }
        return d
    }

    func number(default fallback: Double? = nil) throws(OmoteError) -> Double {
        if let d = try optionalNumber() { return d }
        if let fallback { return fallback }
        throw error("required number is missing")
    }

    func optionalInt() throws(OmoteError) -> Int? {
        guard let d = try optionalNumber() else { return nil }
        guard d >= 0, d == d.rounded(), d < 1e15 else { throw error("expected a non-negative integer, found \(d)") }
        return Int(d)
    }

    func int(default fallback: Int? = nil) throws(OmoteError) -> Int {
        if let i = try optionalInt() { return i }
        if let fallback { return fallback }
        throw error("required integer is missing")
    }

    /// An index into a top-level array of `count` elements.
    func index(into count: Int, of what: String) throws(OmoteError) -> Int {
        let i = try int()
        guard i < count else { throw error("refers to \(what)[\(i)] but there are only \(count)") }
        return i
    }

    func optionalString() throws(OmoteError) -> String? {
        guard exists else { return nil }
        guard case .string(let s)? = value else { throw error("expected a string") }
        return s
    }

    func string() throws(OmoteError) -> String {
        guard let s = try optionalString() else { throw error("required string is missing") }
        return s
    }

    func optionalBool() throws(OmoteError) -> Bool? {
        guard exists else { return nil }
        guard case .bool(let b)? = value else { throw error("expected true or false") }
        return b
    }

    /// A fixed-length array of numbers (e.g. a translation), or nil when absent.
    func floats(count: Int) throws(OmoteError) -> [Float]? {
        guard exists else { return nil }
        let items = try array()
        guard items.count == count else { throw error("expected \(count) numbers, found \(items.count)") }
        return try items.map { (c) throws(OmoteError) in Float(try c.number()) }
    }
}
