/// A JSON object written straight to bytes, member by member, with no tree built first: for
/// the answers on the hot path. Keys are static (written as they are: no escaping needed);
/// values are escaped as `JSON` serializes them.
package struct JSONObjectWriter {
    package private(set) var bytes: [UInt8]
    /// Per open object: whether it has no member yet.
    private var empty: [Bool] = [true]

    package init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
        bytes.append(UInt8(ascii: "{"))
        empty.reserveCapacity(4)
    }

    private mutating func key(_ key: StaticString) {
        if !empty[empty.count - 1] { bytes.append(UInt8(ascii: ",")) }
        empty[empty.count - 1] = false
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount))
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
    }

    package mutating func string(_ key: StaticString, _ value: String?) {
        self.key(key)
        if let value { JSON.writeString(value, to: &bytes) } else { bytes.appendUTF8("null") }
    }

    package mutating func bool(_ key: StaticString, _ value: Bool) {
        self.key(key)
        bytes.appendUTF8(value ? "true" : "false")
    }

    package mutating func value(_ key: StaticString, _ value: JSON) {
        self.key(key)
        value.write(to: &bytes)
    }

    package mutating func beginObject(_ key: StaticString) {
        self.key(key)
        bytes.append(UInt8(ascii: "{"))
        empty.append(true)
    }

    package mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        empty.removeLast()
    }

    /// The finished object (every nested one closed).
    package mutating func finish() -> [UInt8] {
        while !empty.isEmpty { endObject() }
        return bytes
    }
}
