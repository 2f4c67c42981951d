internal import CFastCGI
package import Logging
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
package final class FastCGIServer {
    /// How the server serves.
    package struct Configuration: Sendable {
        /// Largest request body read into memory; larger ones get 413 without being read.
        package var maxBodyBytes: Int
        /// Serving threads in this process, each with its own handler.
        package var threads: Int

        package init(maxBodyBytes: Int = 1 << 20, threads: Int = 1) {
            self.maxBodyBytes = maxBodyBytes
            self.threads = max(1, threads)
        }

        /// Reads `UB_MAX_BODY_BYTES` (default: the function's own cap) and `UB_THREADS` (default 1).
        package init(environment: Environment, defaultMaxBodyBytes: Int) throws(Environment.Error) {
            self.init(
                maxBodyBytes: try environment.integer("UB_MAX_BODY_BYTES", default: defaultMaxBodyBytes),
                threads: try environment.integer("UB_THREADS", default: 1))
        }
    }

    private let configuration: Configuration
    private let logger: Logger
    private let inFlight = Atomic<Int>(0)

    package init(configuration: Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Serves until SIGTERM/SIGINT. `makeHandler` runs once per serving thread.
    package func run(makeHandler: @escaping @Sendable () throws -> any RequestHandler) throws {
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

    /// One loop over the listening socket and the connections nginx keeps open
    /// (`fastcgi_keep_conn`): whichever has a request is served, one at a time. A kept
    /// connection holds no thread while it is idle — libfcgi's own accept loop would block on
    /// it (PROTOCOLS.md §6.3) — and one that nginx closes is dropped. Without keep-alive every
    /// connection is closed after its answer and the loop is a plain accept loop.
    private func serve(_ handler: any RequestHandler) {
        let metrics = RequestMetrics(function: handler.functionName)
        var connections = KeptConnections()
        defer { connections.closeAll() }
        // Several processes and threads share the listening socket: whoever loses the race for
        // a new connection gets EAGAIN instead of sleeping in accept().
        _ = fcntl(0, F_SETFL, fcntl(0, F_GETFL) | O_NONBLOCK)
        var ready: [pollfd] = []
        while !Self.shutdownRequested.load(ordering: .relaxed) {
            ready.removeAll(keepingCapacity: true)
            ready.append(pollfd(fd: 0, events: Int16(POLLIN), revents: 0))
            connections.appendPollEntries(to: &ready)
            if poll(&ready, nfds_t(ready.count), -1) < 0 {
                if errno == EINTR { continue }
                logger.critical("poll failed", metadata: [LogKey.error: "\(String(cString: strerror(errno)))"])
                break
            }
            for entry in ready.dropFirst() where entry.revents != 0 {
                guard let request = connections.request(for: entry.fd) else { continue }
                // A kept connection nginx has closed reads as the end of the stream.
                var byte: UInt8 = 0
                let peeked = recv(entry.fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
                if peeked < 0 && (errno == EAGAIN || errno == EINTR) { continue }
                if peeked <= 0 {
                    connections.close(request)
                    continue
                }
                serveOne(request, handler: handler, metrics: metrics, connections: &connections)
            }
            if ready[0].revents != 0 {
                let fd = cfastcgi_accept(0)
                if fd < 0 { continue }  // another process or thread took it
                serveOne(connections.open(fd), handler: handler, metrics: metrics, connections: &connections)
            }
        }
    }

    /// Reads the request waiting on `request`'s connection and answers it; the connection stays
    /// in `connections` only if nginx asked to keep it.
    private func serveOne(
        _ request: UnsafeMutablePointer<FCGX_Request>, handler: any RequestHandler, metrics: RequestMetrics,
        connections: inout KeptConnections
    ) {
        guard FCGX_Accept_r(request) >= 0 else {
            // Not a request (a protocol error, a shutdown): libfcgi has closed the connection.
            connections.forget(request)
            return
        }
        inFlight.add(1, ordering: .acquiring)
        var (response, requestBytes, record) = respond(to: request, handler: handler, metrics: metrics)
        if let failure = write(response, to: request, context: record.context) {
            response.status = failure.status
            record.outcome = failure.code.rawValue
        }
        record.finish(status: response.status.code, handler: handler, metrics: metrics)
        FCGX_Finish_r(request)
        inFlight.subtract(1, ordering: .releasing)
        if request.pointee.ipcFd < 0 { connections.forget(request) }
        if response.body.count > 1 << 20 || requestBytes > 1 << 20 { _ = cfastcgi_release_free_memory() }
    }

    /// What the access log and the request metrics need once the response is written (a
    /// streamed response's status is known only then).
    private struct AccessRecord {
        let started: Int
        let method: String
        let path: String
        var outcome: String
        let context: RequestContext?

        func finish(status: Int, handler: any RequestHandler, metrics: RequestMetrics) {
            guard let context else { return }
            let elapsedMs = Double(MonotonicClock.nanoseconds() - started) / 1_000_000
            metrics.count(status: status, seconds: elapsedMs / 1000)
            context.log(
                .info, "request",
                metadata: [
                    LogKey.function: .string(handler.functionName),
                    LogKey.method: .string(method),
                    LogKey.route: .string(path),
                    LogKey.status: .stringConvertible(status),
                    LogKey.durationMs: .string(String(Int(elapsedMs * 1000)).leftPaddedMillis()),
                    LogKey.outcome: .string(outcome),
                ])
        }
    }

    /// The response, the size of the request body it answered, and its access record.
    private func respond(
        to fcgi: UnsafeMutablePointer<FCGX_Request>, handler: any RequestHandler, metrics: RequestMetrics
    ) -> (Response, Int, AccessRecord) {
        let started = MonotonicClock.nanoseconds()
        let parameters = CGIParameters(envp: fcgi.pointee.envp)
        let requestID = RequestID.accepting(parameters.header("x-request-id"))
        let context = RequestContext(requestID: requestID, logger: logger)
        let origin = parameters.header("origin")
        var response: Response
        var outcome = "ok"
        let unrecorded = AccessRecord(started: started, method: "", path: "", outcome: "", context: nil)
        if parameters.method == "GET", parameters.path == "/functions/v1/_status" {
            return (
                Response(status: .ok, headers: [HTTPHeader("Content-Type", "text/html; charset=utf-8")], body: Array(StatusPage.html.utf8)), 0,
                unrecorded
            )
        }
        if parameters.method == "GET", parameters.path == "/functions/v1/_metrics" {
            return (
                Response(
                    status: .ok, headers: [HTTPHeader("Content-Type", "text/plain; version=0.0.4")],
                    body: Array((Metrics.shared.exposition() + handler.gauges()).utf8)), 0, unrecorded
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
        return (
            response, parameters.contentLength,
            AccessRecord(started: started, method: parameters.method, path: parameters.path, outcome: outcome, context: context)
        )
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

    /// Head and body go to libfcgi's buffer separately: no copy of the body into one array. A
    /// streamed body's head waits for its first bytes: a stream that fails before any (the
    /// object is gone, storage fails) is answered with its error instead of an empty 200.
    /// Returns the error answered instead, if one was.
    private func write(_ response: Response, to fcgi: UnsafeMutablePointer<FCGX_Request>, context: RequestContext?) -> ServiceError? {
        var clientGone = false
        let emit: (UnsafeRawBufferPointer) -> Void = { piece in
            if !clientGone { clientGone = !self.put(piece, to: fcgi) }
        }
        guard let stream = response.bodyStream else {
            response.writeHead(emit)
            if !clientGone { _ = put(response.body, to: fcgi) }
            return nil
        }
        var headSent = false
        do {
            try stream.produce { piece in
                if !headSent {
                    headSent = true
                    response.writeHead(emit)
                }
                guard !clientGone, put(piece, to: fcgi) else { throw ClientGone() }
            }
            if !headSent { response.writeHead(emit) }  // an empty body
            return nil
        } catch {
            guard !headSent else {
                logger.warning("streamed response ended early", metadata: [LogKey.error: "\(error)"])
                return nil
            }
            let failure: ServiceError =
                switch error {
                case let error as ServiceError: error
                case let error as StorageError where error.code == .notFound:
                    ServiceError(.notFound, "File not found", body: .object(["success": .bool(false), "error": .string("File not found")]))
                case let error as StorageError: ServiceError.storage(error)
                default: ServiceError(.internal, "Internal server error", underlying: error)
                }
            if failure.status.code >= 500 {
                (context?.logger ?? logger).error("streamed response failed", metadata: [LogKey.error: "\(String(reflecting: error))"])
            }
            var answer = Self.errorResponse(failure, requestID: response.header("X-Request-Id") ?? "")
            for header in response.headers where header.name.lowercased().hasPrefix("access-control-") || header.name == "X-Request-Id" {
                answer.headers.append(header)
            }
            answer.writeHead(emit)
            if !clientGone { _ = put(answer.body, to: fcgi) }
            return failure
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

/// The connections one serving thread holds, each with its libfcgi request (owned here: made
/// when a connection is accepted, freed when it closes).
struct KeptConnections: ~Copyable {
    private var requests: [UnsafeMutablePointer<FCGX_Request>] = []

    /// A request for the accepted connection `fd`, ready for `FCGX_Accept_r` (which then reads
    /// the request instead of accepting).
    mutating func open(_ fd: Int32) -> UnsafeMutablePointer<FCGX_Request> {
        let request = UnsafeMutablePointer<FCGX_Request>.allocate(capacity: 1)
        request.initialize(to: FCGX_Request())
        FCGX_InitRequest(request, 0, 0)
        request.pointee.ipcFd = fd
        // FCGX_Accept_r first finishes the previous request, which closes a connection not
        // marked kept; the BEGIN_REQUEST it reads then sets the flag nginx asked for.
        request.pointee.keepConnection = 1
        requests.append(request)
        return request
    }

    func request(for fd: Int32) -> UnsafeMutablePointer<FCGX_Request>? {
        requests.first { $0.pointee.ipcFd == fd }
    }

    func appendPollEntries(to entries: inout [pollfd]) {
        for request in requests where request.pointee.ipcFd >= 0 {
            entries.append(pollfd(fd: request.pointee.ipcFd, events: Int16(POLLIN), revents: 0))
        }
    }

    /// Closes the connection and frees its request.
    mutating func close(_ request: UnsafeMutablePointer<FCGX_Request>) {
        if request.pointee.ipcFd >= 0 { Glibc.close(request.pointee.ipcFd) }
        request.pointee.ipcFd = -1
        forget(request)
    }

    /// Frees a request whose connection libfcgi has closed.
    mutating func forget(_ request: UnsafeMutablePointer<FCGX_Request>) {
        guard let index = requests.firstIndex(of: request) else { return }
        requests.remove(at: index)
        FCGX_Free(request, 0)
        request.deinitialize(count: 1)
        request.deallocate()
    }

    mutating func closeAll() {
        for request in requests { close(request) }
    }
}
