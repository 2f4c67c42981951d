/// One unit of background work from the queue.
public struct Job: Sendable, Equatable {
    public enum Status: String, Sendable {
        case queued, running, done, failed, skipped
    }

    public let id: Int64
    public let kind: String
    public let payload: JSON
    public let status: Status
    /// Attempts started so far, this one included for a claimed job.
    public let attempts: Int
    public let maxAttempts: Int
    public let lastError: String?
    public let runAt: String?

    public init(
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
