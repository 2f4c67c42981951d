#if canImport(Glibc)
    import Glibc
#endif
public import Logging

/// The whole `main` of a function executable: read the environment, build one handler per
/// serving thread, serve FastCGI on fd 0 until SIGTERM.
public enum FunctionMain {
    public static func run(
        functionName: String,
        makeHandler: @escaping @Sendable (Environment, Logger) throws -> any RequestHandler
    ) -> Never {
        signal(SIGPIPE, SIG_IGN)
        let environment = Environment.process()
        var logger = Logger.json(label: functionName, environment: environment)
        logger[metadataKey: LogKey.function] = .string(functionName)
        do {
            let server = FastCGIServer(configuration: try .init(environment: environment), logger: logger)
            let workerLogger = logger
            try server.run { try makeHandler(environment, workerLogger) }
            exit(0)
        } catch {
            logger.critical("worker could not start", metadata: [LogKey.error: "\(error)"])
            exit(1)
        }
    }
}
