internal import CFastCGI
public import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Serves one `RequestHandler` over libfcgi on the listening socket at fd 0 (spawn-fcgi and
/// systemd socket activation both put it there).
///
/// Each serving thread owns its own handler (and so its own database connection). The loop
/// always answers: an error thrown by the handler becomes a JSON error response, never a hung
/// connection. SIGTERM and SIGINT stop accepting; the request in flight is finished first.
public final class FastCGIServer {
    /// How the server serves.
    public struct Configuration: Sendable {
        /// Largest request body read into memory; larger ones get 413 without being read.
        public var maxBodyBytes: Int
        /// Serving threads in this process, each with its own handler.
        public var threads: Int

        public init(maxBodyBytes: Int = 1 << 20, threads: Int = 1) {
            self.maxBodyBytes = maxBodyBytes
            self.threads = max(1, threads)
        }

        /// Reads `UB_MAX_BODY_BYTES` (default: the function's own cap) and `UB_THREADS` (default 1).
        public init(environment: Environment, defaultMaxBodyBytes: Int) throws(Environment.Error) {
            self.init(
                maxBodyBytes: try environment.integer("UB_MAX_BODY_BYTES", default: defaultMaxBodyBytes),
                threads: try environment.integer("UB_THREADS", default: 1))
        }
    }

    private let configuration: Configuration
    private let logger: Logger
    private let inFlight = Atomic<Int>(0)

    public init(configuration: Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Serves until SIGTERM/SIGINT. `makeHandler` runs once per serving thread.
    public func run(makeHandler: @escaping @Sendable () throws -> any RequestHandler) throws {
        // libfcgi's close() half-closes, then waits up to 2 s for nginx to close its end first.
        // That wait holds the worker after every response and halves throughput; the request
        // is always read whole before answering (see readBody), so closing at once loses nothing.
        setenv("LIBFCGI_OS_CLOSE_POLL_TIMEOUT", "0", 0)
        FCGX_Init()
        Self.installSignalHandlers()
        var threads: [pthread_t] = []
        for _ in 1..<configuration.threads {
            let box = Unmanaged.passRetained(
                ThreadStart { [self] in
                    // Shutdown signals go to the main thread only: a signal taken by a thread
                    // blocked in accept() would leave the main thread's accept() asleep.
                    ShutdownSignals.blockOnThisThread()
                    self.serveOrExit(makeHandler)
                })
            var thread = pthread_t()
            let result = pthread_create(
                &thread, nil,
                { argument in
                    let start = Unmanaged<ThreadStart>.fromOpaque(argument!).takeRetainedValue()
                    start.body()
                    return nil
                }, box.toOpaque())
            if result != 0 {
                box.release()
                throw ServiceError(.internal, "could not start a serving thread")
            }
            threads.append(thread)
        }
        serveOrExit(makeHandler)
        // Other threads may sit in accept(); they are not woken by the signal. Wait for the
        // requests in flight, then leave.
        while inFlight.load(ordering: .acquiring) > 0 { usleep(10_000) }
        logger.info("worker stopped")
    }

    private func serveOrExit(_ makeHandler: @Sendable () throws -> any RequestHandler) {
        let handler: any RequestHandler
        do {
            handler = try makeHandler()
        } catch {
            logger.critical("worker could not start", metadata: [LogKey.error: "\(error)"])
            exit(1)
        }
        serve(handler)
    }

    private func serve(_ handler: any RequestHandler) {
        let metrics = RequestMetrics(function: handler.functionName)
        let request = UnsafeMutablePointer<FCGX_Request>.allocate(capacity: 1)
        defer { request.deallocate() }
        request.initialize(to: FCGX_Request())
        FCGX_InitRequest(request, 0, Int32(FCGI_FAIL_ACCEPT_ON_INTR))
        while !Self.shutdownRequested.load(ordering: .relaxed) {
            let accepted = FCGX_Accept_r(request)
            if accepted < 0 {
                if accepted == -EINTR, !Self.shutdownRequested.load(ordering: .relaxed) { continue }
                break
            }
            inFlight.add(1, ordering: .acquiring)
            let (response, requestBytes) = respond(to: request, handler: handler, metrics: metrics)
            write(response, to: request)
            FCGX_Finish_r(request)
            inFlight.subtract(1, ordering: .releasing)
            if response.body.count > 1 << 20 || requestBytes > 1 << 20 { _ = cfastcgi_release_free_memory() }
        }
        FCGX_Free(request, 1)
    }

    /// The response, and the size of the request body it answered.
    private func respond(
        to fcgi: UnsafeMutablePointer<FCGX_Request>, handler: any RequestHandler, metrics: RequestMetrics
    ) -> (Response, Int) {
        let started = MonotonicClock.nanoseconds()
        let parameters = CGIParameters(envp: fcgi.pointee.envp)
        let requestID = RequestID.accepting(parameters.header("x-request-id"))
        let context = RequestContext(requestID: requestID, logger: logger)
        let origin = parameters.header("origin")
        var response: Response
        var outcome = "ok"
        if parameters.method == "GET", parameters.path == "/functions/v1/_status" {
            return (Response(status: .ok, headers: [HTTPHeader("Content-Type", "text/html; charset=utf-8")], body: Array(StatusPage.html.utf8)), 0)
        }
        if parameters.method == "GET", parameters.path == "/functions/v1/_metrics" {
            return (
                Response(
                    status: .ok, headers: [HTTPHeader("Content-Type", "text/plain; version=0.0.4")],
                    body: Array((Metrics.shared.exposition() + handler.gauges()).utf8)), 0
            )
        }
        if parameters.method == "OPTIONS" {
            response = handler.cors.preflight(origin: origin)
        } else {
            do {
                let body = try readBody(from: fcgi, contentLength: parameters.contentLength)
                let request = Request(
                    method: parameters.method, path: parameters.path, query: parameters.query,
                    headers: parameters.headers, body: body, remoteAddress: parameters.remoteAddress)
                response = try handler.handle(request, context: context)
            } catch let error as ServiceError {
                outcome = error.code.rawValue
                response = Self.errorResponse(error, requestID: requestID)
                if error.status.code >= 500 {
                    context.logger.error(
                        "request failed", metadata: [LogKey.error: "\(String(reflecting: error.underlying ?? error))"])
                }
            } catch {
                outcome = "internal"
                response = Self.errorResponse(ServiceError(.internal, "Internal server error"), requestID: requestID)
                context.logger.error("request failed", metadata: [LogKey.error: "\(String(reflecting: error))"])
            }
            response.headers.insert(contentsOf: handler.cors.headers(origin: origin), at: 0)
        }
        response.setHeader("X-Request-Id", requestID)
        let elapsedMs = Double(MonotonicClock.nanoseconds() - started) / 1_000_000
        metrics.count(status: response.status.code, seconds: elapsedMs / 1000)
        context.log(
            .info, "request",
            metadata: [
                LogKey.function: .string(handler.functionName),
                LogKey.method: .string(parameters.method),
                LogKey.route: .string(parameters.path),
                LogKey.status: .stringConvertible(response.status.code),
                LogKey.durationMs: .string(String(Int(elapsedMs * 1000)).leftPaddedMillis()),
                LogKey.outcome: .string(outcome),
            ])
        return (response, parameters.contentLength)
    }

    /// The JSON body of an error: 4xx `{success:false, error}`, 5xx adds `details` = request id.
    static func errorResponse(_ error: ServiceError, requestID: String) -> Response {
        if let body = error.body { return .json(body, status: error.status) }
        if error.status.code >= 500 {
            return .json(
                .object(["success": .bool(false), "error": .string(error.publicMessage), "details": .string(requestID)]),
                status: error.status)
        }
        return .json(.object(["success": .bool(false), "error": .string(error.publicMessage)]), status: error.status)
    }

    private func readBody(from fcgi: UnsafeMutablePointer<FCGX_Request>, contentLength: Int) throws(ServiceError) -> [UInt8] {
        if contentLength > configuration.maxBodyBytes {
            discardBody(from: fcgi)
            throw ServiceError(.payloadTooLarge, "Request body is larger than \(configuration.maxBodyBytes) bytes")
        }
        guard contentLength > 0 else { return [] }
        var body = [UInt8](repeating: 0, count: contentLength)
        var filled = 0
        body.withUnsafeMutableBytes { buffer in
            let base = buffer.baseAddress!.assumingMemoryBound(to: CChar.self)
            while filled < contentLength {
                let read = FCGX_GetStr(base + filled, Int32(contentLength - filled), fcgi.pointee.in)
                if read <= 0 { break }
                filled += Int(read)
            }
        }
        if filled != contentLength { throw ServiceError.badRequest("Request body ended early") }
        return body
    }

    /// Reads and drops what is left of the body, so closing the connection cannot reset it
    /// before nginx has read the answer.
    private func discardBody(from fcgi: UnsafeMutablePointer<FCGX_Request>) {
        var scratch = [CChar](repeating: 0, count: 65536)
        scratch.withUnsafeMutableBufferPointer { buffer in
            while FCGX_GetStr(buffer.baseAddress, Int32(buffer.count), fcgi.pointee.in) > 0 {}
        }
    }

    /// Head and body go to libfcgi's buffer separately: no copy of the body into one array.
    private func write(_ response: Response, to fcgi: UnsafeMutablePointer<FCGX_Request>) {
        var clientGone = false
        response.writeHead { piece in
            if !clientGone { clientGone = !put(piece, to: fcgi) }
        }
        if clientGone { return }
        guard let stream = response.bodyStream else {
            _ = put(response.body, to: fcgi)
            return
        }
        do {
            try stream.produce { piece in
                guard put(piece, to: fcgi) else { throw ClientGone() }
            }
        } catch {
            logger.warning("streamed response ended early", metadata: [LogKey.error: "\(error)"])
        }
    }

    private struct ClientGone: Error {}

    private func put(_ bytes: [UInt8], to fcgi: UnsafeMutablePointer<FCGX_Request>) -> Bool {
        bytes.withUnsafeBytes { put($0, to: fcgi) }
    }

    /// False when the client went away (nothing more to do).
    private func put(_ buffer: UnsafeRawBufferPointer, to fcgi: UnsafeMutablePointer<FCGX_Request>) -> Bool {
        var offset = 0
        while offset < buffer.count {
            let chunk = min(buffer.count - offset, Int(Int32.max))
            let written = FCGX_PutStr(buffer.baseAddress!.assumingMemoryBound(to: CChar.self) + offset, Int32(chunk), fcgi.pointee.out)
            if written < 0 { return false }
            offset += Int(written)
        }
        return true
    }

    // MARK: signals

    static let shutdownRequested = Atomic<Bool>(false)

    private static func installSignalHandlers() {
        signal(SIGPIPE, SIG_IGN)
        // No SA_RESTART: a blocked accept() returns EINTR and the loop can end.
        ShutdownSignals.install { _ in
            FastCGIServer.shutdownRequested.store(true, ordering: .relaxed)
            FCGX_ShutdownPending()
        }
    }

}

/// The body of a serving thread, boxed to cross `pthread_create`.
private final class ThreadStart: @unchecked Sendable {
    let body: () -> Void
    init(body: @escaping () -> Void) { self.body = body }
}

extension String {
    /// `"1234"` microseconds as `"1.234"` milliseconds.
    fileprivate func leftPaddedMillis() -> String {
        let padded = String(repeating: "0", count: max(0, 4 - count)) + self
        return padded.dropLast(3) + "." + padded.suffix(3)
    }
}
