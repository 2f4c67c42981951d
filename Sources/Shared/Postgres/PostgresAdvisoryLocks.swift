/// `ExclusiveLocks` as PostgreSQL transaction-scoped advisory locks on one connection.
package final class PostgresAdvisoryLocks: ExclusiveLocks {
    private let connection: PostgresConnection

    package init(connection: PostgresConnection) {
        self.connection = connection
    }

    static let lock = PreparedStatement("SELECT pg_advisory_xact_lock(hashtextextended($1, 7265))")

    package func withExclusiveLock<T>(_ key: String, _ body: () throws -> T) throws -> T {
        try connection.transaction {
            try connection.execute(Self.lock, ["userbuckets:" + key])
            return try body()
        }
    }
}
