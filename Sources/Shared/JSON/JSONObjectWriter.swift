/// A JSON object written straight to bytes, member by member, with no tree built first: for
/// the answers on the hot path. Keys are static (written as they are: no escaping needed);
/// values are escaped as `JSON` serializes them.
///
/// It writes into one buffer of its own (grown by doubling, freed with the writer) and hands out
/// an array once, at `finish`: a member costs a few stores, not an array append per piece.
package struct JSONObjectWriter: ~Copyable {
    private var base: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var count = 0
    /// Bit `n`: the object open at depth `n` has a member already.
    private var started: UInt64 = 0
    private var depth = 0

    package init(capacity: Int = 512) {
        self.capacity = max(16, capacity)
        base = .allocate(capacity: self.capacity)
        base[0] = UInt8(ascii: "{")
        count = 1
    }

    deinit {
        base.deallocate()
    }

    package mutating func string(_ key: StaticString, _ value: String?) {
        self.key(key)
        guard let value else { return put("null") }
        var text = value
        text.withUTF8 { writeEscaped($0) }
    }

    /// A string value made of a plain prefix (written as it is) and `value`, without building it.
    package mutating func string(_ key: StaticString, prefix: StaticString, _ value: String) {
        self.key(key)
        var text = value
        text.withUTF8 { writeEscaped($0, prefix: prefix) }
    }

    package mutating func bool(_ key: StaticString, _ value: Bool) {
        self.key(key)
        put(value ? "true" : "false")
    }

    package mutating func value(_ key: StaticString, _ value: JSON) {
        self.key(key)
        if case .string(let text) = value {
            var text = text
            text.withUTF8 { writeEscaped($0) }
            return
        }
        let bytes = value.serializedBytes()
        bytes.withUnsafeBufferPointer { put($0) }
    }

    /// Opens a nested object (at most 63 deep).
    package mutating func beginObject(_ key: StaticString) {
        self.key(key)
        put("{")
        depth += 1
        precondition(depth < 64, "JSONObjectWriter: objects nested too deep")
        started &= ~(1 << UInt64(depth))
    }

    package mutating func endObject() {
        put("}")
        depth -= 1
    }

    /// The finished object (every nested one closed).
    package mutating func finish() -> [UInt8] {
        while depth > 0 { endObject() }
        put("}")
        return Array(UnsafeBufferPointer(start: base, count: count))
    }

    // MARK: bytes

    private mutating func key(_ key: StaticString) {
        let bit: UInt64 = 1 << UInt64(depth)
        reserve(key.utf8CodeUnitCount + 4)
        if started & bit != 0 {
            base[count] = UInt8(ascii: ",")
            count += 1
        }
        started |= bit
        base[count] = UInt8(ascii: "\"")
        (base + count + 1).update(from: key.utf8Start, count: key.utf8CodeUnitCount)
        count += key.utf8CodeUnitCount + 1
        base[count] = UInt8(ascii: "\"")
        base[count + 1] = UInt8(ascii: ":")
        count += 2
    }

    private mutating func put(_ text: StaticString) {
        put(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    private mutating func put(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let start = bytes.baseAddress, !bytes.isEmpty else { return }
        reserve(bytes.count)
        (base + count).update(from: start, count: bytes.count)
        count += bytes.count
    }

    /// A string value: quoted, `prefix` (plain) first, escaped by `JSON.escapeContent`.
    private mutating func writeEscaped(_ utf8: UnsafeBufferPointer<UInt8>, prefix: StaticString = "") {
        reserve(utf8.count + 2)
        base[count] = UInt8(ascii: "\"")
        count += 1
        if prefix.utf8CodeUnitCount > 0 { put(prefix) }
        JSON.escapeContent(utf8) { put($0) }
        put("\"")
    }

    /// Makes room for `more` bytes past `count`.
    private mutating func reserve(_ more: Int) {
        guard count + more > capacity else { return }
        var grown = capacity * 2
        while count + more > grown { grown *= 2 }
        let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
        bigger.update(from: base, count: count)
        base.deallocate()
        base = bigger
        capacity = grown
    }
}
