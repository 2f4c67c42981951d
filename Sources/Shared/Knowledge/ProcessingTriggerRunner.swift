/// Runs `kb_processing` jobs: POSTs the `ProcessingRequest` to `KB_PROCESSING_URL` (with
/// `KB_PROCESSING_TOKEN` as its bearer, when set). A 2xx is done; a timeout, a refused
/// connection, 408, 429 or a 5xx is tried again with backoff; any other answer fails the job
/// (the processor refused it: sending it again would not help). Unset URL: skipped.
package final class ProcessingTriggerRunner: JobRunner {
    private let client: any HTTPClient
    private let url: String?
    private let token: String?
    private let timeoutMs: Int
    private let retryBaseSeconds: Int

    package init(client: any HTTPClient, url: String?, token: String?, timeoutMs: Int = 30_000, retryBaseSeconds: Int = 30) {
        self.client = client
        self.url = url
        self.token = token
        self.timeoutMs = timeoutMs
        self.retryBaseSeconds = retryBaseSeconds
    }

    /// `KB_PROCESSING_URL`, `KB_PROCESSING_TOKEN` (secret), `KB_PROCESSING_TIMEOUT_MS` (30000),
    /// `KB_PROCESSING_RETRY_BASE_SECONDS` (30; doubles per attempt, at most an hour).
    package convenience init(client: any HTTPClient, environment: Environment) throws(Environment.Error) {
        self.init(
            client: client, url: environment.get("KB_PROCESSING_URL"), token: environment.get("KB_PROCESSING_TOKEN"),
            timeoutMs: try environment.integer("KB_PROCESSING_TIMEOUT_MS", default: 30_000),
            retryBaseSeconds: try environment.integer("KB_PROCESSING_RETRY_BASE_SECONDS", default: 30))
    }

    package func run(_ job: Job) -> JobOutcome {
        guard let url else { return .skipped(.object(["reason": .string("KB_PROCESSING_URL is not set")])) }
        guard let request = ProcessingRequest(json: job.payload) else { return .fail(reason: "the job's payload is not a processing request") }
        var headers: [(name: String, value: String)] = [("Content-Type", "application/json")]
        if let token { headers.append(("Authorization", "Bearer \(token)")) }
        let response: HTTPClientResponse
        do {
            response = try client.send(
                HTTPClientRequest(
                    method: "POST", url: url, headers: headers, body: request.json.serializedBytes(), timeoutMs: timeoutMs,
                    maxResponseBytes: 64 << 10),
                download: nil)
        } catch {
            if error.isTransient {
                return .retry(reason: "the processor did not answer: \(error.code.rawValue)", delaySeconds: backoff(job.attempts))
            }
            return .fail(reason: "the processor could not be called: \(error.code.rawValue)")
        }
        switch response.status {
        case 200..<300: return .done(.object(["status": .integer(response.status)]))
        case 408, 429, 500...599:
            let after = response.headers["retry-after"].flatMap { Int($0) }
            return .retry(reason: "the processor answered \(response.status)", delaySeconds: after.map { max(1, $0) } ?? backoff(job.attempts))
        default: return .fail(reason: "the processor refused the call: \(response.status)")
        }
    }

    private func backoff(_ attempts: Int) -> Int {
        guard retryBaseSeconds > 0 else { return 0 }
        let base = min(3600, retryBaseSeconds << min(max(attempts - 1, 0), 7))
        return base / 2 + Int.random(in: 0...(base / 2))
    }
}
