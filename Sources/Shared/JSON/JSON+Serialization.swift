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

    private static let hexDigits: StaticString = "0123456789abcdef"

    /// Bytes that may need escaping: `"`, `\`, controls, and 0xE2 (the first byte of U+2028/9).
    private static let mayEscape: [Bool] = (0...255).map { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C || $0 == 0xE2 }

    /// Escapes `"`, `\`, control characters and U+2028/U+2029 (which break JavaScript string
    /// literals); copies everything else as UTF-8, in runs.
    package static func writeString(_ text: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            var runStart = 0
            var index = 0
            mayEscape.withUnsafeBufferPointer { mayEscape in
                while index < utf8.count {
                    let byte = utf8[index]
                    guard mayEscape[Int(byte)] else {
                        index += 1
                        continue
                    }
                    let escape: StaticString
                    var width = 1
                    switch byte {
                    case UInt8(ascii: "\""): escape = "\\\""
                    case UInt8(ascii: "\\"): escape = "\\\\"
                    case UInt8(ascii: "\n"): escape = "\\n"
                    case UInt8(ascii: "\r"): escape = "\\r"
                    case UInt8(ascii: "\t"): escape = "\\t"
                    case 0..<0x20: escape = "\\u00"
                    default:  // 0xE2: only E2 80 A8 and E2 80 A9 are escaped.
                        guard index + 2 < utf8.count, utf8[index + 1] == 0x80, utf8[index + 2] == 0xA8 || utf8[index + 2] == 0xA9
                        else {
                            index += 1
                            continue
                        }
                        escape = utf8[index + 2] == 0xA8 ? "\\u2028" : "\\u2029"
                        width = 3
                    }
                    output.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                    output.append(contentsOf: UnsafeBufferPointer(start: escape.utf8Start, count: escape.utf8CodeUnitCount))
                    if byte < 0x20, byte != UInt8(ascii: "\n"), byte != UInt8(ascii: "\r"), byte != UInt8(ascii: "\t") {
                        output.append(hexDigits.utf8Start[Int(byte >> 4)])
                        output.append(hexDigits.utf8Start[Int(byte & 0x0f)])
                    }
                    index += width
                    runStart = index
                }
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<utf8.count]))
        }
        output.append(UInt8(ascii: "\""))
    }
}
