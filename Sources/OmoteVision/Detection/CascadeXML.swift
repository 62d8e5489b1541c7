import Foundation
import OmoteCore

#if canImport(FoundationXML)
import FoundationXML
#endif

/// The element tree of an OpenCV FileStorage XML file, built with Foundation's `XMLParser` (a real XML parser:
/// entities, comments and CDATA are handled by it, never by string matching). Only element names, attributes and
/// character data matter to a cascade.
final class CascadeXMLElement {
    let name: String
    let attributes: [String: String]
    var text = ""
    var children: [CascadeXMLElement] = []

    init(name: String, attributes: [String: String]) {
        self.name = name
        self.attributes = attributes
    }

    /// The first child element called `name` (FileStorage maps are element children keyed by tag).
    func child(_ name: String) -> CascadeXMLElement? { children.first { $0.name == name } }

    /// The whitespace-separated tokens of this element's character data.
    var tokens: [Substring] { text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }) }
}

/// Parses the whole document into `CascadeXMLElement`s. Throws `.cascadeNotXML` or `.cascadeMalformedXML`.
enum CascadeXMLReader {
    static func parse(_ data: Data, path: String) throws(OmoteError) -> CascadeXMLElement {
        let firstByte = data.first {
            $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 && $0 != 0xEF && $0 != 0xBB && $0 != 0xBF
        }
        guard firstByte == UInt8(ascii: "<") else {
            throw OmoteError.cascade(
                .cascadeNotXML, path: path, reason: data.isEmpty ? "the file is empty" : "the file is not XML")
        }
        let parser = XMLParser(data: data)
        let builder = Builder()
        parser.delegate = builder
        parser.shouldResolveExternalEntities = false
        let ok = parser.parse()
        guard ok, let root = builder.root, builder.stack.isEmpty else {
            let line = parser.lineNumber
            let detail = parser.parserError.map { " (\($0.localizedDescription))" } ?? ""
            throw OmoteError.cascade(
                .cascadeMalformedXML, path: path,
                reason: "truncated or malformed XML near line \(line)\(detail)")
        }
        return root
    }

    private final class Builder: NSObject, XMLParserDelegate {
        var root: CascadeXMLElement?
        var stack: [CascadeXMLElement] = []

        func parser(
            _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
            qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]
        ) {
            let element = CascadeXMLElement(name: elementName, attributes: attributeDict)
            if let parent = stack.last { parent.children.append(element) } else if root == nil { root = element }
            stack.append(element)
        }

        func parser(
            _ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?,
            qualifiedName qName: String?
        ) {
            _ = stack.popLast()
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            stack.last?.text += string
        }

        func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
            if let string = String(data: CDATABlock, encoding: .utf8) { stack.last?.text += string }
        }
    }
}
