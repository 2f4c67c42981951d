#if canImport(Glibc)
    import Glibc
#endif

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

    /// Checked on the name's bytes in place (a cached answer's bucket is checked on every
    /// request that uses it: no copy).
    package static func isValid(_ name: String) -> Bool {
        var name = name
        return name.withUTF8 { bytes in
            guard (3...63).contains(bytes.count) else { return false }
            func isAlphanumeric(_ byte: UInt8) -> Bool { (97...122).contains(byte) || (48...57).contains(byte) }
            guard isAlphanumeric(bytes[0]), isAlphanumeric(bytes[bytes.count - 1]) else { return false }
            guard bytes.allSatisfy({ isAlphanumeric($0) || $0 == UInt8(ascii: "-") }) else { return false }
            return !starts(bytes, "goog") && !contains(bytes, "google") && !contains(bytes, "g00gle")
        }
    }

    private static func starts(_ bytes: UnsafeBufferPointer<UInt8>, _ word: StaticString) -> Bool {
        bytes.count >= word.utf8CodeUnitCount && memcmp(bytes.baseAddress!, word.utf8Start, word.utf8CodeUnitCount) == 0
    }

    private static func contains(_ bytes: UnsafeBufferPointer<UInt8>, _ word: StaticString) -> Bool {
        let length = word.utf8CodeUnitCount
        guard bytes.count >= length else { return false }
        for start in 0...(bytes.count - length) where bytes[start] == word.utf8Start[0] {
            if memcmp(bytes.baseAddress! + start, word.utf8Start, length) == 0 { return true }
        }
        return false
    }
}
