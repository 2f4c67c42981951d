/// Applies `db/migrations/*.sql` in name order, each once, each in its own transaction, and
/// records them in `public.userbuckets_migrations` with a checksum.
///
/// An advisory lock keeps two migrators (two hosts starting at once) from racing. A file that
/// fails rolls back whole and stops the run with the server's message.
package struct Migrator {
    /// One applied or pending migration.
    package struct Migration: Sendable, Equatable {
        package let version: String
        package let checksum: String
    }

    private let connection: PostgresConnection
    private let directory: String

    package init(connection: PostgresConnection, directory: String) {
        self.connection = connection
        self.directory = directory
    }

    static let createTable = """
        CREATE TABLE IF NOT EXISTS public.userbuckets_migrations (
            version text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())
        """
    static let applied = PreparedStatement("SELECT version, checksum FROM public.userbuckets_migrations")
    static let record = PreparedStatement("INSERT INTO public.userbuckets_migrations (version, checksum) VALUES ($1, $2)")
    static let lock = PreparedStatement("SELECT pg_advisory_xact_lock(7265001)")

    /// Applies what is pending; returns the versions applied now.
    @discardableResult
    package func migrate() throws -> [String] {
        let files = try FileIO.list(directory: directory).filter { $0.hasSuffix(".sql") }.sorted()
        return try connection.transaction {
            try connection.execute(Self.lock)
            try connection.simple(unsafeSQL: Self.createTable)
            var done: [String: String] = [:]
            for row in try connection.execute(Self.applied).records {
                if let version = row.string("version"), let checksum = row.string("checksum") { done[version] = checksum }
            }
            var appliedNow: [String] = []
            for file in files {
                let bytes = try FileIO.read(path: directory + "/" + file)
                let checksum = Digest.hex(Digest.sha256(bytes))
                let version = String(file.dropLast(4))
                if let recorded = done[version] {
                    if recorded != checksum {
                        throw MigrationError(version: version, message: "was changed after it was applied; add a new migration instead")
                    }
                    continue
                }
                do {
                    try connection.simple(unsafeSQL: String(decoding: bytes, as: UTF8.self))
                } catch let error as PostgresError {
                    throw MigrationError(version: version, message: error.message)
                }
                try connection.execute(Self.record, [version, checksum])
                appliedNow.append(version)
            }
            return appliedNow
        }
    }
}

/// A migration that could not apply; nothing of the run was kept.
package struct MigrationError: Error, CustomStringConvertible {
    package let version: String
    package let message: String
    package var description: String { "migration \(version) failed: \(message)" }
}
