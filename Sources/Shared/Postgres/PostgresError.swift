/// A libpq failure: the server's SQLSTATE when there is one, and its message.
///
/// `description` names only the kind and SQLSTATE: messages can quote values (a phone number in
/// a unique-violation detail), so they stay in `String(reflecting:)` for the log.
package struct PostgresError: Error, CustomStringConvertible, CustomDebugStringConvertible {
    package enum Kind: String, Sendable {
        /// Could not connect, or the connection broke.
        case connection
        /// The server answered the statement with an error.
        case statement
    }

    package let kind: Kind
    /// Five-character SQLSTATE (`23505` unique violation), when the server sent one.
    package let sqlState: String?
    package let message: String

    package init(kind: Kind, sqlState: String?, message: String) {
        self.kind = kind
        self.sqlState = sqlState
        self.message = message
    }

    package var isUniqueViolation: Bool { sqlState == "23505" }

    package var description: String { "PostgresError(\(kind.rawValue), sqlstate: \(sqlState ?? "none"))" }
    package var debugDescription: String { "PostgresError(\(kind.rawValue), sqlstate: \(sqlState ?? "none")): \(message)" }
}
