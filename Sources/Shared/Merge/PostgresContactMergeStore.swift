/// `ContactMergeStore` on `public.userbuckets_contact_buckets` and the functions of
/// db/migrations/0009 (`userbuckets_merge_rows` moves every row of a step in one transaction).
package final class PostgresContactMergeStore: ContactMergeStore {
    private let connection: PostgresConnection

    package init(connection: PostgresConnection) {
        self.connection = connection
    }

    private static let columns = """
        c.contact_id, c.bucket_name, c.phone_key, c.state, c.target_user, c.target_bucket, c.merged_user, c.objects_moved,
        c.merge_requests, c.note, to_json(c.updated_at) #>> '{}' AS updated_at, j.status AS job_status, j.last_error AS job_error
        """
    private static let joined = """
        FROM public.userbuckets_contact_buckets c
        LEFT JOIN public.userbuckets_jobs j ON j.dedupe_key = 'merge:' || c.contact_id
        """

    static let select = PreparedStatement("SELECT \(columns) \(joined) WHERE c.contact_id = $1")
    static let tryLock = PreparedStatement("SELECT pg_try_advisory_lock(hashtextextended('userbuckets:merge:' || $1, 7265))")
    static let release = PreparedStatement("SELECT pg_advisory_unlock(hashtextextended('userbuckets:merge:' || $1, 7265))")
    static let begin = PreparedStatement(
        """
        UPDATE public.userbuckets_contact_buckets SET state = 'merging', target_user = $2::uuid, target_bucket = $3, note = NULL,
            updated_at = now()
        WHERE contact_id = $1
        """)
    static let move = PreparedStatement(
        "SELECT path, settled FROM public.userbuckets_merge_rows($1, $2, $3::uuid, $4, $5, $6::jsonb, $7::int)")
    static let withRows = PreparedStatement(
        """
        SELECT p FROM jsonb_array_elements_text($3::jsonb) AS p
        WHERE EXISTS (SELECT 1 FROM public.userbuckets_chatwoot_messages g WHERE g.bucket_name = $1 AND g.object_path = p)
           OR EXISTS (SELECT 1 FROM public.audio_files a WHERE a.file_path = $2 || '://' || $1 || '/' || p)
        """)
    static let running = PreparedStatement(
        "SELECT count(*) FROM public.userbuckets_jobs WHERE kind = 'audio' AND status = 'running' AND payload ->> 'bucket' = $1")
    static let finish = PreparedStatement(
        """
        UPDATE public.userbuckets_contact_buckets SET state = 'merged', merged_user = $2::uuid, merged_at = now(),
            objects_moved = objects_moved + $3::bigint, note = $5, waiting = '{}'::jsonb, updated_at = now()
        WHERE contact_id = $1 AND merge_requests = $4::bigint
        """)
    static let leaveAs = PreparedStatement(
        """
        UPDATE public.userbuckets_contact_buckets SET state = $2, target_user = NULL, target_bucket = NULL, note = $3, updated_at = now()
        WHERE contact_id = $1
        """)
    static let noted = PreparedStatement(
        "UPDATE public.userbuckets_contact_buckets SET note = $2, updated_at = now() WHERE contact_id = $1")
    static let listAll = PreparedStatement(
        "SELECT \(columns) \(joined) WHERE $1::text IS NULL OR c.state = $1 ORDER BY c.updated_at DESC, c.contact_id LIMIT $2::int")
    static let selectUnmerged = PreparedStatement(
        """
        SELECT \(columns) \(joined)
        WHERE c.state <> 'merged' AND (c.phone_key IN (SELECT jsonb_array_elements_text($1::jsonb))
            OR c.contact_id IN (SELECT jsonb_array_elements_text($2::jsonb)))
        ORDER BY c.contact_id
        """)
    static let counts = PreparedStatement("SELECT state, count(*) AS count FROM public.userbuckets_contact_buckets GROUP BY state")

    package func contact(_ contactID: String) throws -> ContactBucket? {
        try connection.execute(Self.select, [contactID]).records.first.map(Self.contactBucket)
    }

    static let request = PreparedStatement("SELECT public.userbuckets_queue_contact_merge($1)")

    package func requestMerge(_ contactID: String) throws {
        _ = try connection.execute(Self.request, [contactID])
    }

    package func lock(_ contactID: String) throws -> Bool {
        try connection.execute(Self.tryLock, [contactID]).scalar == "t"
    }

    package func unlock(_ contactID: String) throws {
        _ = try connection.execute(Self.release, [contactID])
    }

    package func begin(_ contactID: String, user: UserID, bucket: String) throws {
        _ = try connection.execute(Self.begin, [contactID, user, bucket])
    }

    package func moveRows(
        contactID: String, from: String, user: UserID, to: String, scheme: String, objects: [MergedObject], graceSeconds: Int
    ) throws -> [String: Bool] {
        let records = try connection.execute(
            Self.move, [contactID, from, user, to, scheme, JSON.array(objects.map(\.json)).serialized(), graceSeconds]
        ).records
        var settled: [String: Bool] = [:]
        for row in records {
            if let path = row.string("path") { settled[path] = row.bool("settled") ?? false }
        }
        return settled
    }

    package func pathsWithRows(in bucket: String, scheme: String, paths: [String]) throws -> Set<String> {
        guard !paths.isEmpty else { return [] }
        let rows = try connection.execute(Self.withRows, [bucket, scheme, JSON.array(paths.map(JSON.string)).serialized()]).rows
        return Set(rows.compactMap { $0.first ?? nil })
    }

    package func runningAudioJobs(bucket: String) throws -> Int {
        Int(try connection.execute(Self.running, [bucket]).scalar ?? "0") ?? 0
    }

    package func finishMerged(_ contactID: String, user: UserID, objectsMoved: Int, requests: Int64, note: String?) throws -> Bool {
        try connection.execute(Self.finish, [contactID, user, objectsMoved, requests, note]).affectedRows == 1
    }

    package func leave(_ contactID: String, state: ContactBucket.State, note: String) throws {
        _ = try connection.execute(Self.leaveAs, [contactID, state.rawValue, note])
    }

    package func setNote(_ contactID: String, _ note: String) throws {
        _ = try connection.execute(Self.noted, [contactID, note])
    }

    package func list(state: ContactBucket.State?, limit: Int) throws -> [ContactBucket] {
        try connection.execute(Self.listAll, [state?.rawValue, limit]).records.map(Self.contactBucket)
    }

    package func unmerged(phoneKeys: [String], contactIDs: [String]) throws -> [ContactBucket] {
        try connection.execute(
            Self.selectUnmerged,
            [JSON.array(phoneKeys.map(JSON.string)).serialized(), JSON.array(contactIDs.map(JSON.string)).serialized()]
        ).records.map(Self.contactBucket)
    }

    package func countsByState() throws -> [ContactBucket.State: Int] {
        var counts: [ContactBucket.State: Int] = [:]
        for row in try connection.execute(Self.counts).records {
            if let state = row.string("state").flatMap(ContactBucket.State.init(rawValue:)), let count = row.int("count") { counts[state] = count }
        }
        return counts
    }

    private static func contactBucket(_ row: PostgresRow) -> ContactBucket {
        ContactBucket(
            contactID: row.string("contact_id") ?? "", bucket: row.string("bucket_name") ?? "", phoneKey: row.string("phone_key"),
            state: row.string("state").flatMap(ContactBucket.State.init(rawValue:)) ?? .open, targetUser: row.userID("target_user"),
            targetBucket: row.string("target_bucket"), mergedUser: row.userID("merged_user"), objectsMoved: row.int("objects_moved") ?? 0,
            mergeRequests: row.int64("merge_requests") ?? 0, note: row.string("note"), jobStatus: row.string("job_status"),
            jobError: row.string("job_error"), updatedAt: row.string("updated_at"))
    }
}
