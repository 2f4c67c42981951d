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
        var own = self.name
        var other = name
        return own.withUTF8 { own in
            other.withUTF8 { other in
                for index in 0..<own.count where Self.lowercased(own[index]) != Self.lowercased(other[index]) { return false }
                return true
            }
        }
    }

    private static func lowercased(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 : byte
    }
}
