package import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// The whole `main` of a function executable: read the environment, build one handler per
/// serving thread, serve FastCGI on fd 0 until SIGTERM.
package enum FunctionMain {
    /// - Parameters:
    ///   - maxBodyBytes: the function's request body cap (`UB_MAX_BODY_BYTES` overrides it).
    package static func run(
        functionName: String,
        maxBodyBytes: Int,
        makeHandler: @escaping @Sendable (Environment, Logger) throws -> any RequestHandler
    ) -> Never {
        signal(SIGPIPE, SIG_IGN)
        let environment = Environment.process()
        Metrics.shared.start(environment: environment, name: functionName)
        var logger = Logger.json(label: functionName, environment: environment)
        logger[metadataKey: LogKey.function] = .string(functionName)
        RestartPacer.pace(name: functionName, environment: environment, logger: logger)
        do {
            let server = FastCGIServer(configuration: try .init(environment: environment, defaultMaxBodyBytes: maxBodyBytes), logger: logger)
            let workerLogger = logger
            try server.run { try makeHandler(environment, workerLogger) }
            exit(0)
        } catch {
            logger.critical("worker could not start", metadata: [LogKey.error: "\(error)"])
            exit(1)
        }
    }
}
