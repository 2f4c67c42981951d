extension JSON {
    /// Compact JSON text.
    package func serialized() -> String {
        String(decoding: serializedBytes(), as: UTF8.self)
    }

    /// Compact JSON as UTF-8 bytes (what responses send).
    package func serializedBytes() -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(1024)
        write(to: &output)
        return output
    }

    package func write(to output: inout [UInt8]) {
        switch self {
        case .null: output.appendUTF8("null")
        case .bool(let value): output.appendUTF8(value ? "true" : "false")
        case .number(let text): output.appendUTF8(text)
        case .string(let text): Self.writeString(text, to: &output)
        case .array(let values):
            output.append(UInt8(ascii: "["))
            for (index, value) in values.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                value.write(to: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let object):
            output.append(UInt8(ascii: "{"))
            for (index, entry) in object.entries.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                Self.writeString(entry.key, to: &output)
                output.append(UInt8(ascii: ":"))
                entry.value.write(to: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    /// Writes `text` as a JSON string (quoted, escaped by `escapeContent`).
    package static func writeString(_ text: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in escapeContent(utf8) { output.append(contentsOf: $0) } }
        output.append(UInt8(ascii: "\""))
    }

    /// The one JSON string escaper (`writeString`, `JSONObjectWriter`): hands `emit` a string's
    /// content piece by piece — runs that need nothing as they are, and escapes for `"`, `\\`,
    /// control characters and U+2028/U+2029 (which break JavaScript string literals).
    @inline(__always)  // into both callers, with their emit: the answer's hot path
    static func escapeContent(_ utf8: UnsafeBufferPointer<UInt8>, _ emit: (UnsafeBufferPointer<UInt8>) -> Void) {
        guard let source = utf8.baseAddress else { return }
        var index = 0
        while index < utf8.count {
            let run = ByteRuns.unescaped(source + index, count: utf8.count - index)
            if run > 0 {
                emit(UnsafeBufferPointer(start: source + index, count: run))
                index += run
                continue
            }
            let byte = source[index]
            let escape: StaticString
            var width = 1
            switch byte {
            case UInt8(ascii: "\""): escape = "\\\""
            case UInt8(ascii: "\\"): escape = "\\\\"
            case UInt8(ascii: "\n"): escape = "\\n"
            case UInt8(ascii: "\r"): escape = "\\r"
            case UInt8(ascii: "\t"): escape = "\\t"
            case 0..<0x20:
                let hex: StaticString = "0123456789abcdef"
                var sequence: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (
                    UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex.utf8Start[Int(byte >> 4)],
                    hex.utf8Start[Int(byte & 0xF)]
                )
                withUnsafeBytes(of: &sequence) { emit($0.assumingMemoryBound(to: UInt8.self)) }
                index += 1
                continue
            default:  // 0xE2 (where runs stop): only E2 80 A8 and E2 80 A9 are escaped.
                guard index + 2 < utf8.count, source[index + 1] == 0x80, source[index + 2] == 0xA8 || source[index + 2] == 0xA9 else {
                    emit(UnsafeBufferPointer(start: source + index, count: 1))
                    index += 1
                    continue
                }
                escape = source[index + 2] == 0xA8 ? "\\u2028" : "\\u2029"
                width = 3
            }
            emit(UnsafeBufferPointer(start: escape.utf8Start, count: escape.utf8CodeUnitCount))
            index += width
        }
    }
}
