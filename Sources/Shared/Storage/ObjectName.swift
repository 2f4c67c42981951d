/// An object's name inside a bucket, checked once so every backend can trust it.
///
/// GCS allows 1–1024 bytes of UTF-8 without CR or LF; the filesystem backend maps `/` to
/// directories, so empty, `.` and `..` segments, a leading `/` and NUL are refused too, and no
/// name can leave its bucket.
package struct ObjectName: Sendable, Hashable, CustomStringConvertible {
    package let value: String

    package init?(_ value: String) {
        let utf8 = value.utf8
        guard (1...1024).contains(utf8.count), !utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) else { return nil }
        guard value.split(separator: "/", omittingEmptySubsequences: false).allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." })
        else { return nil }
        self.value = value
    }

    package var description: String { value }

    /// The name for a URL path segment: every byte outside RFC 3986's unreserved set
    /// percent-encoded, `/` included (`%2F`), as the JSON API wants.
    package var percentEncoded: String { Self.percentEncode(value) }

    static func percentEncode(_ text: String, keepingSlashes: Bool = false) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count)
        let hex = Array("0123456789ABCDEF".utf8)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                output.append(byte)
            case UInt8(ascii: "/") where keepingSlashes:
                output.append(byte)
            default:
                output.append(contentsOf: [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]])
            }
        }
        return String(decoding: output, as: UTF8.self)
    }
}
