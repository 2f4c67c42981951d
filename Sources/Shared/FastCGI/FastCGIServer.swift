internal import CFastCGI
package import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The FastCGI transport: serves over libfcgi on the listening socket at fd 0 (spawn-fcgi and
/// systemd socket activation both put it there), with one `FastCGIResponder` per serving
/// thread (and so one database connection each). It reads requests (`CGIRequestReader`),
/// hands them to the responder and writes what it answers (`CGIResponseWriter`); what a
/// function does with a request — methods, errors, CORS, logs, metrics — is the responder's.
/// SIGTERM and SIGINT stop accepting; the request in flight is finished first.
package final class FastCGIServer {
    /// How the server serves.
    package struct Configuration: Sendable {
        /// Largest request body read into memory; larger ones are refused without being read.
        package var maxBodyBytes: Int
        /// Serving threads in this process, each with its own responder.
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
    /// `userbuckets_fastcgi_connections_total{function}`: connections accepted from nginx. With
    /// its connections kept this grows by about one per kept connection, not one per request;
    /// a count close to the requests' means nginx connects per request (or its upstream
    /// `keepalive` is smaller than the requests it has in flight).
    private let connectionsSlot: Int?

    /// - Parameter name: the function's name, for the connection counter.
    package init(configuration: Configuration, name: String, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        connectionsSlot = Metrics.shared.slot("userbuckets_fastcgi_connections_total{function=\"\(name)\"}")
    }

    /// Serves until SIGTERM/SIGINT. `makeResponder` runs once per serving thread.
    package func run(makeResponder: @escaping @Sendable () throws -> any FastCGIResponder) throws {
        // libfcgi's close() half-closes, then waits up to 2 s for nginx to close its end first.
        // That wait holds the worker after every response and halves throughput; the request
        // is always read whole before answering (CGIRequestReader), so closing at once loses nothing.
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
                    self.serveOrExit(makeResponder)
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
        serveOrExit(makeResponder)
        // Other threads may sit in accept(); they are not woken by the signal. Wait for the
        // requests in flight, then leave.
        while inFlight.load(ordering: .acquiring) > 0 { usleep(10_000) }
        logger.info("worker stopped")
    }

    private func serveOrExit(_ makeResponder: @Sendable () throws -> any FastCGIResponder) {
        let responder: any FastCGIResponder
        do {
            responder = try makeResponder()
        } catch {
            logger.critical("worker could not start", metadata: [LogKey.error: "\(error)"])
            exit(1)
        }
        serve(responder)
    }

    /// One loop over the listening socket and the connections nginx keeps open
    /// (`fastcgi_keep_conn`): whichever has a request is served, one at a time. A kept
    /// connection holds no thread while it is idle — libfcgi's own accept loop would block on
    /// it (PROTOCOLS.md §6.3) — and one that nginx closes is dropped. Without keep-alive every
    /// connection is closed after its answer and the loop is a plain accept loop.
    private func serve(_ responder: any FastCGIResponder) {
        var connections = KeptConnections()
        defer { connections.closeAll() }
        // Several processes and threads share the listening socket: whoever loses the race for
        // a new connection gets EAGAIN instead of sleeping in accept().
        _ = fcntl(0, F_SETFL, fcntl(0, F_GETFL) | O_NONBLOCK)
        var ready: [pollfd] = []
        let watcher = responder.watcher
        while !ShutdownSignals.requested.load(ordering: .relaxed) {
            ready.removeAll(keepingCapacity: true)
            ready.append(pollfd(fd: 0, events: Int16(POLLIN), revents: 0))
            // Second: the watched descriptor (the database's notifications), applied before
            // any request this round serves.
            let watched = watcher?.descriptor ?? -1
            ready.append(pollfd(fd: watched, events: Int16(POLLIN), revents: 0))
            connections.appendPollEntries(to: &ready)
            // A second at most: a SIGTERM taken by another thread of the process (a library's),
            // or one arriving between the flag's check and this call, interrupts nothing here;
            // the loop sees the flag within a second instead of never.
            if poll(&ready, nfds_t(ready.count), 1000) < 0 {
                if errno == EINTR { continue }
                logger.critical("poll failed", metadata: [LogKey.error: "\(String(cString: strerror(errno)))"])
                break
            }
            if watched >= 0, ready[1].revents != 0 { watcher?.descriptorReady() }
            for entry in ready.dropFirst(2) where entry.revents != 0 {
                guard let request = connections.request(for: entry.fd) else { continue }
                // A kept connection nginx has closed reads as the end of the stream.
                var byte: UInt8 = 0
                let peeked = recv(entry.fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
                if peeked < 0 && (errno == EAGAIN || errno == EINTR) { continue }
                if peeked <= 0 {
                    connections.close(request)
                    continue
                }
                serveOne(request, responder: responder, connections: &connections)
            }
            if ready[0].revents != 0 {
                let fd = cfastcgi_accept(0)
                if fd < 0 { continue }  // another process or thread took it
                if let connectionsSlot { Metrics.shared.add(slot: connectionsSlot) }
                serveOne(connections.open(fd), responder: responder, connections: &connections)
            }
        }
    }

    /// Reads the request waiting on `request`'s connection and answers it; the connection stays
    /// in `connections` only if nginx asked to keep it.
    private func serveOne(
        _ request: UnsafeMutablePointer<FCGX_Request>, responder: any FastCGIResponder, connections: inout KeptConnections
    ) {
        guard FCGX_Accept_r(request) >= 0 else {
            // Not a request (a protocol error, a shutdown): libfcgi has closed the connection.
            connections.forget(request)
            return
        }
        inFlight.add(1, ordering: .acquiring)
        let (incoming, readFailure) = CGIRequestReader(fcgi: request, maxBodyBytes: configuration.maxBodyBytes).read()
        let response = responder.respond(to: incoming, readFailure: readFailure)
        let status = CGIResponseWriter(fcgi: request).write(response, responder: responder) { error in
            logger.warning("streamed response ended early", metadata: [LogKey.error: "\(error)"])
        }
        responder.finished(status: status)
        FCGX_Finish_r(request)
        inFlight.subtract(1, ordering: .releasing)
        if request.pointee.ipcFd < 0 { connections.forget(request) }
        if response.body.count > 1 << 20 || incoming.body.count > 1 << 20 { _ = cfastcgi_release_free_memory() }
    }

    // MARK: signals

    private static func installSignalHandlers() {
        signal(SIGPIPE, SIG_IGN)
        // No SA_RESTART: a blocked accept() returns EINTR and the loop can end.
        ShutdownSignals.install(alsoCalling: { FCGX_ShutdownPending() })
    }

}

/// The body of a serving thread, boxed to cross `pthread_create`.
private final class ThreadStart: @unchecked Sendable {
    let body: () -> Void
    init(body: @escaping () -> Void) { self.body = body }
}
