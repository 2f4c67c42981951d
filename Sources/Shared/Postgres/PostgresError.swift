/// A libpq failure: the server's SQLSTATE when there is one, and its message.
///
/// `description` names only the kind and SQLSTATE: messages can quote values (a phone number in
/// a unique-violation detail), so they stay in `String(reflecting:)` for the log.
public struct PostgresError: Error, CustomStringConvertible, CustomDebugStringConvertible {
    public enum Kind: String, Sendable {
        /// Could not connect, or the connection broke.
        case connection
        /// The server answered the statement with an error.
        case statement
    }

    public let kind: Kind
    /// Five-character SQLSTATE (`23505` unique violation), when the server sent one.
    public let sqlState: String?
    public let message: String

    public init(kind: Kind, sqlState: String?, message: String) {
        self.kind = kind
        self.sqlState = sqlState
        self.message = message
    }

    public var isUniqueViolation: Bool { sqlState == "23505" }

    public var description: String { "PostgresError(\(kind.rawValue), sqlstate: \(sqlState ?? "none"))" }
    public var debugDescription: String { "PostgresError(\(kind.rawValue), sqlstate: \(sqlState ?? "none")): \(message)" }
}
