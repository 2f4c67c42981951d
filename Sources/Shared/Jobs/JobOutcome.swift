/// How one attempt at a job ended, as the worker records it.
package enum JobOutcome: Equatable, Sendable {
    case done(JSON)
    /// Finished without doing the work on purpose (no OpenAI key, no processor configured).
    case skipped(JSON)
    case retry(reason: String, delaySeconds: Int)
    case fail(reason: String)
}

/// Runs the jobs of one kind.
package protocol JobRunner {
    func run(_ job: Job) -> JobOutcome
}
