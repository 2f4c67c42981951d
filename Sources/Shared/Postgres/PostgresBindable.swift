/// A value bound to a statement parameter: typed at the call site (`Int`, `Bool`, `UserID`,
/// text, or nil for NULL) and sent in PostgreSQL's text format, so no caller spells
/// `String(x)` or `"true"`.
package protocol PostgresBindable {
    /// The parameter in text format; nil is SQL NULL.
    var postgresText: String? { get }
}

extension String: PostgresBindable {
    package var postgresText: String? { self }
}

extension Substring: PostgresBindable {
    package var postgresText: String? { String(self) }
}

extension Int: PostgresBindable {
    package var postgresText: String? { String(self) }
}

extension Int64: PostgresBindable {
    package var postgresText: String? { String(self) }
}

extension Bool: PostgresBindable {
    package var postgresText: String? { self ? "true" : "false" }
}

extension UserID: PostgresBindable {
    package var postgresText: String? { value }
}

extension Optional: PostgresBindable where Wrapped: PostgresBindable {
    package var postgresText: String? { flatMap(\.postgresText) }
}
