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
    package func migrate(progress: ((_ done: Int, _ total: Int) -> Void)? = nil) throws -> [String] {
        let files = try FileIO.list(directory: directory).filter { $0.hasSuffix(".sql") }.sorted()
        return try connection.transaction {
            try connection.execute(Self.lock)
            try connection.simple(unsafeSQL: Self.createTable)
            var done: [String: String] = [:]
            for row in try connection.execute(Self.applied).records {
                if let version = row.string("version"), let checksum = row.string("checksum") { done[version] = checksum }
            }
            var appliedNow: [String] = []
            for (index, file) in files.enumerated() {
                defer { progress?(index + 1, files.count) }
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

extension Migrator {
    /// The migrations as a Supabase project's own tooling takes them (`supabase/migrations/`,
    /// `supabase db push`): `<timestamp>_userbuckets_<name>.sql`, the timestamp fixed per file
    /// (`20261201` and the file's number), each file recording itself in
    /// `userbuckets_migrations` with the checksum `migrate` would, so `userbuckets migrate` later
    /// finds it applied and skips it.
    package static func supabaseExport(directory: String) throws -> [(name: String, text: String)] {
        try FileIO.list(directory: directory).filter { $0.hasSuffix(".sql") }.sorted().map { file in
            let bytes = try FileIO.read(path: directory + "/" + file)
            let version = String(file.dropLast(4))
            let number = version.prefix { $0.isNumber }
            guard let sequence = Int(number), !number.isEmpty else { throw MigrationError(version: version, message: "has no number to order it by") }
            let stamp = 20_261_201_000_000 + sequence
            let checksum = Digest.hex(Digest.sha256(bytes))
            let name = "\(stamp)_userbuckets_\(version.dropFirst(number.count).drop { $0 == "_" }).sql"
            let text =
                "-- userbuckets \(version) (db/migrations/\(file)), exported by `userbuckets migrate --export`.\n"
                + String(decoding: bytes, as: UTF8.self)
                + "\n\n-- Recorded as `userbuckets migrate` records it, so that it skips this file.\n\(createTable);\n"
                + "INSERT INTO public.userbuckets_migrations (version, checksum) VALUES ('\(version)', '\(checksum)') ON CONFLICT (version) DO NOTHING;\n"
            return (name, text)
        }
    }
}

/// A migration that could not apply; nothing of the run was kept.
package struct MigrationError: Error, CustomStringConvertible {
    package let version: String
    package let message: String
    package var description: String { "migration \(version) failed: \(message)" }
}
