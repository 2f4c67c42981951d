/// A strict RFC 8259 parser over raw bytes with limits for hostile input.
///
/// It rejects invalid UTF-8, unpaired surrogates and trailing garbage (the last duplicate key
/// wins), and stops at `Limits` (depth, keys per object, elements per array, values in all,
/// bytes per string). Time and memory are linear in the input: an object past a handful of keys
/// finds duplicates through a side index, and an empty object or array allocates nothing.
package struct JSONParser {
    /// Why a body is not JSON, or is JSON too large to take; `description` is safe to show to
    /// the caller.
    package struct Error: Swift.Error, CustomStringConvertible, Equatable {
        package let message: String
        package let offset: Int
        /// A limit was reached (413), rather than the text being malformed (400).
        package var isLimit = false
        package var description: String { "\(message) at byte \(offset)" }
    }

    let bytes: [UInt8]
    let limits: Limits
    var index = 0
    private var nodes = 0
    /// With `limits.deferStringsLongerThan`: the key path of each string left out, and its raw
    /// bytes (between the quotes, escapes as written).
    var deferred: [[String]: Range<Int>] = [:]
    var path: [String] = []

    private init(bytes: [UInt8], limits: Limits) {
        self.bytes = bytes
        self.limits = limits
    }

    /// Parses one JSON document.
    package static func parse(_ bytes: [UInt8], limits: Limits = .default) throws(Error) -> JSON {
        var parser = JSONParser(bytes: bytes, limits: limits)
        parser.skipWhitespace()
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        if parser.index != bytes.count { throw parser.error("unexpected data after the JSON value") }
        return value
    }

    /// Parses one JSON document from text.
    package static func parse(_ text: String, limits: Limits = .default) throws(Error) -> JSON {
        try parse(Array(text.utf8), limits: limits)
    }

    /// Parses one JSON document, leaving out strings longer than
    /// `limits.deferStringsLongerThan` (they read as `null` in the tree): returns where each is,
    /// by key path (array elements as `[i]`), so a large value (a base64 file) is read from the
    /// body itself instead of a copy.
    package static func parseDeferringLongStrings(_ bytes: [UInt8], limits: Limits) throws(Error) -> (JSON, [[String]: Range<Int>]) {
        var parser = JSONParser(bytes: bytes, limits: limits)
        parser.skipWhitespace()
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        if parser.index != bytes.count { throw parser.error("unexpected data after the JSON value") }
        return (value, parser.deferred)
    }

    func error(_ message: String) -> Error { Error(message: message, offset: index) }

    func limit(_ message: String) -> Error { Error(message: message, offset: index, isLimit: true) }

    private var tracksPaths: Bool { limits.deferStringsLongerThan != nil }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private mutating func parseValue(depth: Int) throws(Error) -> JSON {
        guard index < bytes.count else { throw error("unexpected end of input") }
        nodes += 1
        if nodes > limits.maxValues { throw limit("more than \(limits.maxValues) values") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""):
            if let threshold = limits.deferStringsLongerThan, let range = try skipLongString(over: threshold) {
                deferred[path] = range
                return .null
            }
            return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw error("unexpected character")
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(Error) {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw error("unexpected end of input") }
        for offset in 0..<count where bytes[index + offset] != literal.utf8Start[offset] {
            throw error("invalid literal")
        }
        index += count
    }

    private mutating func parseObject(depth: Int) throws(Error) -> JSON {
        if depth > limits.maxDepth { throw error("nesting deeper than \(limits.maxDepth)") }
        index += 1
        var entries: [JSONObject.Entry] = []
        // Past a handful of keys, duplicates are found through this index instead of a scan.
        var positions: [String: Int]?
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object(JSONObject())
        }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw error("expected a key") }
            let key = try parseString()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("expected ':'") }
            index += 1
            skipWhitespace()
            if tracksPaths { path.append(key) }
            let value = try parseValue(depth: depth)
            if tracksPaths { path.removeLast() }
            let existing: Int?
            if let index = positions {
                existing = index[key]
            } else {
                existing = entries.firstIndex { $0.key == key }
                if entries.count >= 8 { positions = Dictionary(entries.indices.map { (entries[$0].key, $0) }, uniquingKeysWith: { $1 }) }
            }
            if let existing {
                entries[existing].value = value  // the last duplicate wins
            } else {
                if entries.count >= limits.maxKeysPerObject { throw limit("more than \(limits.maxKeysPerObject) keys in an object") }
                positions?[key] = entries.count
                entries.append(JSONObject.Entry(key: key, value: value))
            }
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
            } else if bytes[index] == UInt8(ascii: "}") {
                index += 1
                return .object(JSONObject(entries: entries))
            } else {
                throw error("expected ',' or '}'")
            }
        }
    }

    private mutating func parseArray(depth: Int) throws(Error) -> JSON {
        if depth > limits.maxDepth { throw error("nesting deeper than \(limits.maxDepth)") }
        index += 1
        var values: [JSON] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array(values)
        }
        while true {
            skipWhitespace()
            if values.count >= limits.maxElementsPerArray { throw limit("more than \(limits.maxElementsPerArray) elements in an array") }
            if tracksPaths { path.append("[\(values.count)]") }
            values.append(try parseValue(depth: depth))
            if tracksPaths { path.removeLast() }
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
            } else if bytes[index] == UInt8(ascii: "]") {
                index += 1
                return .array(values)
            } else {
                throw error("expected ',' or ']'")
            }
        }
    }

    private mutating func parseNumber() throws(Error) -> String {
        let start = index
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, isDigit(bytes[index]) else { throw error("invalid number") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else { throw error("invalid number") }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            guard index < bytes.count, isDigit(bytes[index]) else { throw error("invalid number") }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index - start > 64 { throw error("number too long") }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    /// Strings without escapes (nearly all of them) are validated and copied in one step;
    /// escapes are decoded into UTF-8 bytes that are validated once at the end.
}
