/// One unit of background work from the queue.
package struct Job: Sendable, Equatable {
    package enum Status: String, Sendable {
        case queued, running, done, failed, skipped
    }

    package let id: Int64
    package let kind: String
    package let payload: JSON
    package let status: Status
    /// Attempts started so far, this one included for a claimed job.
    package let attempts: Int
    package let maxAttempts: Int
    package let lastError: String?
    package let runAt: String?

    package init(
        id: Int64, kind: String, payload: JSON, status: Status, attempts: Int, maxAttempts: Int, lastError: String? = nil,
        runAt: String? = nil
    ) {
        self.id = id
        self.kind = kind
        self.payload = payload
        self.status = status
        self.attempts = attempts
        self.maxAttempts = maxAttempts
        self.lastError = lastError
        self.runAt = runAt
    }
}
