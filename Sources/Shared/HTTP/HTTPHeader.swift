/// One response header line. A struct, not a tuple: arrays of tuples cost a runtime metadata
/// lookup on every use, and every response carries several headers.
package struct HTTPHeader: Sendable, Equatable {
    package var name: String
    package var value: String

    package init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
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
