/// `JobQueue` on `public.userbuckets_jobs` (db/migrations/0004). Claims use
/// `FOR UPDATE SKIP LOCKED`, so any number of workers on any number of hosts share the queue;
/// a lease makes a job whose worker died claimable again.
package final class PostgresJobQueue: JobQueue {
    private let connection: PostgresConnection

    package init(connection: PostgresConnection) {
        self.connection = connection
    }

    static let insert = PreparedStatement(
        """
        INSERT INTO public.userbuckets_jobs (kind, payload, dedupe_key) VALUES ($1, $2::jsonb, $3)
        ON CONFLICT (dedupe_key) DO NOTHING
        """)
    static let claimNext = PreparedStatement(
        """
        UPDATE public.userbuckets_jobs SET status = 'running', attempts = attempts + 1, leased_by = $1,
            leased_until = now() + make_interval(secs => $2::int), updated_at = now()
        WHERE id = (
            SELECT id FROM public.userbuckets_jobs
            WHERE (status = 'queued' AND run_at <= now()) OR (status = 'running' AND leased_until < now())
            ORDER BY run_at LIMIT 1 FOR UPDATE SKIP LOCKED)
        RETURNING id, kind, payload::text AS payload, status, attempts, max_attempts, last_error, to_json(run_at) #>> '{}' AS run_at
        """)
    static let claimByKey = PreparedStatement(
        """
        UPDATE public.userbuckets_jobs SET status = 'running', attempts = attempts + 1, leased_by = $2,
            leased_until = now() + make_interval(secs => $3::int), updated_at = now()
        WHERE id = (
            SELECT id FROM public.userbuckets_jobs
            WHERE dedupe_key = $1 AND (status = 'queued' OR (status = 'running' AND leased_until < now()))
            FOR UPDATE SKIP LOCKED)
        RETURNING id, kind, payload::text AS payload, status, attempts, max_attempts, last_error, to_json(run_at) #>> '{}' AS run_at
        """)
    static let finishJob = PreparedStatement(
        """
        UPDATE public.userbuckets_jobs SET status = $2, result = $3::jsonb, leased_until = NULL, last_error = NULL, updated_at = now()
        WHERE id = $1::bigint
        """)
    static let retryJob = PreparedStatement(
        """
        UPDATE public.userbuckets_jobs SET
            status = CASE WHEN $4::bool OR attempts >= max_attempts THEN 'failed' ELSE 'queued' END,
            run_at = now() + make_interval(secs => $3::int), last_error = $2, leased_until = NULL, updated_at = now()
        WHERE id = $1::bigint
        """)
    static let listJobs = PreparedStatement(
        """
        SELECT id, kind, payload::text AS payload, status, attempts, max_attempts, last_error, to_json(run_at) #>> '{}' AS run_at FROM public.userbuckets_jobs
        WHERE ($1::text IS NULL AND status IN ('queued', 'running', 'failed')) OR status = $1
        ORDER BY id LIMIT $2::int
        """)
    static let requeueJobs = PreparedStatement(
        """
        UPDATE public.userbuckets_jobs SET status = 'queued', attempts = 0, run_at = now(), last_error = NULL,
            leased_until = NULL, updated_at = now()
        WHERE ($1::bigint[] IS NULL AND status = 'failed') OR id = ANY($1::bigint[])
        """)

    static let requeueByKey = PreparedStatement(
        """
        UPDATE public.userbuckets_jobs SET status = 'queued', attempts = 0, run_at = now(), last_error = NULL,
            leased_until = NULL, updated_at = now()
        WHERE dedupe_key IN (SELECT jsonb_array_elements_text($1::jsonb)) AND status IN ('done', 'failed', 'skipped')
        """)

    package func requeue(dedupeKeys: [String]) throws -> Int {
        guard !dedupeKeys.isEmpty else { return 0 }
        return try connection.execute(Self.requeueByKey, [JSON.array(dedupeKeys.map(JSON.string)).serialized()]).affectedRows
    }

    package func enqueue(kind: String, payload: JSON, dedupeKey: String?) throws {
        _ = try connection.execute(Self.insert, [kind, payload.serialized(), dedupeKey])
    }

    package func claim(workerID: String, leaseSeconds: Int) throws -> Job? {
        try connection.execute(Self.claimNext, [workerID, leaseSeconds]).records.first.map(Self.job)
    }

    package func claim(dedupeKey: String, workerID: String, leaseSeconds: Int) throws -> Job? {
        try connection.execute(Self.claimByKey, [dedupeKey, workerID, leaseSeconds]).records.first.map(Self.job)
    }

    package func finish(_ job: Job, status: Job.Status, result: JSON) throws {
        _ = try connection.execute(Self.finishJob, [job.id, status.rawValue, result.serialized()])
    }

    package func retry(_ job: Job, error: String, delaySeconds: Int, permanent: Bool) throws {
        _ = try connection.execute(Self.retryJob, [job.id, error.prefix(1000), delaySeconds, permanent])
    }

    package func list(status: Job.Status?, limit: Int) throws -> [Job] {
        try connection.execute(Self.listJobs, [status?.rawValue, limit]).records.map(Self.job)
    }

    package func requeue(ids: [Int64]?) throws -> Int {
        try connection.execute(Self.requeueJobs, [ids.map { "{" + $0.map(String.init).joined(separator: ",") + "}" }]).affectedRows
    }

    private static func job(_ row: PostgresRow) -> Job {
        Job(
            id: row.int64("id") ?? 0, kind: row.string("kind") ?? "", payload: (try? JSONParser.parse(row.string("payload") ?? "{}")) ?? .null,
            status: row.string("status").flatMap(Job.Status.init(rawValue:)) ?? .queued, attempts: row.int("attempts") ?? 0,
            maxAttempts: row.int("max_attempts") ?? 0, lastError: row.string("last_error"), runAt: row.string("run_at"))
    }

    static let counts = PreparedStatement("SELECT status, count(*) AS count FROM public.userbuckets_jobs GROUP BY status")

    package func countsByStatus() throws -> [Job.Status: Int] {
        var counts: [Job.Status: Int] = [:]
        for row in try connection.execute(Self.counts).records {
            if let status = row.string("status").flatMap(Job.Status.init(rawValue:)), let count = row.int("count") { counts[status] = count }
        }
        return counts
    }
}
