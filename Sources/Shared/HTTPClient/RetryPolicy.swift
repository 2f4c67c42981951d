#if canImport(Glibc)
    import Glibc
#endif

/// When and how long to retry an idempotent call: exponential backoff with full jitter, a cap
/// on attempts and on the total time, and the server's `Retry-After` honoured.
///
/// Retried: 408, 429, 5xx, and connections that failed, timed out or were reset. Never: other
/// 4xx, calls that are not idempotent, and downloads that already delivered bytes.
package struct RetryPolicy: Sendable {
    package var maxAttempts: Int
    package var initialDelayMs: Int
    package var maxDelayMs: Int
    /// Attempts stop when the next wait would end past this many milliseconds from the start.
    package var budgetMs: Int

    package init(maxAttempts: Int = 5, initialDelayMs: Int = 200, maxDelayMs: Int = 5_000, budgetMs: Int = 20_000) {
        self.maxAttempts = max(1, maxAttempts)
        self.initialDelayMs = initialDelayMs
        self.maxDelayMs = maxDelayMs
        self.budgetMs = budgetMs
    }

    /// Reads `GCS_RETRY_MAX_ATTEMPTS` (5), `GCS_RETRY_INITIAL_DELAY_MS` (200) and
    /// `GCS_RETRY_BUDGET_MS` (20000).
    package init(environment: Environment) throws(Environment.Error) {
        self.init(
            maxAttempts: try environment.integer("GCS_RETRY_MAX_ATTEMPTS", default: 5),
            initialDelayMs: try environment.integer("GCS_RETRY_INITIAL_DELAY_MS", default: 200),
            budgetMs: try environment.integer("GCS_RETRY_BUDGET_MS", default: 20_000))
    }

    package static func isRetryable(status: Int) -> Bool {
        status == 408 || status == 429 || (500...599).contains(status)
    }

    /// The last answer and how many attempts it took.
    package struct Outcome {
        package let response: HTTPClientResponse
        package let attempts: Int
    }

    /// Sends `request`, again while the answer is worth retrying and the policy allows.
    /// - Returns: the last response (which may still be a retryable status when attempts ran out).
    /// - Throws: the last transport error, its detail saying how many attempts were made.
    package func send(
        _ request: HTTPClientRequest, with client: any HTTPClient, idempotent: Bool,
        download: ((UnsafeRawBufferPointer) throws -> Void)? = nil
    ) throws(HTTPClientError) -> Outcome {
        let started = MonotonicClock.milliseconds()
        var delivered = false
        let sink: ((UnsafeRawBufferPointer) throws -> Void)? = download.map { download in
            { bytes in
                delivered = true
                try download(bytes)
            }
        }
        var attempt = 1
        while true {
            let result: Result<HTTPClientResponse, HTTPClientError>
            do {
                result = .success(try client.send(request, download: sink))
            } catch {
                result = .failure(error)
            }
            var retryAfterSeconds: Int?
            let retryable: Bool
            switch result {
            case .success(let response):
                retryable = Self.isRetryable(status: response.status)
                retryAfterSeconds = response.headers["retry-after"].flatMap { Int($0) }
            case .failure(let error):
                retryable = error.isTransient
            }
            let wait = delayMs(afterAttempt: attempt, retryAfterSeconds: retryAfterSeconds)
            guard idempotent, retryable, !delivered, attempt < maxAttempts, MonotonicClock.milliseconds() - started + wait <= budgetMs else {
                switch result {
                case .success(let response): return Outcome(response: response, attempts: attempt)
                case .failure(let error):
                    throw HTTPClientError(error.code, "\(error.detail) (after \(attempt) attempt\(attempt == 1 ? "" : "s"))")
                }
            }
            Self.sleep(milliseconds: wait)
            attempt += 1
        }
    }

    /// Full jitter: a random wait up to `initialDelayMs × 2^(attempt-1)`, capped; a
    /// `Retry-After` wins when it asks for longer.
    func delayMs(afterAttempt attempt: Int, retryAfterSeconds: Int?) -> Int {
        let ceiling = min(maxDelayMs, initialDelayMs << min(attempt - 1, 20))
        let jittered = Int.random(in: 0...max(0, ceiling))
        guard let retryAfterSeconds, retryAfterSeconds > 0 else { return jittered }
        return max(jittered, retryAfterSeconds * 1000)
    }

    static func sleep(milliseconds: Int) {
        POSIX.sleep(milliseconds: milliseconds)
    }

}
