extension [UInt8] {
    /// Appends a string's UTF-8 in one copy (`append(contentsOf: text.utf8)` goes a byte at a
    /// time through the generic path).
    @inlinable
    mutating func appendUTF8(_ text: String) {
        var text = text
        text.withUTF8 { append(contentsOf: $0) }
    }
}
