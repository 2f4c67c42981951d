package import Logging

/// The pipeline every request of a function goes through once: the local status page and
/// metrics scrape, CORS preflight, the method allow-list (405), the handler, an error rendered
/// as its response, CORS and `X-Request-Id` on every answer, then (once the response is out)
/// the access log line and the request metrics. One per serving thread.
package final class FunctionResponder: FastCGIResponder {
    private let spec: FunctionSpec
    private let instance: FunctionInstance
    private let cors: CORSPolicy
    private let logger: Logger
    /// `logger`'s level, read once.
    private let logLevel: Logger.Level
    private let metrics: RequestMetrics
    /// The request in flight, for `finished`; nil for one that is not logged or counted.
    private var inFlight: InFlight?

    private struct InFlight {
        let started: Int
        let method: String
        let path: String
        let context: RequestContext
        var outcome: String
    }

    package init(spec: FunctionSpec, instance: FunctionInstance, environment: Environment, logger: Logger) {
        self.spec = spec
        self.instance = instance
        self.cors = CORSPolicy(environment: environment, allowedMethods: spec.methods)
        self.logger = logger
        self.logLevel = logger.logLevel
        self.metrics = RequestMetrics(function: spec.name)
    }

    package func respond(to request: Request, readFailure: ServiceError?) -> Response {
        inFlight = nil
        if request.method == "GET", request.path == "/functions/v1/_status" {
            return Response(status: .ok, headers: [HTTPHeader("Content-Type", "text/html; charset=utf-8")], body: Array(StatusPage.html.utf8))
        }
        if request.method == "GET", request.path == "/functions/v1/_health", let health = instance.health {
            var response = health()
            response.setHeader("Cache-Control", "no-store")
            return response
        }
        if request.method == "GET", request.path == "/functions/v1/_status/failures", let failures = instance.failures {
            var response = failures()
            response.setHeader("Cache-Control", "no-store")
            return response
        }
        if request.method == "GET", request.path == "/functions/v1/_metrics" {
            return Response(
                status: .ok, headers: [HTTPHeader("Content-Type", "text/plain; version=0.0.4")],
                body: Array((Metrics.shared.exposition() + instance.gauges()).utf8))
        }
        let started = MonotonicClock.nanoseconds()
        let requestID = RequestID.accepting(request.header("x-request-id"))
        let context = RequestContext(requestID: requestID, logger: logger, level: logLevel)
        let origin = request.header("origin")
        var outcome = "ok"
        var response: Response
        if request.method == "OPTIONS" {
            response = cors.preflight(origin: origin)
        } else {
            do {
                if let readFailure { throw readFailure }
                guard spec.methods.contains(request.method) else { throw ServiceError.methodNotAllowedOriginal }
                response = try instance.handler.handle(request, context: context)
            } catch let error as ServiceError {
                outcome = error.code.rawValue
                response = error.response(requestID: requestID)
                if error.status.code >= 500 {
                    context.logger.error("request failed", metadata: [LogKey.error: "\(String(reflecting: error.underlying ?? error))"])
                }
            } catch {
                outcome = "internal"
                response = ServiceError(.internal, "Internal server error").response(requestID: requestID)
                context.logger.error("request failed", metadata: [LogKey.error: "\(String(reflecting: error))"])
            }
            cors.append(to: &response.headers, origin: origin)
        }
        // No handler sets it: appended, not searched for.
        response.headers.append(HTTPHeader("X-Request-Id", requestID))
        inFlight = InFlight(started: started, method: request.method, path: request.path, context: context, outcome: outcome)
        return response
    }

    package var watcher: (any DescriptorWatcher)? { instance.watcher }

    package func answer(streamFailure error: any Error, of response: Response) -> Response {
        let failure: ServiceError =
            switch error {
            case let error as ServiceError: error
            case let error as StorageError where error.code == .notFound:
                ServiceError(.notFound, "File not found", body: .object(["success": .bool(false), "error": .string("File not found")]))
            case let error as StorageError: ServiceError.storage(error)
            default: ServiceError(.internal, "Internal server error", underlying: error)
            }
        if failure.status.code >= 500 {
            (inFlight?.context.logger ?? logger).error("streamed response failed", metadata: [LogKey.error: "\(String(reflecting: error))"])
        }
        inFlight?.outcome = failure.code.rawValue
        var answer = failure.response(requestID: response.header("X-Request-Id") ?? "")
        for header in response.headers where header.name.lowercased().hasPrefix("access-control-") || header.name == "X-Request-Id" {
            answer.headers.append(header)
        }
        return answer
    }

    package func finished(status: Int) {
        guard let request = inFlight else { return }
        inFlight = nil
        let elapsedMs = Double(MonotonicClock.nanoseconds() - request.started) / 1_000_000
        metrics.count(status: status, seconds: elapsedMs / 1000)
        // A failure is logged at its level: a server error as an error, a refused request as a
        // warning (with its outcome), everything else as info.
        request.context.log(
            status >= 500 ? .error : status >= 400 ? .warning : .info, "request",
            metadata: [
                LogKey.function: .string(spec.name),
                LogKey.method: .string(request.method),
                LogKey.route: .string(request.path),
                LogKey.status: .stringConvertible(status),
                LogKey.durationMs: .stringConvertible((elapsedMs * 1000).rounded() / 1000),
                LogKey.outcome: .string(request.outcome),
            ])
    }
}
