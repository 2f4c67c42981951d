/// A function served over FastCGI: maps one request to one response.
///
/// Handlers are synchronous because everything they call (libpq, libcurl, the file system)
/// blocks; concurrency comes from worker processes. An error thrown here becomes a JSON error
/// response: a `ServiceError` with its own status, anything else a 500 that carries only the
/// request id.
package protocol RequestHandler {
    /// The function's name, as in `/functions/v1/<name>`.
    var functionName: String { get }
    /// The CORS headers of this function; the server answers preflights with them.
    var cors: CORSPolicy { get }
    /// Handles one request.
    func handle(_ request: Request, context: RequestContext) throws -> Response
    /// Gauges only this handler can read, appended to the metrics scrape.
    func gauges() -> String
}

extension RequestHandler {
    /// Gauges only this handler can read (from its database connection), appended to the
    /// metrics scrape; none by default.
    package func gauges() -> String { "" }
}
