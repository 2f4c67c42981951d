/// The durable job queue: the seam between who enqueues (the webhook) and who works (the
/// worker). `PostgresJobQueue` live; tests use it against the real database too.
package protocol JobQueue: AnyObject {
    /// Adds a job; a second job with the same `dedupeKey` is not added.
    func enqueue(kind: String, payload: JSON, dedupeKey: String?) throws

    /// Claims the next runnable job (queued and due, or running with an expired lease) for
    /// `leaseSeconds`, counting an attempt; nil when there is none.
    func claim(workerID: String, leaseSeconds: Int) throws -> Job?

    /// The job succeeded (`done`) or ended in a terminal non-error state (`skipped`).
    func finish(_ job: Job, status: Job.Status, result: JSON) throws

    /// The attempt failed: run again after `delaySeconds`, or fail for good when attempts are
    /// used up or `permanent`.
    func retry(_ job: Job, error: String, delaySeconds: Int, permanent: Bool) throws

    /// Jobs by status (nil: queued, running and failed), oldest first.
    func list(status: Job.Status?, limit: Int) throws -> [Job]

    /// Puts failed (or any given) jobs back in the queue, attempts reset; returns how many.
    func requeue(ids: [Int64]?) throws -> Int
}
