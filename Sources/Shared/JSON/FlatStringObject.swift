#if canImport(Glibc)
    import Glibc
#endif

/// A request body that is one JSON object of short printable-ASCII string members, read
/// without building a tree: the hot path's bodies (`{"action":"…","whatsappNumber":"…"}`).
/// Anything else — another type of value, an escape, a byte outside printable ASCII, an
/// unknown or repeated key, a string over 256 bytes — is nil, and the caller parses the body in
/// full (which gives every malformed body its own answer). So for any body this reads, the
/// full parse would have found the same members.
package enum FlatStringObject {
    /// Up to four keys' values, in the order of the keys asked for (nil where absent).
    package struct Values: Sendable, Equatable {
        // Four fields, not a tuple: reading one copies one.
        private var first: String?
        private var second: String?
        private var third: String?
        private var fourth: String?

        package init() {}

        package subscript(index: Int) -> String? {
            get {
                switch index {
                case 0: first
                case 1: second
                case 2: third
                default: fourth
                }
            }
            set {
                switch index {
                case 0: first = newValue
                case 1: second = newValue
                case 2: third = newValue
                default: fourth = newValue
                }
            }
        }
    }

    /// The values of `keys` (at most four), or nil when the body is not such an object. A value
    /// spelled like one of `knownValues` is that String (nothing allocated for it).
    package static func read(_ bytes: [UInt8], keys: [StaticString], knownValues: [String] = []) -> Values? {
        precondition(keys.count <= 4, "FlatStringObject reads at most four keys")
        return bytes.withUnsafeBufferPointer { buffer -> Values? in
            guard let base = buffer.baseAddress else { return nil }
            var reader = Reader(base: base, end: buffer.count)
            var values = Values()
            var seen = 0
            reader.skipSpace()
            guard reader.take(UInt8(ascii: "{")) else { return nil }
            reader.skipSpace()
            if !reader.take(UInt8(ascii: "}")) {
                while true {
                    guard let key = reader.string() else { return nil }
                    guard let slot = keys.firstIndex(where: { Self.equal(key, $0) }), seen & (1 << slot) == 0 else { return nil }
                    seen |= 1 << slot
                    reader.skipSpace()
                    guard reader.take(UInt8(ascii: ":")) else { return nil }
                    reader.skipSpace()
                    guard let value = reader.string() else { return nil }
                    values[slot] = Self.known(value, knownValues) ?? String(decoding: value, as: UTF8.self)
                    reader.skipSpace()
                    if reader.take(UInt8(ascii: "}")) { break }
                    guard reader.take(UInt8(ascii: ",")) else { return nil }
                    reader.skipSpace()
                }
            }
            reader.skipSpace()
            return reader.cursor == reader.end ? values : nil
        }
    }

    private struct Reader {
        let base: UnsafePointer<UInt8>
        let end: Int
        var cursor = 0

        init(base: UnsafePointer<UInt8>, end: Int) {
            self.base = base
            self.end = end
        }

        mutating func skipSpace() {
            while cursor < end {
                let byte = base[cursor]
                guard byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 else { return }
                cursor += 1
            }
        }

        mutating func take(_ byte: UInt8) -> Bool {
            guard cursor < end, base[cursor] == byte else { return false }
            cursor += 1
            return true
        }

        /// A plain string's bytes (the cursor on its opening quote), or nil.
        mutating func string() -> UnsafeBufferPointer<UInt8>? {
            guard take(UInt8(ascii: "\"")) else { return nil }
            let start = cursor
            // Printable ASCII without escapes, up to the closing quote.
            let length = ByteRuns.printable(base + start, count: min(end - start, 257))
            guard start + length < end, base[start + length] == UInt8(ascii: "\""), length <= 256 else { return nil }
            cursor = start + length + 1
            return UnsafeBufferPointer(start: base + start, count: length)
        }
    }

    private static func known(_ bytes: UnsafeBufferPointer<UInt8>, _ candidates: [String]) -> String? {
        for candidate in candidates where candidate.utf8.count == bytes.count {
            let same = candidate.utf8.withContiguousStorageIfAvailable { memcmp($0.baseAddress!, bytes.baseAddress!, bytes.count) == 0 }
            if same == true { return candidate }
        }
        return nil
    }

    private static func equal(_ bytes: UnsafeBufferPointer<UInt8>, _ key: StaticString) -> Bool {
        bytes.count == key.utf8CodeUnitCount && (bytes.isEmpty || memcmp(bytes.baseAddress!, key.utf8Start, bytes.count) == 0)
    }
}
