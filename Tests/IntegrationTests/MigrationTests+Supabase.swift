import Foundation
import Shared
import Testing

/// The migrations exported for a Supabase project's tooling apply the way `supabase db push`
/// applies them (each file in name order, stopping at the first error), and leave the database
/// as `userbuckets migrate` would: it then finds nothing to do.
extension MigrationTests {
    @Test func theSupabaseExportAppliesFileByFileAndMigrateThenSkipsIt() throws {
        let name = "ub_migrate_supabase_export"
        let database = try freshDatabase(name)
        let folder = NSTemporaryDirectory() + "ub-supabase-\(UUID().uuidString)/supabase/migrations"
        defer { try? FileManager.default.removeItem(atPath: String(folder.dropLast("/supabase/migrations".count))) }
        let exported = try Stack.shared.shell(#""$UB_BIN/userbuckets" migrate --export '\#(folder)' --directory "$UB_ROOT/db/migrations""#)
        #expect(exported.status == 0, "\(exported.output)")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        #expect(files.count == 9)
        #expect(files.allSatisfy { $0.wholeMatch(of: /\d{14}_userbuckets_[a-z0-9_]+\.sql/) != nil }, "\(files)")
        #expect(files.first == "20261201000001_userbuckets_supabase_bootstrap.sql")
        let applied = try Stack.shared.shell(
            #"""
            url="${DATABASE_URL/\/userbuckets\?//\#(name)?}"
            for file in '\#(folder)'/*.sql; do psql "$url" -q -v ON_ERROR_STOP=1 -f "$file" >/dev/null 2>&1 || { echo "failed: $file"; exit 1; }; done
            echo applied
            """#)
        #expect(applied.output.contains("applied"), "\(applied.output)")
        #expect(try Migrator(connection: database, directory: migrations).migrate() == [])
        let tables = try database.execute(
            PreparedStatement("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 'userbuckets_%'"))
        #expect(tables.scalar == "4")  // the migrations record, the webhook gate, the jobs, the contact buckets
    }
}
