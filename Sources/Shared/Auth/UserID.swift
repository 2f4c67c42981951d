/// A user id: a UUID in its canonical lowercase text form.
package struct UserID: Sendable, Hashable, CustomStringConvertible {
    package let value: String

    /// Nil unless `text` is a UUID (8-4-4-4-12 hex digits).
    package init?(_ text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count == 36 else { return nil }
        for (index, byte) in bytes.enumerated() {
            if [8, 13, 18, 23].contains(index) {
                guard byte == UInt8(ascii: "-") else { return nil }
            } else {
                guard (48...57).contains(byte) || (65...70).contains(byte) || (97...102).contains(byte) else { return nil }
            }
        }
        value = text.lowercased()
    }

    package var description: String { value }
}
