/// A bucket name that passes the storage naming rules we use: 3–63 characters of lowercase
/// letters, digits and `-`, starting and ending with a letter or digit, no `goog` prefix and no
/// `google` (or `g00gle`) anywhere.
package struct BucketName: Sendable, Hashable, CustomStringConvertible {
    package let value: String

    package init?(_ value: String) {
        guard Self.isValid(value) else { return nil }
        self.value = value
    }

    package var description: String { value }

    package static func isValid(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (3...63).contains(bytes.count) else { return false }
        func isAlphanumeric(_ byte: UInt8) -> Bool { (97...122).contains(byte) || (48...57).contains(byte) }
        guard isAlphanumeric(bytes.first!), isAlphanumeric(bytes.last!) else { return false }
        guard bytes.allSatisfy({ isAlphanumeric($0) || $0 == UInt8(ascii: "-") }) else { return false }
        if bytes.starts(with: Array("goog".utf8)) || contains(bytes, "google") || contains(bytes, "g00gle") { return false }
        return true
    }

    private static func contains(_ bytes: [UInt8], _ word: StaticString) -> Bool {
        let needle = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        guard bytes.count >= needle.count else { return false }
        for start in 0...(bytes.count - needle.count) where bytes[start] == needle[0] {
            if bytes[start..<(start + needle.count)].elementsEqual(needle) { return true }
        }
        return false
    }
}
