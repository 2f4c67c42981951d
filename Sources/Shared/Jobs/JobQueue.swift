/// The durable job queue: the seam between who enqueues (the webhook) and who works (the
/// worker). `PostgresJobQueue` live; tests use it against the real database too.
package protocol JobQueue: AnyObject {
    /// Adds a job; a second job with the same `dedupeKey` is not added.
    func enqueue(kind: String, payload: JSON, dedupeKey: String?) throws

    /// Claims the next runnable job (queued and due, or running with an expired lease) for
    /// `leaseSeconds`, counting an attempt; nil when there is none.
    func claim(workerID: String, leaseSeconds: Int) throws -> Job?

    /// Claims the job with this dedupe key now, whenever it was due (queued, or running with an
    /// expired lease); nil when there is none or a worker holds it.
    func claim(dedupeKey: String, workerID: String, leaseSeconds: Int) throws -> Job?

    /// The job succeeded (`done`) or ended in a terminal non-error state (`skipped`).
    func finish(_ job: Job, status: Job.Status, result: JSON) throws

    /// The attempt failed: run again after `delaySeconds`, or fail for good when attempts are
    /// used up or `permanent`.
    func retry(_ job: Job, error: String, delaySeconds: Int, permanent: Bool) throws

    /// Jobs by status (nil: queued, running and failed), oldest first.
    func list(status: Job.Status?, limit: Int) throws -> [Job]

    /// Puts failed (or any given) jobs back in the queue, attempts reset; returns how many.
    func requeue(ids: [Int64]?) throws -> Int

    /// Runs the finished (done, failed or skipped) jobs with these dedupe keys again, attempts
    /// reset; queued and running ones are left as they are. Returns how many.
    func requeue(dedupeKeys: [String]) throws -> Int

    /// How many jobs are in each state (states with none are left out).
    func countsByStatus() throws -> [Job.Status: Int]
}

extension JobQueue {
    /// Records how an attempt ended; returns the outcome's label for logs and metrics (`done`,
    /// `skipped`, `retry`, `failed`).
    package func record(_ outcome: JobOutcome, of job: Job) throws -> String {
        switch outcome {
        case .done(let result):
            try finish(job, status: .done, result: result)
            return "done"
        case .skipped(let result):
            try finish(job, status: .skipped, result: result)
            return "skipped"
        case .retry(let reason, let delay):
            try retry(job, error: reason, delaySeconds: delay, permanent: false)
            return job.attempts >= job.maxAttempts ? "failed" : "retry"
        case .fail(let reason):
            try retry(job, error: reason, delaySeconds: 0, permanent: true)
            return "failed"
        }
    }

    /// The queue's depth by state as Prometheus gauges, for the metrics scrape; empty when the
    /// database cannot say.
    package func depthGauges() -> String {
        guard let counts = try? countsByStatus() else { return "" }
        return "# HELP userbuckets_jobs_in_queue Jobs in the queue now, by state.\n# TYPE userbuckets_jobs_in_queue gauge\n"
            + [Job.Status.queued, .running, .done, .failed, .skipped].map {
                "userbuckets_jobs_in_queue{state=\"\($0.rawValue)\"} \(counts[$0] ?? 0)\n"
            }
            .joined()
    }
}
