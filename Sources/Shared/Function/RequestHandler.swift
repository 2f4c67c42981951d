/// A function's own work: maps one request to one response.
///
/// Handlers are synchronous because everything they call (libpq, libcurl, the file system)
/// blocks; concurrency comes from worker processes. The pipeline around them
/// (`FunctionResponder`) checks the method, answers preflights, renders errors, adds CORS and
/// the request id, logs and counts: a handler only handles. An error thrown here becomes a JSON
/// error response: a `ServiceError` with its own status, anything else a 500 that carries only
/// the request id.
package protocol RequestHandler {
    func handle(_ request: Request, context: RequestContext) throws -> Response
}

/// The last health answer, reused for a second (one per serving thread).
final class HealthMemo {
    private var last: (at: Int, response: Response)?

    func answer(now: Int, _ make: () -> Response) -> Response {
        if let last, now - last.at < 1000 { return last.response }
        let response = make()
        last = (now, response)
        return response
    }
}

/// What one serving thread runs: the handler, and the gauges it can read for the metrics
/// scrape (the job queue's depth, where the function has the connection for it).
package struct FunctionInstance {
    package var handler: any RequestHandler
    package var gauges: () -> String
    /// What the serving loop watches between requests: the identification cache's database
    /// notifications (`CoreServices.watcher`).
    package var watcher: (any DescriptorWatcher)?

    /// `GET /functions/v1/_health`'s answer (nil: 404).
    package var health: (() -> Response)?
    /// `GET /functions/v1/_status/failures`: the latest failed jobs, for the status page.
    package var failures: (() -> Response)?

    package init(handler: any RequestHandler, gauges: @escaping () -> String = { "" }, watcher: (any DescriptorWatcher)? = nil) {
        self.handler = handler
        self.gauges = gauges
        self.watcher = watcher
    }

    /// A function's instance over `core`: its watcher, the health answer and the gauges of
    /// what runs (`Health`), with `gauges` of its own.
    package init(handler: any RequestHandler, core: CoreServices, environment: Environment, gauges: @escaping () -> String = { "" }) {
        let pools = Health.configuredPools(environment: environment)
        let backend = core.storage.backendName
        let answers = NginxAnswers(path: environment.get("UB_NGINX_ANSWERS_LOG"))
        self.init(
            handler: handler,
            gauges: { gauges() + Health.gauges(pools: pools, backend: backend) + answers.exposition() },
            watcher: core.watcher)
        // Open to load balancers: an answer is kept for a second, so a flood of probes costs one
        // database read and one storage call per second per worker, not one per probe.
        let memo = HealthMemo()
        self.health = {
            memo.answer(now: MonotonicClock.milliseconds()) { Health.response(core: core, pools: pools, storageName: backend) }
        }
        self.failures = {
            // The newest five (the queue lists oldest first).
            let jobs = ((try? core.jobs.list(status: .failed, limit: 1000)) ?? []).suffix(5).reversed()
            return .json(
                .object([
                    "jobs": .array(
                        jobs.map {
                            .object([
                                "id": .integer(Int($0.id)), "kind": .string($0.kind), "attempts": .integer($0.attempts),
                                "error": $0.lastError.map(JSON.string) ?? .null,
                            ])
                        })
                ]))
        }
    }
}
