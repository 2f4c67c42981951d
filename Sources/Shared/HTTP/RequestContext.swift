package import Logging

/// What a handler gets besides the request: its id and a logger that carries it.
package struct RequestContext: Sendable {
    package let requestID: String
    private let baseLogger: Logger
    /// The logger's level, read once by whoever makes contexts (reading it asks the handler).
    private let level: Logger.Level

    package init(requestID: String, logger: Logger, level: Logger.Level? = nil) {
        self.requestID = requestID
        self.baseLogger = logger
        self.level = level ?? logger.logLevel
    }

    /// The logger with `request.id` attached, made when something is logged (most requests log
    /// one line, or none below info).
    package var logger: Logger {
        var logger = baseLogger
        logger[metadataKey: LogKey.requestID] = .string(requestID)
        return logger
    }

    /// Logs through `logger` when `level` is enabled; below it, nothing is built at all (the
    /// request's logger costs more than a whole lookup).
    package func log(
        _ level: Logger.Level, _ message: @autoclosure () -> Logger.Message,
        metadata: @autoclosure () -> Logger.Metadata? = nil
    ) {
        guard self.level <= level else { return }
        logger.log(level: level, message(), metadata: metadata())
    }
}
