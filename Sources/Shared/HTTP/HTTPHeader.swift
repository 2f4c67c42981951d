/// One response header line. A struct, not a tuple: arrays of tuples cost a runtime metadata
/// lookup on every use, and every response carries several headers.
package struct HTTPHeader: Sendable, Equatable {
    package var name: String { didSet { line = nil } }
    package var value: String { didSet { line = nil } }
    /// The header as it goes out (`Name: value` and CRLF, the value's CR and LF made spaces),
    /// made once for the constant headers every answer carries (CORS, the JSON content type).
    package private(set) var line: [UInt8]?

    package init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }

    /// A header whose line is made now, for a constant used on every answer.
    package static func preformatted(_ name: String, _ value: String) -> HTTPHeader {
        var header = HTTPHeader(name, value)
        header.line = Array(name.utf8) + Array(": ".utf8) + value.utf8.map { $0 == 13 || $0 == 10 ? 32 : $0 } + [13, 10]
        return header
    }

    package static func == (lhs: HTTPHeader, rhs: HTTPHeader) -> Bool {
        lhs.name == rhs.name && lhs.value == rhs.value
    }

    /// Whether this header is called `name`, ignoring ASCII case.
    package func isNamed(_ name: String) -> Bool {
        guard self.name.utf8.count == name.utf8.count else { return false }
        // Names are mostly spelled alike (the request's are lowercased as they are read).
        if self.name == name { return true }
        for (own, other) in zip(self.name.utf8, name.utf8) where Self.lowercased(own) != Self.lowercased(other) { return false }
        return true
    }

    private static func lowercased(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 : byte
    }
}
