package import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// The whole `main` of a function executable: read the environment, build one
/// `FunctionInstance` (handler and gauges) per serving thread inside its `FunctionResponder`,
/// serve FastCGI on fd 0 until SIGTERM.
package enum FunctionMain {
    package static func run(
        _ spec: FunctionSpec, makeInstance: @escaping @Sendable (Environment, Logger) throws -> FunctionInstance
    ) -> Never {
        signal(SIGPIPE, SIG_IGN)
        let environment = Environment.process()
        Metrics.shared.start(environment: environment, name: spec.name)
        var logger = Logger.json(label: spec.name, environment: environment)
        logger[metadataKey: LogKey.function] = .string(spec.name)
        RestartPacer.pace(name: spec.name, environment: environment, logger: logger)
        do {
            let server = FastCGIServer(
                configuration: try .init(environment: environment, defaultMaxBodyBytes: spec.maxBodyBytes), name: spec.name, logger: logger)
            let workerLogger = logger
            try server.run {
                FunctionResponder(spec: spec, instance: try makeInstance(environment, workerLogger), environment: environment, logger: workerLogger)
            }
            exit(0)
        } catch {
            logger.critical("worker could not start", metadata: [LogKey.error: "\(error)"])
            exit(1)
        }
    }
}
