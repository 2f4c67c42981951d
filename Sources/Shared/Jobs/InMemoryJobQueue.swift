import Synchronization

/// `JobQueue` in memory, for tests, with the SQL queue's rules: one job per dedupe key, claims
/// in order of due time (a running job whose lease ran out is claimable again), attempts
/// counted per claim, terminal failure when attempts are used up or the error is permanent.
package final class InMemoryJobQueue: JobQueue, Sendable {
    private struct Entry: Sendable {
        var job: Job
        var dedupeKey: String?
        var runAt: Int
        var leasedUntil: Int?
        var result: JSON?
    }

    private let entries = Mutex<[Entry]>([])
    private let clock: @Sendable () -> Int
    private let maxAttempts: Int

    package init(maxAttempts: Int = 8, clock: @escaping @Sendable () -> Int = { UnixTime.now() }) {
        self.maxAttempts = maxAttempts
        self.clock = clock
    }

    package func enqueue(kind: String, payload: JSON, dedupeKey: String?) throws {
        let now = clock()
        entries.withLock { entries in
            if let dedupeKey, entries.contains(where: { $0.dedupeKey == dedupeKey }) { return }
            let job = Job(id: Int64(entries.count + 1), kind: kind, payload: payload, status: .queued, attempts: 0, maxAttempts: maxAttempts)
            entries.append(Entry(job: job, dedupeKey: dedupeKey, runAt: now))
        }
    }

    package func claim(workerID: String, leaseSeconds: Int) throws -> Job? {
        let now = clock()
        return entries.withLock { entries in
            let runnable = entries.indices.filter { index in
                let entry = entries[index]
                return (entry.job.status == .queued && entry.runAt <= now)
                    || (entry.job.status == .running && (entry.leasedUntil ?? now) < now)
            }
            guard let index = runnable.min(by: { entries[$0].runAt < entries[$1].runAt }) else { return nil }
            return Self.lease(&entries[index], until: now + leaseSeconds)
        }
    }

    package func claim(dedupeKey: String, workerID: String, leaseSeconds: Int) throws -> Job? {
        let now = clock()
        return entries.withLock { entries in
            guard
                let index = entries.firstIndex(where: { entry in
                    entry.dedupeKey == dedupeKey
                        && (entry.job.status == .queued || (entry.job.status == .running && (entry.leasedUntil ?? now) < now))
                })
            else { return nil }
            return Self.lease(&entries[index], until: now + leaseSeconds)
        }
    }

    /// Marks a claimed entry running with one more attempt, leased until `until`.
    private static func lease(_ entry: inout Entry, until: Int) -> Job {
        let old = entry.job
        entry.job = Job(
            id: old.id, kind: old.kind, payload: old.payload, status: .running, attempts: old.attempts + 1, maxAttempts: old.maxAttempts,
            lastError: old.lastError)
        entry.leasedUntil = until
        return entry.job
    }

    package func finish(_ job: Job, status: Job.Status, result: JSON) throws {
        update(job.id) { entry in
            entry.job = Self.with(entry.job, status: status, lastError: nil)
            entry.result = result
            entry.leasedUntil = nil
        }
    }

    package func retry(_ job: Job, error: String, delaySeconds: Int, permanent: Bool) throws {
        let now = clock()
        update(job.id) { entry in
            let failed = permanent || entry.job.attempts >= entry.job.maxAttempts
            entry.job = Self.with(entry.job, status: failed ? .failed : .queued, lastError: error)
            entry.runAt = now + delaySeconds
            entry.leasedUntil = nil
        }
    }

    package func list(status: Job.Status?, limit: Int) throws -> [Job] {
        entries.withLock { entries in
            Array(
                entries.map(\.job).filter { job in status.map { job.status == $0 } ?? [.queued, .running, .failed].contains(job.status) }
                    .prefix(limit))
        }
    }

    package func requeue(ids: [Int64]?) throws -> Int {
        let now = clock()
        return entries.withLock { entries in
            var count = 0
            for index in entries.indices where ids.map({ $0.contains(entries[index].job.id) }) ?? (entries[index].job.status == .failed) {
                let old = entries[index].job
                entries[index].job = Job(id: old.id, kind: old.kind, payload: old.payload, status: .queued, attempts: 0, maxAttempts: old.maxAttempts)
                entries[index].runAt = now
                count += 1
            }
            return count
        }
    }

    package func requeue(dedupeKeys: [String]) throws -> Int {
        let now = clock()
        return entries.withLock { entries in
            var count = 0
            for index in entries.indices
            where entries[index].dedupeKey.map(dedupeKeys.contains) == true && [.done, .failed, .skipped].contains(entries[index].job.status) {
                let old = entries[index].job
                entries[index].job = Job(id: old.id, kind: old.kind, payload: old.payload, status: .queued, attempts: 0, maxAttempts: old.maxAttempts)
                entries[index].runAt = now
                count += 1
            }
            return count
        }
    }

    package func countsByStatus() throws -> [Job.Status: Int] {
        entries.withLock { entries in entries.reduce(into: [:]) { $0[$1.job.status, default: 0] += 1 } }
    }

    private func update(_ id: Int64, _ change: (inout Entry) -> Void) {
        entries.withLock { entries in
            if let index = entries.firstIndex(where: { $0.job.id == id }) { change(&entries[index]) }
        }
    }

    private static func with(_ job: Job, status: Job.Status, lastError: String?) -> Job {
        Job(
            id: job.id, kind: job.kind, payload: job.payload, status: status, attempts: job.attempts, maxAttempts: job.maxAttempts,
            lastError: lastError)
    }
}
