import Foundation
import Shared
import Testing

/// Migrations apply to a bare PostgreSQL and to a Supabase-shaped one, are idempotent, and stop
/// whole, naming the rows, when duplicates block a unique key.
@Suite(.onTheStack, .serialized)
struct MigrationTests {
    let admin = Stack.shared.database()
    var migrations: String { Stack.shared.values["UB_ROOT"]! + "/db/migrations" }

    /// A new empty database on the stack's server, and a connection to it.
    func freshDatabase(_ name: String) throws -> PostgresConnection {
        try admin.simple(unsafeSQL: "DROP DATABASE IF EXISTS \(name)")
        try admin.simple(unsafeSQL: "CREATE DATABASE \(name)")
        let url = Stack.shared.values["DATABASE_URL"]!.replacingOccurrences(of: "/userbuckets?", with: "/\(name)?")
        return PostgresConnection(configuration: .init(conninfo: url))
    }

    @Test func appliesToABareDatabaseOnceThenNothing() throws {
        let database = try freshDatabase("ub_migrate_bare")
        let first = try Migrator(connection: database, directory: migrations).migrate()
        #expect(
            first == [
                "0001_supabase_bootstrap", "0002_original_tables", "0003_phone_lookup", "0004_chatwoot_messages_and_jobs",
                "0005_gate_without_note_key", "0006_phone_key_rules", "0007_conversations", "0008_identity_notifications",
                "0009_contact_merges",
            ])
        // The gate's note is not a foreign key (each stored message would look it up, 0005).
        let gateKeys = PreparedStatement(
            "SELECT count(*) FROM pg_constraint WHERE conrelid = 'public.userbuckets_chatwoot_messages'::regclass AND contype = 'f'")
        #expect(try database.execute(gateKeys, []).scalar == "0")
        let second = try Migrator(connection: database, directory: migrations).migrate()
        #expect(second.isEmpty)
        // Every stored shape of one person's number reduces to PhoneNumber.lookupKey.
        let normalizer = PhoneNormalizer(defaultRegion: "BR")
        let key = PreparedStatement("SELECT public.userbuckets_phone_key($1)")
        let shapes: [(stored: String, input: String)] = [
            ("whatsapp:+55 (11) 98765-4321", "+5511987654321"), ("5511987654321:12@s.whatsapp.net", "+5511987654321"),
            ("551187654321", "+5511987654321"), ("(11) 98765-4321", "+5511987654321"), ("011 98765 4321", "+5511987654321"),
            ("1187654321", "+5511987654321"), ("+55 11 3456-7890", "+551134567890"), ("11 3456 7890", "+551134567890"),
            ("+1 (415) 555-2671", "+14155552671"), ("0014155552671", "+14155552671"), ("+79912345678", "+79912345678"),
        ]
        for shape in shapes {
            let expected = try #require(normalizer.normalize(shape.input)).lookupKey
            #expect(try database.execute(key, [shape.stored]).scalar == expected, "stored \(shape.stored)")
        }
        // A foreign number stored with its + never matches a Brazilian one with the same digits.
        #expect(try database.execute(key, ["+79912345678"]).scalar != normalizer.normalize("79912345678")?.lookupKey)
    }

    @Test func appliesOverAnExistingSupabaseSchema() throws {
        let database = try freshDatabase("ub_migrate_supabase")
        // What a Supabase project already has: roles, auth, and the tables with extra columns.
        try database.simple(
            unsafeSQL: """
                DO $$ BEGIN
                  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'anon') THEN CREATE ROLE anon NOLOGIN; END IF;
                END $$;
                CREATE SCHEMA auth;
                CREATE TABLE auth.users (id uuid PRIMARY KEY, email text, raw_user_meta_data jsonb);
                CREATE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE AS $f$ SELECT NULL::uuid $f$;
                CREATE TABLE public.profiles (id uuid PRIMARY KEY, user_id uuid NOT NULL UNIQUE, phone_number text,
                    whatsapp_number text, industry text);
                CREATE TABLE public.user_bucket_mapping (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), user_id uuid NOT NULL UNIQUE,
                    bucket_name text NOT NULL UNIQUE, created_at timestamptz NOT NULL DEFAULT now(),
                    updated_at timestamptz NOT NULL DEFAULT now(), notify_on_ready boolean DEFAULT false);
                INSERT INTO public.profiles (id, user_id, whatsapp_number, industry)
                    VALUES (gen_random_uuid(), gen_random_uuid(), '+5511987654321', 'tech');
                """)
        let applied = try Migrator(connection: database, directory: migrations).migrate()
        #expect(applied.count == 9)
        // Existing tables and rows are kept as they were.
        let industry = try database.execute(PreparedStatement("SELECT industry FROM public.profiles"))
        #expect(industry.scalar == "tech")
        let email = try database.execute(
            PreparedStatement("SELECT count(*) FROM information_schema.columns WHERE table_schema = 'auth' AND column_name = 'raw_user_meta_data'"))
        #expect(email.scalar == "1")
    }

    @Test func duplicatesStopTheMigrationAndNameTheRows() throws {
        let database = try freshDatabase("ub_migrate_duplicates")
        try database.simple(
            unsafeSQL: """
                CREATE SCHEMA auth;
                CREATE TABLE auth.users (id uuid PRIMARY KEY);
                CREATE TABLE public.user_bucket_mapping (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), user_id uuid NOT NULL,
                    bucket_name text NOT NULL, created_at timestamptz NOT NULL DEFAULT now(),
                    updated_at timestamptz NOT NULL DEFAULT now());
                INSERT INTO public.user_bucket_mapping (user_id, bucket_name) VALUES
                    ('11111111-1111-1111-1111-111111111111', 'a-user-1'), ('11111111-1111-1111-1111-111111111111', 'a-user-2');
                """)
        do {
            try Migrator(connection: database, directory: migrations).migrate()
            Issue.record("migration applied over duplicate rows")
        } catch let error as MigrationError {
            #expect(error.version == "0003_phone_lookup")
            #expect(error.message.contains("11111111-1111-1111-1111-111111111111"))
        }
        // Nothing of the run was kept: no record, no function.
        let recorded = try database.execute(PreparedStatement("SELECT to_regclass('public.userbuckets_migrations') IS NULL"))
        #expect(recorded.scalar == "t")
        let function = try database.execute(PreparedStatement("SELECT count(*) FROM pg_proc WHERE proname = 'userbuckets_phone_key'"))
        #expect(function.scalar == "0")
    }
}

