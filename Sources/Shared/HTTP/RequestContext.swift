public import Logging

/// What a handler gets besides the request: its id and a logger that carries it.
public struct RequestContext: Sendable {
    public let requestID: String
    public var logger: Logger

    public init(requestID: String, logger: Logger) {
        self.requestID = requestID
        var logger = logger
        logger[metadataKey: LogKey.requestID] = .string(requestID)
        self.logger = logger
    }
}
