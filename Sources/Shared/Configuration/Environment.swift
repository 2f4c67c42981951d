#if canImport(Glibc)
    import Glibc
#endif

/// The process environment as a value, read once at start-up.
///
/// Nothing else in the package calls `getenv`: components take an `Environment` so tests can
/// build one from a dictionary.
package struct Environment: Sendable {
    /// A variable that is required but missing or does not convert.
    package struct Error: Swift.Error, CustomStringConvertible, Equatable {
        package let variable: String
        package let reason: String
        package var description: String { "environment variable \(variable): \(reason)" }

        package init(variable: String, reason: String) {
            self.variable = variable
            self.reason = reason
        }
    }

    package let values: [String: String]

    package init(_ values: [String: String]) {
        self.values = values
    }

    /// The current process's environment.
    package static func process() -> Environment {
        var values: [String: String] = [:]
        var pointer = environ
        while let entry = pointer.pointee {
            let pair = String(cString: entry)
            if let equals = pair.firstIndex(of: "=") {
                values[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
            }
            pointer += 1
        }
        return Environment(values)
    }

    /// The value of `name`, or nil when unset or empty.
    package func get(_ name: String) -> String? {
        guard let value = values[name], !value.isEmpty else { return nil }
        return value
    }

    /// The value of `name`, or `fallback` when unset or empty.
    package func get(_ name: String, default fallback: String) -> String {
        get(name) ?? fallback
    }

    /// The value of `name`; throws when it is unset or empty.
    package func require(_ name: String) throws(Error) -> String {
        guard let value = get(name) else { throw Error(variable: name, reason: "is not set") }
        return value
    }

    /// An integer value of `name`, or `fallback` when unset; throws when it is not an integer.
    package func integer(_ name: String, default fallback: Int) throws(Error) -> Int {
        guard let text = get(name) else { return fallback }
        guard let value = Int(text) else { throw Error(variable: name, reason: "is not an integer") }
        return value
    }

    /// A boolean value of `name` (`1/true/yes/on` or `0/false/no/off`), or `fallback` when unset.
    package func flag(_ name: String, default fallback: Bool) throws(Error) -> Bool {
        guard let text = get(name)?.lowercased() else { return fallback }
        switch text {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw Error(variable: name, reason: "is not a boolean")
        }
    }
}
