/// A JSON value that keeps object key order and number text exactly as read.
///
/// Key order matters for responses that must match the original byte for byte; number text
/// matters for ids larger than a `Double` holds.
package enum JSON: Sendable, Equatable {
    case null
    case bool(Bool)
    /// The number's text as it appears in JSON, e.g. `"42"` or `"-1.5e3"`.
    case number(String)
    case string(String)
    case array([JSON])
    case object(JSONObject)

    /// A number from an integer.
    package static func integer(_ value: Int) -> JSON { .number(String(value)) }

    /// An object from key-value pairs, in order; a nil value leaves the key out.
    package static func object(_ pairs: KeyValuePairs<String, JSON?>) -> JSON {
        var object = JSONObject(capacity: pairs.count)
        for (key, value) in pairs {
            if let value { object[key] = value }
        }
        return .object(object)
    }

    package subscript(key: String) -> JSON? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    package var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    package var objectValue: JSONObject? {
        if case .object(let value) = self { return value }
        return nil
    }

    package var arrayValue: [JSON]? {
        if case .array(let value) = self { return value }
        return nil
    }

    package var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The value as an integer, when it is a number with an integral value.
    package var intValue: Int? {
        if case .number(let text) = self { return Int(text) ?? Double(text).flatMap { Int(exactly: $0) } }
        return nil
    }

    package var isNull: Bool { self == .null }

    /// What JavaScript would call truthy: not null, false, 0, or the empty string.
    package var isTruthy: Bool {
        switch self {
        case .null: false
        case .bool(let value): value
        case .number(let text): (Double(text) ?? 0) != 0
        case .string(let text): !text.isEmpty
        case .array, .object: true
        }
    }

    /// The JSON type name, for error messages.
    package var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}

/// A JSON object: keys in insertion order, unique.
package struct JSONObject: Sendable, Equatable {
    /// One key and its value. A struct, not a tuple: arrays of tuples cost a runtime metadata
    /// lookup on every use.
    package struct Entry: Sendable, Equatable {
        package var key: String
        package var value: JSON
    }

    package private(set) var entries: [Entry] = []

    package init() {}

    /// An empty object with room for `capacity` keys (growing an array reallocates).
    package init(capacity: Int) {
        entries.reserveCapacity(capacity)
    }

    /// An object of `entries` whose keys are known to be distinct (the parser's).
    init(entries: [Entry]) {
        self.entries = entries
    }

    package subscript(key: String) -> JSON? {
        get { entries.first { $0.key == key }?.value }
        set {
            if let index = entries.firstIndex(where: { $0.key == key }) {
                if let newValue { entries[index].value = newValue } else { entries.remove(at: index) }
            } else if let newValue {
                entries.append(Entry(key: key, value: newValue))
            }
        }
    }

    /// Whether the key is present (a `null` value counts as present).
    package func contains(_ key: String) -> Bool {
        entries.contains { $0.key == key }
    }
}
