import ArgumentParser
import Shared

/// `userbuckets migrate`: applies pending database migrations.
struct MigrateCommand: ParsableCommand {
    @Flag(help: "JSON output (always: the flag is accepted so every command takes it).")
    var json = false

    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply pending migrations from db/migrations to DATABASE_URL.",
        discussion: "Idempotent: applied files are skipped (and refused if they changed). Works on a bare PostgreSQL and on Supabase.")

    @Option(help: "The folder of .sql migration files.")
    var directory = "db/migrations"

    @Option(help: "Write the migrations for a Supabase project's tooling into this folder (e.g. supabase/migrations) instead of applying them.")
    var export: String?

    func run() throws {
        if let export {
            try FileIO.makeDirectories(export)
            var written: [JSON] = []
            for file in try Migrator.supabaseExport(directory: directory) {
                try FileIO.write(path: export + "/" + file.name, bytes: Array(file.text.utf8))
                written.append(.string(file.name))
            }
            print(JSON.object(["exported": .array(written)]).serialized())
            return
        }
        let environment = Environment.process()
        let connection = PostgresConnection(configuration: try .init(environment: environment))
        let progress = Progress("migrations")
        let applied = try Migrator(connection: connection, directory: directory).migrate { progress.update($0, of: $1) }
        progress.finish()
        print(JSON.object(["applied": .array(applied.map(JSON.string))]).serialized())
    }
}
