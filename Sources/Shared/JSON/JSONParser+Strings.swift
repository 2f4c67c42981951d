/// Strings: kept (validated once, escapes decoded into UTF-8), or left in the body when long.
extension JSONParser {
    /// With the index on a string's opening quote: when its raw bytes run past `threshold`,
    /// checks it (terminated, no control characters) without keeping it, moves past it and
    /// returns where its bytes are (whoever reads them checks their escapes); else leaves the
    /// index where it was, nil.
    mutating func skipLongString(over threshold: Int) throws(Error) -> Range<Int>? {
        let start = index + 1
        var cursor = start
        while cursor < bytes.count, bytes[cursor] != UInt8(ascii: "\""), cursor - start <= threshold {
            cursor += bytes[cursor] == UInt8(ascii: "\\") ? 2 : 1
        }
        guard cursor - start > threshold else { return nil }
        while cursor < bytes.count, bytes[cursor] != UInt8(ascii: "\"") {
            if bytes[cursor] < 0x20 { throw Error(message: "control character in string", offset: cursor) }
            cursor += bytes[cursor] == UInt8(ascii: "\\") ? 2 : 1
        }
        guard cursor < bytes.count else { throw Error(message: "unterminated string", offset: cursor) }
        index = cursor + 1
        return start..<cursor
    }

    mutating func parseString() throws(Error) -> String {
        index += 1
        let start = index
        // The plain run (no escape), scanned over the buffer directly: this runs for every key
        // and string value.
        let maxBytes = limits.maxStringBytes
        let (end, stop): (Int, UInt8) = bytes.withUnsafeBufferPointer { buffer in
            var cursor = start
            while cursor < buffer.count {
                let byte = buffer[cursor]
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 || cursor - start > maxBytes { return (cursor, byte) }
                cursor += 1
            }
            return (cursor, 0)
        }
        index = end
        if end < bytes.count {
            if end - start > maxBytes { throw limit("a string longer than \(maxBytes) bytes") }
            if stop == UInt8(ascii: "\"") {
                let text = try decode(bytes[start..<end], at: start)
                index += 1
                return text
            }
            if stop < 0x20 { throw error("control character in string") }
        }
        var utf8 = Array(bytes[start..<index])
        while true {
            guard index < bytes.count else { throw error("unterminated string") }
            if index - start > limits.maxStringBytes { throw limit("a string longer than \(limits.maxStringBytes) bytes") }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return try decode(utf8[...], at: start)
            } else if byte == UInt8(ascii: "\\") {
                index += 1
                try parseEscape(into: &utf8)
            } else if byte < 0x20 {
                throw error("control character in string")
            } else {
                utf8.append(byte)
                index += 1
            }
        }
    }

    /// An escape's scalar is appended as UTF-8, which never starts with a continuation byte, so
    /// it cannot complete a truncated sequence from the raw bytes before it.
    func decode(_ utf8: ArraySlice<UInt8>, at offset: Int) throws(Error) -> String {
        let text: String? = utf8.withUnsafeBufferPointer { buffer in
            // ASCII (nearly every key and value) needs no validation; `String(validating:)`
            // costs about a thousand instructions even for a short string.
            var ascii: UInt8 = 0
            for byte in buffer { ascii |= byte }
            if ascii < 0x80 { return String(decoding: buffer, as: UTF8.self) }
            return String(validating: buffer, as: UTF8.self)
        }
        guard let text else { throw Error(message: "invalid UTF-8 in string", offset: offset) }
        return text
    }

    mutating func parseEscape(into utf8: inout [UInt8]) throws(Error) {
        guard index < bytes.count else { throw error("unterminated escape") }
        let byte = bytes[index]
        index += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(byte)
        case UInt8(ascii: "b"): utf8.append(0x08)
        case UInt8(ascii: "f"): utf8.append(0x0C)
        case UInt8(ascii: "n"): utf8.append(0x0A)
        case UInt8(ascii: "r"): utf8.append(0x0D)
        case UInt8(ascii: "t"): utf8.append(0x09)
        case UInt8(ascii: "u"):
            let first = try parseHex4()
            let value: UInt32
            if (0xD800...0xDBFF).contains(first) {
                guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
                else { throw error("unpaired surrogate") }
                index += 2
                let second = try parseHex4()
                guard (0xDC00...0xDFFF).contains(second) else { throw error("unpaired surrogate") }
                value = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            } else {
                value = first
            }
            guard let scalar = Unicode.Scalar(value) else { throw error("unpaired surrogate") }
            UTF8.encode(scalar) { utf8.append($0) }
        default: throw error("invalid escape")
        }
    }

    mutating func parseHex4() throws(Error) -> UInt32 {
        guard index + 4 <= bytes.count else { throw error("invalid \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - 0x30)
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - 0x61 + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - 0x41 + 10)
            default: throw error("invalid \\u escape")
            }
            value = value * 16 + digit
            index += 1
        }
        return value
    }
}