/// Database errors keep row values out of what they carry to the log.
@Suite(.onTheStack, .serialized)
struct PostgresErrorTests {
    @Test func uniqueViolationsDoNotQuoteTheRow() throws {
        let database = Stack.shared.database()
        let user = try Fixtures().user()
        let insert = PreparedStatement("INSERT INTO public.whatsapp_user_mapping (user_id, whatsapp_number) VALUES ($1::uuid, $2)")
        try database.execute(insert, [user, "+5511912345678"])
        do {
            try database.execute(insert, [user, "+5511912345678"])
            Issue.record("duplicate accepted")
        } catch {
            #expect(error.isUniqueViolation)
            #expect(!String(reflecting: error).contains("12345678"))
        }
    }
}

/// `userbuckets verify-mappings` and `list-buckets` on a prefix of their own.
@Suite(.onTheStack, .serialized)
struct VerifyMappingsTests {
    @Test func rowsAndBucketsAreCheckedBothWays() throws {
        let fixtures = Fixtures()
        let prefix = "ubv" + String(UInt64.random(in: 0...UInt64.max), radix: 36).prefix(8)
        let (user, other) = (try fixtures.user(), try fixtures.user())
        _ = try fixtures.rows("INSERT INTO user_bucket_mapping (user_id, bucket_name) VALUES ($1::uuid, $2) RETURNING 1", [user, "\(prefix)-u-good"])
        let run = #"GCS_BUCKET_PREFIX=\#(prefix) "$UB_BIN/userbuckets""#
        try Stack.shared.shell(#"mkdir -p "$STORAGE_DIR/\#(prefix)-u-good" "$STORAGE_DIR/\#(prefix)-contact-c1""#)
        let clean = try Stack.shared.shell(run + " verify-mappings --json; echo \"exit=$?\"").output
        #expect(clean.contains(#""ok":true"#), "\(clean)")
        #expect(clean.contains("exit=0"))
        let listed = try Stack.shared.shell(run + " list-buckets --json").output
        #expect(listed.contains(#"{"name":"\#(prefix)-contact-c1","userId":null,"kind":"contact"}"#), "\(listed)")
        #expect(listed.contains(#"{"name":"\#(prefix)-u-good","userId":"\#(user)","kind":"user"}"#), "\(listed)")
        // An orphan bucket and a dangling row.
        try Stack.shared.shell(#"mkdir -p "$STORAGE_DIR/\#(prefix)-user-orphan""#)
        _ = try fixtures.rows(
            "INSERT INTO user_bucket_mapping (user_id, bucket_name) VALUES ($1::uuid, $2) RETURNING 1", [other, "\(prefix)-u-gone"])
        let broken = try Stack.shared.shell(run + " verify-mappings --json; echo \"exit=$?\"").output
        #expect(broken.contains(#""ok":false"#), "\(broken)")
        #expect(broken.contains(#""orphanBuckets":["\#(prefix)-user-orphan"]"#), "\(broken)")
        #expect(broken.contains(#""bucketName":"\#(prefix)-u-gone""#), "\(broken)")
        #expect(broken.contains("exit=1"))
        let text = try Stack.shared.shell(run + " verify-mappings --help").output
        #expect(text.contains("dangling rows"))
    }
}
